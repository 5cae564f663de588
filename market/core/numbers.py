"""Reading a whole number a person (or a URL) supplies: ASCII digits only.

Python's `int()` also takes "+5", " 5", "1_000", a fullwidth "5" (other scripts' digits) and raises on "²" although
`"²".isdigit()` is true; Django's IntegerField takes "5.0" as well. One reading for every quantity input
(`market.core.forms.QuantityField`) and every id read from a query string or a form (`id_from`).
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]+", re.ASCII)

#: The most digits an id may have: a PostgreSQL bigint holds 18 digits safely.
MAX_ID_DIGITS = 18


def digits_only(text: object) -> bool:
    """Whether `text` is ASCII digits only (spaces around it allowed), however many."""
    return not isinstance(text, bool) and _DIGITS.fullmatch(str(text).strip()) is not None


def whole_number(text: object, *, max_digits: int = 9) -> int | None:
    """"12" -> 12. None for anything that is not ASCII digits only (signs, points, exponents, spaces inside,
    underscores, other scripts' digits) or is longer than `max_digits` digits. Spaces around it are allowed."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text if text >= 0 and len(str(text)) <= max_digits else None
    value = str(text).strip()
    if not digits_only(value) or len(value) > max_digits:
        return None
    return int(value)


def id_from(text: object) -> int | None:
    """A database id from a query string or a form field, or None when it cannot be one."""
    return whole_number(text, max_digits=MAX_ID_DIGITS)


def whole_within(value: object, lowest: int, highest: int) -> bool:
    """Whether `value` (as a service received it) is a whole number from `lowest` to `highest`: the range check a
    service makes again for callers that did not come through a form."""
    return isinstance(value, int) and lowest <= value <= highest
