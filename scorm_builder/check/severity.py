"""The checker's third severity: a note for the reviewer that never fails a check."""

from __future__ import annotations

from scorm_builder.problems import Severity

# problems.Severity includes "info" (problems.py); no cast needed any more.
INFO: Severity = "info"
