"""Money is integer pence (docs/adr/0001-money.md). This module only formats and parses it."""

from __future__ import annotations

from market.core.money import parse_pounds

__all__ = ["format_pence", "parse_pounds"]


def format_pence(pence: int | None) -> str:
    """1234 -> "£12.34"; -50 -> "-£0.50"; None -> "". Always two decimals, thousands separated."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    pounds, pennies = divmod(abs(int(pence)), 100)
    return f"{sign}£{pounds:,}.{pennies:02d}"


