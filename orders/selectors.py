"""Reads for budgets, orders and visits. Balances are derived from the ledger here, never stored.

How each ledger kind moves the money (all amounts positive except a signed adjustment):

    allocated = allocation + top_up + adjustment
    committed = reservation - release - spend      (money promised to orders, not yet paid)
    spent     = spend - refund
    left      = allocated - committed - spent
              = allocation + top_up + adjustment + release + refund - reservation
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from market.core.compiled import CompiledQuery

from .models import Budget, EntryKind, LedgerEntry, period_end, period_starts


@dataclass(frozen=True)
class Balance:
    allocated: int
    committed: int
    spent: int
    left: int


@dataclass(frozen=True)
class PeriodLine:
    starts_on: datetime.date
    ends_on: datetime.date
    allocated: int
    committed: int
    spent: int
    left: int  # this period's own money: allocated - committed - spent (negative if it used savings)
    available: int  # left up to the end of this period, counting savings from earlier periods

    @property
    def is_current(self) -> bool:
        from django.utils import timezone

        return self.starts_on <= timezone.localdate() <= self.ends_on


def _sum(kind: str):
    return Coalesce(Sum("amount_pence", filter=Q(kind=kind)), 0)


_SUMS = {kind: _sum(kind) for kind in EntryKind.values}


def _balance(sums: dict[str, int]) -> Balance:
    allocated = sums[EntryKind.ALLOCATION] + sums[EntryKind.TOP_UP] + sums[EntryKind.ADJUSTMENT]
    committed = sums[EntryKind.RESERVATION] - sums[EntryKind.RELEASE] - sums[EntryKind.SPEND]
    spent = sums[EntryKind.SPEND] - sums[EntryKind.REFUND]
    return Balance(allocated=allocated, committed=committed, spent=spent, left=allocated - committed - spent)


def budget_balance(budget: Budget) -> Balance:
    """The whole budget's balance, in one query."""
    return _balance(LedgerEntry.objects.filter(budget=budget).aggregate(**_SUMS))


def _per_period_and_kind(_key, *, budget_id: int):
    """One plain SUM per (period, kind): cheaper to build and run than a FILTERed SUM per kind."""
    return (LedgerEntry.objects.filter(budget_id=budget_id).order_by().values_list("period_starts_on", "kind")
            .annotate(total=Sum("amount_pence")))


_PER_PERIOD_AND_KIND = CompiledQuery(_per_period_and_kind, "budget_id")  # compiled once per process


def budget_periods(budget: Budget) -> list[PeriodLine]:
    """Every period of the plan with its allocated, committed, spent and left money, in one query."""
    sums: dict[datetime.date, dict[str, int]] = {}
    for start, kind, total in _PER_PERIOD_AND_KIND.rows(None, budget_id=budget.pk):
        sums.setdefault(start, dict.fromkeys(EntryKind.values, 0))[kind] = total
    rows = {start: _balance(kinds) for start, kinds in sums.items()}
    lines = []
    available = 0
    empty = Balance(0, 0, 0, 0)
    for start in period_starts(period=budget.period, starts_on=budget.starts_on, ends_on=budget.ends_on):
        balance = rows.get(start, empty)
        available += balance.left
        lines.append(
            PeriodLine(
                starts_on=start, ends_on=min(period_end(period=budget.period, start=start), budget.ends_on),
                allocated=balance.allocated, committed=balance.committed, spent=balance.spent,
                left=balance.left, available=available,
            )
        )
    return lines


def affordable_from(lines: list[PeriodLine]) -> dict[datetime.date, int]:
    """For each period, the most that can still be taken from it without any period's running balance
    (savings included) going below zero: the smallest `available` from that period to the end.

    Money saved in earlier weeks can be used later; next month's money cannot be spent this week.
    """
    result = {}
    smallest = None
    for line in reversed(lines):
        smallest = line.available if smallest is None else min(smallest, line.available)
        result[line.starts_on] = smallest
    return result


def budget_ledger(budget: Budget):
    return (
        LedgerEntry.objects.filter(budget=budget)
        .select_related("actor", "on_behalf_of")
        .order_by("-created_at", "-pk")
    )


def budgets_for_person(person) -> list[Budget]:
    return list(Budget.objects.filter(holder=person).select_related("isf_provider").order_by("starts_on", "pk"))


def order_committed_by_period(*, budget: Budget, order) -> dict[datetime.date, int]:
    """Money still reserved for one order, per period (reservation - release - spend)."""
    rows = (
        LedgerEntry.objects.filter(budget=budget, order=order)
        .values("period_starts_on")
        .annotate(**_SUMS)
    )
    result = {}
    for row in rows:
        committed = _balance(row).committed
        if committed:
            result[row["period_starts_on"]] = committed
    return result


def reviews_for_provider(provider):
    """Reviews a storefront may show: not hidden, newest first."""
    from .models import Review

    return Review.objects.filter(provider=provider, hidden_at__isnull=True).order_by("-created_at", "-pk")


def provider_rating(provider) -> dict:
    """{"count": n, "average": 4.3 or None} over visible reviews (one decimal, for display only)."""
    from django.db.models import Avg, Count

    figures = reviews_for_provider(provider).aggregate(count=Count("pk"), average=Avg("rating"))
    average = round(figures["average"], 1) if figures["average"] is not None else None
    return {"count": figures["count"], "average": average}


def concern_queue():
    """Open concerns for commissioners: safeguarding first, then oldest first."""
    from .models import Concern, ConcernStatus

    return (
        Concern.objects.exclude(status=ConcernStatus.CLOSED)
        .select_related("provider", "raised_by", "visit")
        .order_by("-is_safeguarding", "created_at", "pk")
    )
