"""Money is integer pence (docs/adr/0001-money.md). This module only formats and parses it."""

from __future__ import annotations

import re

_POUNDS = re.compile(r"^£?\s*(\d{1,7})(?:\.(\d{1,2}))?$")


def format_pence(pence: int | None) -> str:
    """1234 -> "£12.34"; -50 -> "-£0.50"; None -> "". Always two decimals, thousands separated."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    pounds, pennies = divmod(abs(int(pence)), 100)
    return f"{sign}£{pounds:,}.{pennies:02d}"


def parse_pounds(text: str) -> int:
    """"12.5" or "£12.50" -> 1250. Raises ValueError for anything else (no floats are involved)."""
    match = _POUNDS.match(text.strip().replace(",", ""))
    if match is None:
        raise ValueError("Enter an amount in pounds and pence, like 12.50")
    pounds, pennies = match.groups()
    return int(pounds) * 100 + int((pennies or "0").ljust(2, "0"))
