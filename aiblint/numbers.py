"""Numbers read from template and script text, where anything can be written.

`float()` accepts "Infinity", "nan" and 400-digit numbers (infinite): each then breaks
`int()` or arithmetic further on. Rules read numbers through these functions instead.
"""

from __future__ import annotations

import math


def finite_float(text: str) -> float | None:
    """The finite number `text` spells, else None (not a number, infinite or NaN)."""
    if len(text) > 64:  # no duration or count worth reading is this long
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None
