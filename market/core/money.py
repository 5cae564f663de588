"""Reading an amount of money a person typed. Money is integer pence everywhere (docs/adr/0001-money.md)."""

from __future__ import annotations

import re

#: Plain decimal notation only: digits (thousands may be comma-separated), at most two decimal places, an optional
#: pound sign. No exponent ("1e5"), no sign, no spaces inside, no floats.
_POUNDS = re.compile(r"^£?\s*(\d{1,3}(?:,\d{3})+|\d{1,9})(?:\.(\d{1,2}))?$")


def parse_pounds(text: str) -> int:
    """"12.5" or "£12.50" -> 1250. Raises ValueError for anything else (no floats are involved)."""
    match = _POUNDS.match(text.strip())
    if match is None:
        raise ValueError("Enter an amount in pounds and pence, like 12.50")
    pounds, pennies = match.groups()
    return int(pounds.replace(",", "")) * 100 + int((pennies or "0").ljust(2, "0"))



#: The most a person may type, by kind of amount (in whole pounds).
MAX_PRICE_POUNDS = 1_000  # a price for an hour, visit, session, day or item
MAX_COVER_POUNDS = 50_000_000  # an insurance policy's cover
MAX_ADJUSTMENT_POUNDS = 100_000  # one change to a personal budget
