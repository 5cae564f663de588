"""Reads for budgets and their ledger. Balances are derived from the ledger here, never stored.

What an entry does to the money is not written here: each ledger row carries it in four columns the database
generates from `orders.models.ENTRY_EFFECTS` (allocated, committed, spent, left), and these reads sum them:

    allocated = allocation + top_up + adjustment
    committed = reservation - release - spend      (money promised to orders, not yet paid)
    spent     = spend - refund
    left      = allocated - committed - spent

Whether a budget can afford more is the period rule in SQL (orders_budget_shortfall, orders/sql/ledger.sql),
asked through `budget_shortfall`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet, Sum
from django.utils import timezone

from market.accounts.models import ConsentScope, Person, Role, User
from market.accounts.permissions import Capacity, capacity_for

from ..models import Budget, LedgerEntry, period_end, period_starts


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
        return self.starts_on <= timezone.localdate() <= self.ends_on


@dataclass(frozen=True)
class Shortfall:
    """The first budget period whose running balance a debit would take below zero (orders_budget_shortfall)."""

    period_starts_on: datetime.date
    short_pence: int  # how much too little there would be then
    available_pence: int  # the most that could still be taken from that period (negative if already short)


_SUMS = {measure: Sum(f"{measure}_pence") for measure in ("allocated", "committed", "spent", "left")}


def _balance(sums: dict) -> Balance:
    return Balance(**{measure: int(sums[measure] or 0) for measure in _SUMS})


def budget_balance(budget: Budget) -> Balance:
    """The whole budget's balance, in one query."""
    return _balance(LedgerEntry.objects.filter(budget=budget).aggregate(**_SUMS))


def budget_periods(budget: Budget) -> list[PeriodLine]:
    """Every period of the plan with its allocated, committed, spent and left money, in one query."""
    rows = {
        row["period_starts_on"]: _balance(row)
        for row in LedgerEntry.objects.filter(budget_id=budget.pk).order_by().values("period_starts_on")
        .annotate(**_SUMS)
    }
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


_SHORTFALL_SQL = "SELECT * FROM orders_budget_shortfall(%s::bigint, %s::date[], %s::bigint[])"


def budget_shortfall(*, budget_id: int, debits: dict[datetime.date, int]) -> Shortfall | None:
    """Would taking `debits` ({period start: pence}) break the period rule (savings carry forward, future money
    cannot be spent early)? None if the budget can afford them. Only an answer to act on while holding the
    budget's lock (orders.services.budget_lock); without it, advice."""
    starts = sorted(debits)
    with connection.cursor() as cursor:
        cursor.execute(_SHORTFALL_SQL, [budget_id, starts, [debits[start] for start in starts]])
        row = cursor.fetchone()
    return None if row is None else Shortfall(*row)


def may_manage_budget(user: User, holder: Person) -> bool:
    """Coordinators working with the person and commissioners set budgets up, adjust and top them up."""
    if user.has_role(Role.COMMISSIONER):
        return True
    return capacity_for(user, holder, ConsentScope.VIEW) is Capacity.COORDINATOR


def budget_ledger(budget: Budget, *, limit: int = 100) -> list[LedgerEntry]:
    """The budget's latest entries, newest first."""
    return list(
        LedgerEntry.objects.filter(budget=budget)
        .select_related("actor", "on_behalf_of")
        .order_by("-created_at", "-pk")[:limit]
    )


def budgets_for_person(person) -> list[Budget]:
    return list(Budget.objects.filter(holder=person).select_related("isf_provider").order_by("starts_on", "pk"))


def budgets_among(ids: Iterable[int]) -> QuerySet[Budget]:
    """The budgets with these ids (a form's choices, from budgets it was given)."""
    return Budget.objects.filter(pk__in=list(ids))


def budget_get(budget_id: int) -> Budget | None:
    return Budget.objects.select_related("holder", "isf_provider").filter(pk=budget_id).first()


def budget_categories(budget: Budget) -> list:
    """The kinds of support the budget's plan allows (empty: any)."""
    return list(budget.allowed_categories.all())


def order_committed_by_period(*, budget: Budget, order) -> dict[datetime.date, int]:
    """Money still reserved for one order, per period (reservation - release - spend)."""
    rows = (
        LedgerEntry.objects.filter(budget=budget, order=order).order_by()
        .values("period_starts_on")
        .annotate(committed=Sum("committed_pence"))
    )
    return {row["period_starts_on"]: int(row["committed"]) for row in rows if row["committed"]}


def visit_refundable_pence(*, budget: Budget, visit) -> int:
    """What was spent from `budget` on `visit` and not refunded yet (read under the budget's lock to act on it)."""
    spent = LedgerEntry.objects.filter(budget=budget, visit=visit).aggregate(spent=Sum("spent_pence"))["spent"]
    return spent or 0
