"""Writes for budgets, orders and visits: keyword-only functions named <thing>_<verb>, one transaction each.

Locks are always taken in the same order: the Budget row first, then the Order, then its Visits
(docs/adr/0002-budget-locking.md). Every write to a budget's money happens while its row is locked, so
the check "can the budget afford it?" and the ledger insert that spends it can never interleave with
another transaction doing the same.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from market.accounts.models import ConsentScope, FundingRoute, Person, Role, User
from market.accounts.permissions import Capacity, capacity_for
from market.core.audit import audit_record

from . import selectors
from .exceptions import BudgetExceeded, BudgetRefused
from .models import MAX_PERIODS, Budget, BudgetPeriod, EntryKind, LedgerEntry, period_starts
from .money import format_pence

# ---------------------------------------------------------------------------------------------------------
# Budgets and the ledger
# ---------------------------------------------------------------------------------------------------------


def _may_manage_budget(user: User, holder: Person) -> bool:
    """Coordinators working with the person and commissioners set budgets up and adjust them."""
    if user.has_role(Role.COMMISSIONER):
        return True
    return capacity_for(user, holder, ConsentScope.VIEW) is Capacity.COORDINATOR


def budget_lock(budget_id: int) -> Budget:
    """Lock a budget row for the rest of the current transaction. Always the first lock taken."""
    return Budget.objects.select_for_update().get(pk=budget_id)


def budget_create(
    *,
    holder: Person,
    funding_route: str,
    period: str,
    amount_pence: int,
    starts_on: datetime.date,
    ends_on: datetime.date,
    created_by: User,
    council: str = "",
    isf_provider=None,
    allowed_categories: Iterable = (),
    name: str = "Personal budget",
) -> Budget:
    """Set up a budget and allocate every period of its plan at once (one allocation row per period).

    Council-funded budgets are set up by the holder's coordinator or a commissioner; a self-funder may
    set up their own.
    """
    self_funded = funding_route == FundingRoute.SELF_FUNDED
    is_holder = holder.user_id is not None and holder.user_id == created_by.pk
    if not (_may_manage_budget(created_by, holder) or (self_funded and is_holder)):
        raise BudgetRefused("Only a coordinator working with this person, or a commissioner, can set up "
                            "a council-funded budget.")
    if not isinstance(amount_pence, int) or amount_pence <= 0:
        raise BudgetRefused("Enter an amount greater than £0.", field="amount_pence")
    if amount_pence > 10_000_000:
        raise BudgetRefused("That amount is too large for one period. Check it.", field="amount_pence")
    if ends_on < starts_on:
        raise BudgetRefused("The end date must be on or after the start date.", field="ends_on")
    starts = period_starts(period=period, starts_on=starts_on, ends_on=ends_on)
    if len(starts) > MAX_PERIODS:
        raise BudgetRefused("A plan can cover at most three years. Choose an earlier end date.", field="ends_on")
    with transaction.atomic():
        budget = Budget(
            holder=holder, name=name.strip() or "Personal budget", funding_route=funding_route,
            council="" if self_funded else council.strip(), isf_provider=isf_provider, period=period,
            amount_pence=amount_pence, starts_on=starts_on, ends_on=ends_on, created_by=created_by,
        )
        budget.full_clean()
        budget.save()
        budget.allowed_categories.set(list(allowed_categories))
        LedgerEntry.objects.bulk_create(
            LedgerEntry(
                budget=budget, kind=EntryKind.ALLOCATION, amount_pence=amount_pence, effective_on=start,
                period_starts_on=start, reason="Plan allocation", actor=created_by, on_behalf_of=holder,
            )
            for start in starts
        )
        audit_record(
            action="budget.created", actor=created_by, on_behalf_of=holder, target=budget,
            summary=f"{created_by} set up {budget}: {format_pence(amount_pence)} {BudgetPeriod(period).label.lower()}",
            data={"amount_pence": amount_pence, "period": period, "periods": len(starts)},
        )
    return budget


def _by_period(budget: Budget, lines: Iterable[tuple[datetime.date, int]]) -> dict[datetime.date, tuple]:
    """Group (day, pence) lines by budget period: {period start: (earliest day, total pence)}."""
    grouped: dict[datetime.date, list] = defaultdict(lambda: [None, 0])
    for day, pence in lines:
        if not isinstance(pence, int) or pence <= 0:
            raise BudgetRefused("Each amount must be a whole number of pence above zero.")
        if not budget.covers(day):
            raise BudgetRefused(
                f"{day:%-d %B %Y} is outside this budget's plan ({budget.starts_on:%-d %B %Y} "
                f"to {budget.ends_on:%-d %B %Y})."
            )
        slot = grouped[budget.period_start_for(day)]
        slot[0] = day if slot[0] is None else min(slot[0], day)
        slot[1] += pence
    return {start: (day, total) for start, (day, total) in sorted(grouped.items())}


def _check_affordable(budget: Budget, debits: dict[datetime.date, int]) -> None:
    """Refuse unless every period's running balance stays at or above zero after `debits`.
    Call only while holding the budget's lock."""
    lines = selectors.budget_periods(budget)
    running = 0
    shortfall = None
    for line in lines:
        running += line.left - debits.get(line.starts_on, 0)
        if running < 0 and shortfall is None:
            shortfall = (line, -running)
    if shortfall is not None:
        line, short = shortfall
        available = selectors.affordable_from(lines)
        total = sum(debits.values())
        raise BudgetExceeded(
            f"The budget cannot afford this: it costs {format_pence(total)}, which is {format_pence(short)} "
            f"more than is left for the period starting {line.starts_on:%-d %B %Y} "
            f"({format_pence(max(available.get(line.starts_on, 0), 0))} left then).",
            field="budget",
        )


