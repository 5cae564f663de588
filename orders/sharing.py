"""How a shared booking's cost is split between two budgets (docs/adr/0010-households.md). Integer pence.

The family chooses the first person's share in whole percent (1 to 99); the second has the rest. Each visit's cost
is split on its own: the second share is rounded down and the first takes what is left, so the odd penny goes to
the first share and the two parts of every visit (and so of the whole booking) add up exactly to the whole.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Order, SharedBooking
    from .pricing import Plan

MIN_PERCENT = 1
MAX_PERCENT = 99


def split_pence(whole: int, first_percent: int) -> tuple[int, int]:
    """(first part, second part) of `whole` pence: the parts add up to `whole`; the odd penny goes to the first."""
    second = whole * (100 - first_percent) // 100
    return whole - second, second


@dataclass(frozen=True)
class Share:
    """One side of a split: the first person's percent, and whether this is the first person's part."""

    first_percent: int
    first: bool

    @property
    def percent(self) -> int:
        return self.first_percent if self.first else 100 - self.first_percent

    def of(self, whole: int) -> int:
        first, second = split_pence(whole, self.first_percent)
        return first if self.first else second

    def of_plan(self, plan: Plan) -> Plan:
        """The plan with each visit costing this share of it (a block of hours is not shared)."""
        if plan.block_minutes is not None:
            raise ValueError("A block of hours cannot be shared.")
        visits = [dataclasses.replace(visit, cost_pence=self.of(visit.cost_pence)) for visit in plan.visits]
        return dataclasses.replace(plan, visits=visits)


def share_for(booking: SharedBooking, order: Order) -> Share:
    """The share `booking` gives `order` (one of its two orders)."""
    return Share(first_percent=booking.first_percent, first=order.pk == booking.first_order_id)
