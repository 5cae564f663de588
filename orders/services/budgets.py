"""Budgets and their ledger: set up, reserve, release, spend, adjust, top up.

Every write to a budget's money runs while its row is locked (`budget_lock`, the first lock a transaction takes:
docs/adr/0002-budget-locking.md), so "can the budget afford it?" and the ledger insert that spends it never
interleave with another transaction doing the same. Whether it can afford it is the period rule, asked of the
database (orders.selectors.budget_shortfall); Python only words the refusal.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from market.accounts.models import FundingRoute, Person, User
from market.core.audit import audit_record
from market.core.numbers import whole_within

from .. import selectors
from ..exceptions import BudgetExceeded, BudgetRefused
from ..models import MAX_PERIODS, Budget, BudgetPeriod, EntryKind, LedgerEntry, period_starts
from ..money import format_pence


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
    if not (selectors.may_manage_budget(created_by, holder) or (self_funded and is_holder)):
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


def _shortfall_message(shortfall: selectors.Shortfall, *, costs: int) -> str:
    """The refusal, in words, for a debit of `costs` pence that the period rule refused."""
    return (
        f"The budget cannot afford this: it costs {format_pence(costs)}, which is "
        f"{format_pence(shortfall.short_pence)} more than is left for the period starting "
        f"{shortfall.period_starts_on:%-d %B %Y} ({format_pence(max(shortfall.available_pence, 0))} left then)."
    )


def _check_affordable(budget: Budget, debits: dict[datetime.date, int]) -> None:
    """Refuse, with BudgetExceeded, unless every period's running balance stays at or above zero after `debits`
    ({period start: pence}). Call only while holding the budget's lock (elsewhere the answer is advice)."""
    shortfall = selectors.budget_shortfall(budget_id=budget.pk, debits=debits)
    if shortfall is not None:
        raise BudgetExceeded(_shortfall_message(shortfall, costs=sum(debits.values())), field="budget")


def _write(budget, kind, grouped, *, order=None, visit=None, actor=None, on_behalf_of=None, reason=""):
    entries = [
        LedgerEntry(
            budget=budget, kind=kind, amount_pence=total, effective_on=day, period_starts_on=start,
            order=order, visit=visit, reason=reason[:300], actor=actor, on_behalf_of=on_behalf_of,
        )
        for start, (day, total) in grouped.items()
    ]
    for entry in entries:
        # Field checks only: the constraints are enforced by the database itself (no extra queries).
        entry.full_clean(exclude=["budget", "order", "visit", "actor", "on_behalf_of"], validate_unique=False,
                         validate_constraints=False)
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
        return _write(budget, EntryKind.RESERVATION, grouped, order=order, actor=actor, on_behalf_of=on_behalf_of,
                      reason=reason)


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
    if not selectors.may_manage_budget(actor, budget.holder):
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


def budget_top_up(*, budget: Budget, amount_pence: int, on: datetime.date, reason: str, actor: User) -> LedgerEntry:
    """Extra money for a budget (for example a one-off top-up agreed at a review), by a coordinator working
    with the holder or a commissioner, with a reason. Counts in the period containing `on`."""
    reason = (reason or "").strip()
    if not selectors.may_manage_budget(actor, budget.holder):
        raise BudgetRefused("Only a coordinator working with this person, or a commissioner, can top up a budget.")
    if not reason:
        raise BudgetRefused("Give a reason for the top-up. The holder will see it.", field="reason")
    if not whole_within(amount_pence, 1, 10_000_000):
        raise BudgetRefused("Enter an amount above £0 and up to £100,000.", field="amount_pence")
    with transaction.atomic():
        budget = budget_lock(budget.pk)
        if not budget.covers(on):
            raise BudgetRefused("Choose a day within the budget's plan.", field="on")
        start = budget.period_start_for(on)
        entry = _write(budget, EntryKind.TOP_UP, {start: (on, amount_pence)}, actor=actor,
                       on_behalf_of=budget.holder, reason=reason)[0]
        audit_record(action="budget.topped_up", actor=actor, on_behalf_of=budget.holder, target=budget,
                     summary=f"{actor} topped up {budget} by {format_pence(amount_pence)}: {reason}",
                     data={"amount_pence": amount_pence, "on": on.isoformat(), "entry": entry.pk})
    return entry


def budget_refund(
    *,
    budget: Budget,
    amount_pence: int,
    visit,
    actor: User | None,
    reason: str,
) -> LedgerEntry:
    """Money paid for a confirmed visit comes back to the budget (a card refund): a refund entry in the visit's own
    period, never more than was spent on that visit less what was refunded for it before. Locks the budget."""
    reason = (reason or "").strip()
    if not reason:
        raise BudgetRefused("Give the reason for the refund.", field="reason")
    if not isinstance(amount_pence, int) or amount_pence <= 0:
        raise BudgetRefused("Enter an amount above £0.", field="amount_pence")
    with transaction.atomic():
        budget = budget_lock(budget.pk)
        refundable = selectors.visit_refundable_pence(budget=budget, visit=visit)
        if amount_pence > refundable:
            raise BudgetRefused(f"That is more than was spent on this visit and not yet refunded "
                                f"({format_pence(refundable)}).", field="amount_pence")
        day = timezone.localtime(visit.starts_at).date()
        day = day if budget.covers(day) else budget.starts_on
        entry = _write(budget, EntryKind.REFUND, {budget.period_start_for(day): (day, amount_pence)},
                       order=visit.order, visit=visit, actor=actor, on_behalf_of=budget.holder, reason=reason)[0]
        audit_record(action="budget.refunded", actor=actor, on_behalf_of=budget.holder, target=budget,
                     summary=f"{format_pence(amount_pence)} refunded to {budget}: {reason}"[:300],
                     data={"amount_pence": amount_pence, "visit": visit.pk, "entry": entry.pk})
    return entry
