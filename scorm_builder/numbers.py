"""Numbers as authors and LMSs write them: plain decimals, never an exponent.

Python writes 0.0000001 as `1e-07` and JavaScript as `1e-7`; neither is a SCORM 1.2
decimal, and neither is what the author typed. Every number the builder shows or
sends goes through `plain_decimal`.
"""

from __future__ import annotations

import math
from decimal import Decimal


def plain_decimal(value: float) -> str:
    """`value` in positional notation, without trailing zeros: 80, 2.5, 0.0000001, -3."""
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return {math.inf: "inf", -math.inf: "-inf"}.get(value, "nan")
    if value == 0:
        return "0"  # also -0.0: a minus sign on zero means nothing to an author or an LMS
    # repr() is the shortest text that reads back as the same float: 0.1, not 0.1000000000000000055.
    text = format(Decimal(repr(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def decimals(value: float) -> int:
    """How many digits `value` has after the decimal point, as written in plain notation."""
    text = plain_decimal(value)
    return len(text) - text.index(".") - 1 if "." in text else 0
