"""The checker's third severity: a note for the reviewer that never fails a check."""

from __future__ import annotations

from typing import cast

from scorm_builder.problems import Severity

# problems.Severity is "error" | "warning" (the pipeline's file); until it includes "info",
# the checker spells its notes through this one cast.
INFO: Severity = cast(Severity, "info")
