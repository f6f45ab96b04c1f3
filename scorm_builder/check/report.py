"""The check's two outputs: a report for people, JSON for machines.

JSON shape (documented in the README, tested in tests/test_check.py):
    {"path": str, "ok": bool, "errors": int, "warnings": int, "info": int,
     "problems": [{"rule", "severity", "file", "line", "message", "fix"}]}
`ok` is the verdict with --strict applied: it is true exactly when the exit status is 0.
Info lines are notes for the reviewer: they never fail the check, not even with --strict.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from scorm_builder.i18n import _, ngettext
from scorm_builder.problems import SEVERITY_WORDS, Problem


@dataclass(frozen=True)
class Verdict:
    path: str
    problems: list[Problem]
    strict: bool = False

    def count(self, severity: str) -> int:
        return sum(p.severity == severity for p in self.problems)

    @property
    def errors(self) -> int:
        return self.count("error")

    @property
    def warnings(self) -> int:
        return self.count("warning")

    @property
    def info(self) -> int:
        return self.count("info")

    @property
    def ok(self) -> bool:
        return self.errors == 0 and not (self.strict and self.warnings)

    @property
    def exit_status(self) -> int:
        return 0 if self.ok else 1


def to_json(verdict: Verdict) -> str:
    return json.dumps(
        {
            "path": verdict.path,
            "ok": verdict.ok,
            "errors": verdict.errors,
            "warnings": verdict.warnings,
            "info": verdict.info,
            "problems": [
                {
                    "rule": p.rule,
                    "severity": p.severity,
                    "file": p.file,
                    "line": p.line,
                    "message": p.message,
                    "fix": p.fix,
                }
                for p in verdict.problems
            ],
        },
        indent=2,
        ensure_ascii=False,
    )


def to_text(verdict: Verdict) -> str:
    lines = []
    for p in verdict.problems:
        # The place and the [rule] stay as they are in every language: CI reads them.
        severity = _(SEVERITY_WORDS.get(p.severity, p.severity))
        lines.append(f"{p.where()}: {severity} [{p.rule}] {p.message}")
        if p.fix:
            lines.append("    " + _("fix: {fix}").format(fix=p.fix))
    if verdict.ok:
        outcome = _("OK")
        if verdict.warnings:
            outcome += _(" (warnings do not fail the check without --strict)")
    else:
        outcome = _("FAILED")
        if not verdict.errors:
            outcome += _(" (--strict: warnings fail the check)")
    errors = ngettext("{count} error", "{count} errors", verdict.errors)
    warnings = ngettext("{count} warning", "{count} warnings", verdict.warnings)
    info = _(", {count} info").format(count=verdict.info) if verdict.info else ""
    # The path stays as it is in every language, as do the rule ids above: CI reads them.
    summary = _("{path}: {errors}, {warnings}{info}: {outcome}").format(
        path=verdict.path,
        errors=errors.format(count=verdict.errors),
        warnings=warnings.format(count=verdict.warnings),
        info=info,
        outcome=outcome,
    )
    lines.append(summary)
    return "\n".join(lines)
