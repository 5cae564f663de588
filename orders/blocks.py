"""A block of hours shared between budget periods (docs/adr/0002-budget-locking.md, "A block of hours across budget
periods"). The split is computed here and only here: placement passes it to the database as the per-period
reservation rows, recording a visit draws from it, and every page words it from it.

- Each period the block's dates touch gets a share of its minutes in proportion to the block's days in that period,
  rounded down to whole minutes; what rounding leaves goes to the last period.
- Each share's money is what its minutes cost counted on from the shares before it (the hourly price rounded once
  over the minutes so far, less what the earlier shares cost), so the shares add up to the block's price exactly.
- A visit draws from the share of the period its day falls in, never from a later one (future money cannot be spent
  early); what a share has not used when its period ends is given back to the budget, as a whole block's is when it
  ends.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from providers.models import PriceUnit

from .exceptions import OrderRefused
from .models import Budget, Order, OrderKind, period_end
from .pricing import MIN_MINUTES, Plan, visit_cost


@dataclass(frozen=True)
class BlockShare:
    period_starts_on: datetime.date
    first_day: datetime.date  # the block's first day in this period
    last_day: datetime.date  # the block's last day in this period
    minutes: int
    offset_minutes: int  # the minutes of the shares before this one
    pence: int

    @property
    def hours(self) -> str:
        return hours_text(self.minutes)


def hours_text(minutes: int) -> str:
    """4 hours; 1 hour; 3 hours 20 minutes; 45 minutes."""
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest or not hours:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)


def block_shares(*, budget: Budget, first_visit_on: datetime.date, last_visit_on: datetime.date, block_minutes: int,
                 unit_price_pence: int) -> list[BlockShare]:
    """The block's share of each budget period its dates touch, first period first. The dates must be within the
    budget's plan (checked before this is asked)."""
    spans = []
    day = first_visit_on
    while day <= last_visit_on:
        start = budget.period_start_for(day)
        end = min(period_end(period=budget.period, start=start), last_visit_on)
        spans.append((start, day, end))
        day = end + datetime.timedelta(days=1)
    total_days = (last_visit_on - first_visit_on).days + 1
    shares = []
    offset = 0
    for index, (start, first, last) in enumerate(spans):
        if index == len(spans) - 1:
            minutes = block_minutes - offset
        else:
            minutes = block_minutes * ((last - first).days + 1) // total_days
        pence = (_cost(unit_price_pence, offset + minutes) - _cost(unit_price_pence, offset))
        shares.append(BlockShare(period_starts_on=start, first_day=first, last_day=last, minutes=minutes,
                                 offset_minutes=offset, pence=pence))
        offset += minutes
    return shares


def _cost(price_pence: int, minutes: int) -> int:
    return visit_cost(unit=PriceUnit.PER_HOUR, price_pence=price_pence, minutes=minutes, items=1)


def plan_shares(plan: Plan, budget: Budget) -> list[BlockShare]:
    """A planned block's shares (none for other kinds of order)."""
    if plan.kind != OrderKind.BLOCK or plan.block_minutes is None:
        return []
    return block_shares(budget=budget, first_visit_on=plan.first_visit_on, last_visit_on=plan.last_visit_on,
                        block_minutes=plan.block_minutes, unit_price_pence=plan.unit_price_pence)


def check_block_shares(plan: Plan, budget: Budget) -> None:
    """A block may span budget periods, but each period's share must be long enough for a visit."""
    for share in plan_shares(plan, budget):
        if share.minutes < MIN_MINUTES:
            raise OrderRefused(
                f"{hours_text(plan.block_minutes)} over these dates leaves less than {MIN_MINUTES} minutes for the "
                f"budget period from {share.period_starts_on:%-d %B %Y}: choose more hours or fewer dates.",
                field="block_hours",
            )


def order_shares(order: Order) -> list[BlockShare]:
    """A placed block's shares (none for other kinds of order)."""
    if order.kind != OrderKind.BLOCK or not order.block_minutes:
        return []
    return block_shares(budget=order.budget, first_visit_on=order.first_visit_on, last_visit_on=order.last_visit_on,
                        block_minutes=order.block_minutes, unit_price_pence=order.unit_price_pence)


def reservation_lines(plan: Plan, budget: Budget) -> list[tuple[datetime.date, int]]:
    """(day, pence) to reserve for a plan: a block's share on its first day in each period (one reservation row per
    period); any other order's visits on their days."""
    if plan.kind == OrderKind.BLOCK:
        return [(share.first_day, share.pence) for share in plan_shares(plan, budget) if share.pence]
    return plan.lines


def shares_text(shares: list[BlockShare]) -> str:
    """"4 hours in the period from 30 November, 4 hours in the period from 28 December" (empty for one period)."""
    if len(shares) < 2:
        return ""
    return ", ".join(f"{share.hours} in the period from {share.period_starts_on:%-d %B %Y}" for share in shares)