def _write(budget, kind, grouped, *, order=None, visit=None, actor=None, on_behalf_of=None, reason=""):
    entries = [
        LedgerEntry(
            budget=budget, kind=kind, amount_pence=total, effective_on=day, period_starts_on=start,
            order=order, visit=visit, reason=reason[:300], actor=actor, on_behalf_of=on_behalf_of,
        )
        for start, (day, total) in grouped.items()
    ]
    for entry in entries:
        entry.full_clean(exclude=["budget", "order", "visit", "actor", "on_behalf_of"])
    return LedgerEntry.objects.bulk_create(entries)


def budget_reserve(
    *,
    budget: Budget,
    lines: Iterable[tuple[datetime.date, int]],
    order=None,
    actor: User | None,
    on_behalf_of: Person | None = None,
    reason: str = "",
) -> list[LedgerEntry]:
    """Reserve money for the given (day, pence) lines: one reservation row per budget period.

    Refused with `BudgetExceeded` if any period's running balance would go below zero. Locks the budget.
    """
    with transaction.atomic():
        budget = budget_lock(budget.pk)
        grouped = _by_period(budget, lines)
        if not grouped:
            raise BudgetRefused("There is nothing to reserve.")
        _check_affordable(budget, {start: total for start, (_day, total) in grouped.items()})
        return _write(budget, EntryKind.RESERVATION, grouped, order=order, actor=actor,
                      on_behalf_of=on_behalf_of, reason=reason)


def _committed_by_period(budget: Budget, order) -> dict[datetime.date, int]:
    if order is not None:
        return selectors.order_committed_by_period(budget=budget, order=order)
    return {line.starts_on: line.committed for line in selectors.budget_periods(budget) if line.committed}


def budget_release(
    *,
    budget: Budget,
    lines: Iterable[tuple[datetime.date, int]] | None = None,
    order=None,
    visit=None,
    actor: User | None,
    on_behalf_of: Person | None = None,
    reason: str = "",
) -> list[LedgerEntry]:
    """Give reserved money back to the budget. With `lines=None` and an order, release everything still
    reserved for that order. Never releases more than is reserved (per period, per order)."""
    with transaction.atomic():
        budget = budget_lock(budget.pk)
        committed = _committed_by_period(budget, order)
        if lines is None:
            if order is None:
                raise BudgetRefused("Say what to release.")
            grouped = {start: (start, amount) for start, amount in sorted(committed.items()) if amount > 0}
        else:
            grouped = _by_period(budget, lines)
        for start, (_day, total) in grouped.items():
            if total > committed.get(start, 0):
                raise BudgetRefused("That is more than is reserved, so it cannot be released.")
        if not grouped:
            return []
        return _write(budget, EntryKind.RELEASE, grouped, order=order, visit=visit, actor=actor,
                      on_behalf_of=on_behalf_of, reason=reason)


def budget_spend(
    *,
    budget: Budget,
    amount_pence: int,
    on: datetime.date,
    order,
    visit=None,
    actor: User | None,
    on_behalf_of: Person | None = None,
    reason: str = "",
) -> LedgerEntry:
    """Turn reserved money into spend (a confirmed visit). It must already be reserved for the order."""
    with transaction.atomic():
        budget = budget_lock(budget.pk)
        grouped = _by_period(budget, [(on, amount_pence)])
        committed = _committed_by_period(budget, order)
        for start, (_day, total) in grouped.items():
            if total > committed.get(start, 0):
                raise BudgetRefused("That visit's money is not reserved, so it cannot be spent.")
        return _write(budget, EntryKind.SPEND, grouped, order=order, visit=visit, actor=actor,
                      on_behalf_of=on_behalf_of, reason=reason)[0]


def budget_adjust(
    *,
    budget: Budget,
    amount_pence: int,
    on: datetime.date,
    reason: str,
    actor: User,
) -> LedgerEntry:
    """A coordinator (working with the holder) or a commissioner adds (+) or takes away (-) money, with a
    reason. Taking money away is refused if any period's running balance would go below zero."""
    reason = (reason or "").strip()
    if not _may_manage_budget(actor, budget.holder):
        raise BudgetRefused("Only a coordinator working with this person, or a commissioner, can adjust a budget.")
    if not reason:
        raise BudgetRefused("Give a reason for the adjustment. The holder will see it.", field="reason")
    if not isinstance(amount_pence, int) or amount_pence == 0:
        raise BudgetRefused("Enter an amount other than £0.", field="amount_pence")
    if abs(amount_pence) > 10_000_000:
        raise BudgetRefused("That amount is too large. Check it.", field="amount_pence")
    with transaction.atomic():
        budget = budget_lock(budget.pk)
        if not budget.covers(on):
            raise BudgetRefused("Choose a day within the budget's plan.", field="on")
        start = budget.period_start_for(on)
        if amount_pence < 0:
            _check_affordable(budget, {start: -amount_pence})
        entry = _write(budget, EntryKind.ADJUSTMENT, {start: (on, amount_pence)}, actor=actor,
                       on_behalf_of=budget.holder, reason=reason)[0]
        audit_record(
            action="budget.adjusted", actor=actor, on_behalf_of=budget.holder, target=budget,
            summary=f"{actor} adjusted {budget} by {format_pence(amount_pence)}: {reason}",
            data={"amount_pence": amount_pence, "on": on.isoformat(), "entry": entry.pk},
        )
    return entry


def budget_today() -> datetime.date:
    return timezone.localdate()
