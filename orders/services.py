"""Writes for budgets, orders and visits: keyword-only functions named <thing>_<verb>, one transaction each.

Locks are always taken in the same order: the Budget row first, then the Order, then its Visits
(docs/adr/0002-budget-locking.md). Every write to a budget's money happens while its row is locked, so
the check "can the budget afford it?" and the ledger insert that spends it can never interleave with
another transaction doing the same.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from psycopg.types.json import Jsonb

from market.accounts.models import ConsentScope, FundingRoute, Person, Role, User
from market.accounts.permissions import Capacity, capacity_for
from market.core.audit import audit_record
from market.core.compiled import run_prepared
from providers.models import Provider, ProviderMembership, Service, ServiceAvailability
from providers.selectors import listed_services

from . import notifications, selectors
from .exceptions import BudgetExceeded, BudgetRefused, OrderRefused, VisitRefused
from .models import (
    MAX_PERIODS,
    Budget,
    BudgetPeriod,
    Concern,
    DirectPaymentAgreement,
    EntryKind,
    LedgerEntry,
    Order,
    OrderKind,
    OrderMessage,
    OrderStatus,
    OrderTransition,
    Review,
    Visit,
    VisitStatus,
    period_end,
    period_starts,
)
from .money import format_pence
from .pricing import Plan, PlannedVisit, block_visit_cost, plan_order
from .transitions import Side, transition_check


@dataclass(frozen=True)
class Quote:
    plan: Plan
    left_before: int
    left_after: int

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


def _shortfall_message(budget: Budget, left_by_period: dict[datetime.date, int], debits: dict[datetime.date, int]):
    """The refusal message if taking `debits` would make any period's running balance (savings from earlier
    periods included) go below zero, else None. `left_by_period` is each period's own money left."""
    starts = period_starts(period=budget.period, starts_on=budget.starts_on, ends_on=budget.ends_on)
    running = 0
    available = 0
    availables = {}
    shortfall = None
    for start in starts:
        left = left_by_period.get(start, 0)
        available += left
        availables[start] = available
        running += left - debits.get(start, 0)
        if running < 0 and shortfall is None:
            shortfall = (start, -running)
    if shortfall is None:
        return None
    start, short = shortfall
    affordable = min(value for day, value in availables.items() if day >= start)  # selectors.affordable_from
    return (
        f"The budget cannot afford this: it costs {format_pence(sum(debits.values()))}, which is "
        f"{format_pence(short)} more than is left for the period starting {start:%-d %B %Y} "
        f"({format_pence(max(affordable, 0))} left then)."
    )


def _check_affordable(budget: Budget, debits: dict[datetime.date, int]) -> None:
    """Refuse unless every period's running balance stays at or above zero after `debits`.
    Call only while holding the budget's lock."""
    lines = selectors.budget_periods(budget)
    message = _shortfall_message(budget, {line.starts_on: line.left for line in lines}, debits)
    if message is not None:
        raise BudgetExceeded(message, field="budget")


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
        return _reserve_locked(budget_lock(budget.pk), lines, order=order, actor=actor, on_behalf_of=on_behalf_of,
                               reason=reason)


def _reserve_locked(budget: Budget, lines, *, order=None, actor=None, on_behalf_of=None, reason="") -> list:
    """budget_reserve's body, for callers that already hold the budget's lock in their transaction."""
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


def budget_top_up(*, budget: Budget, amount_pence: int, on: datetime.date, reason: str, actor: User) -> LedgerEntry:
    """Extra money for a budget (for example a one-off top-up agreed at a review), by a coordinator working
    with the holder or a commissioner, with a reason. Counts in the period containing `on`."""
    reason = (reason or "").strip()
    if not _may_manage_budget(actor, budget.holder):
        raise BudgetRefused("Only a coordinator working with this person, or a commissioner, can top up a budget.")
    if not reason:
        raise BudgetRefused("Give a reason for the top-up. The holder will see it.", field="reason")
    if not isinstance(amount_pence, int) or not 0 < amount_pence <= 10_000_000:
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


def budget_today() -> datetime.date:
    return timezone.localdate()


# ---------------------------------------------------------------------------------------------------------
# Orders
# ---------------------------------------------------------------------------------------------------------

NOTICE_HOURS = getattr(settings, "ORDER_CANCELLATION_NOTICE_HOURS", 24)
AUTO_CONFIRM_HOURS = getattr(settings, "VISIT_AUTO_CONFIRM_HOURS", 72)
UNRECORDED_RELEASE_DAYS = getattr(settings, "VISIT_UNRECORDED_RELEASE_DAYS", 14)
_HOLDER_CAPACITIES = (Capacity.SELF, Capacity.SUPPORTER, Capacity.COORDINATOR)


def _holder_side(user: User, person: Person, scope: ConsentScope) -> tuple[Capacity, frozenset[Side]]:
    """The capacity in which `user` acts for `person` (re-checked here, not trusted from the caller)."""
    capacity = capacity_for(user, person, scope)
    if capacity not in _HOLDER_CAPACITIES:
        raise OrderRefused(f"You cannot do that for {person.display_name}.")
    sides = {Side.HOLDER} | ({Side.COORDINATOR} if capacity is Capacity.COORDINATOR else set())
    return capacity, frozenset(sides)


def _is_member(user: User, provider_id: int) -> bool:
    return ProviderMembership.objects.filter(user=user, provider_id=provider_id).exists()


def _sides_for(user: User, order: Order, scope: ConsentScope = ConsentScope.ORDER) -> tuple[str, frozenset[Side]]:
    """Provider members act as the provider; everyone else must be able to act for the holder."""
    if _is_member(user, order.provider_id):
        return "provider", frozenset({Side.PROVIDER})
    capacity, sides = _holder_side(user, order.holder, scope)
    return str(capacity), sides


def order_lock(order_id: int) -> Order:
    """Lock the order's budget, then the order (ADR 0002), and return the order as it is now."""
    budget_id = Order.objects.values_list("budget_id", flat=True).get(pk=order_id)
    budget_lock(budget_id)
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("holder", "service", "provider", "budget")
        .get(pk=order_id)
    )


def _move(order: Order, target: str, *, sides, actor: User | None, capacity: str, reason: str = "") -> None:
    transition_check(current=order.status, target=target, sides=sides)
    source = order.status
    order.status = target
    order.save(update_fields=["status", "updated_at"])
    OrderTransition.objects.create(
        order=order, from_status=source, to_status=target, actor=actor, on_behalf_of=order.holder,
        capacity=capacity, reason=reason[:500],
    )


def _service_facts(service, budget: Budget) -> dict:
    """Is the service listed now (providers.selectors.listed_services, the listing rule), does it cover the
    holder's neighbourhood, and does the budget's plan allow its category? One query."""
    area = budget.holder.neighbourhood_id
    service_areas = Service.neighbourhoods.through.objects.filter(service_id=service.pk)
    provider_areas = Provider.neighbourhoods.through.objects.filter(provider_id=OuterRef("provider_id"))
    plan_categories = Budget.allowed_categories.through.objects.filter(budget_id=budget.pk)
    row = (
        Service.objects.filter(pk=service.pk)
        .order_by()
        .annotate(
            listed=Exists(listed_services().filter(pk=OuterRef("pk"))),
            has_own_areas=Exists(service_areas),
            own_covers=Exists(service_areas.filter(neighbourhood_id=area)),
            provider_covers=Exists(provider_areas.filter(neighbourhood_id=area)),
            plan_limits=Exists(plan_categories),
            plan_allows=Exists(plan_categories.filter(category_id=OuterRef("category_id"))),
            has_slots=Exists(ServiceAvailability.objects.filter(service_id=service.pk)),
        )
        .values("listed", "has_own_areas", "own_covers", "provider_covers", "plan_limits", "plan_allows",
                "has_slots")
        .first()
    )
    if row is None or not row["listed"]:
        return {"listed": False}
    covers = area is not None and (row["own_covers"] if row["has_own_areas"] else row["provider_covers"])
    return {"listed": True, "covers": covers, "category_allowed": row["plan_allows"] or not row["plan_limits"],
            "has_slots": row["has_slots"]}


def _outside_availability(service, plan: Plan, *, has_slots: bool = True) -> PlannedVisit | None:
    slots = list(service.availability.all()) if has_slots else []
    if not slots:
        return None  # no published pattern: the provider takes bookings by arrangement
    exceptions = {
        e.date: e.is_available
        for e in service.availability_exceptions.filter(date__gte=plan.first_visit_on, date__lte=plan.last_visit_on)
    }
    for visit in plan.visits:
        day = visit.day
        if day in exceptions:
            if exceptions[day]:
                continue
            return visit
        start = timezone.localtime(visit.starts_at).time()
        end = timezone.localtime(visit.ends_at).time()
        if not any(s.weekday == day.weekday() and s.starts_at <= start and end <= s.ends_at for s in slots):
            return visit
    return None


def _placement_refusal(*, budget: Budget, service, plan: Plan, pays_household_relative: bool) -> None:
    """Every rule an order must pass to be placed, each refused with a plain message."""
    holder = budget.holder
    facts = _service_facts(service, budget)
    if not facts["listed"]:
        raise OrderRefused("This service cannot be booked at the moment: it is not listed.", field="service")
    if not facts["covers"]:
        where = holder.neighbourhood.name if holder.neighbourhood_id else "where they live"
        raise OrderRefused(f"{service.provider} does not cover {where}.", field="service")
    if not facts["category_allowed"]:
        raise OrderRefused(
            f"{holder.display_name}'s support plan does not include {service.category.name.lower()}. "
            "Talk to your coordinator if it should.", field="budget",
        )
    if budget.funding_route == FundingRoute.COUNCIL_MANAGED and not service.council_budget_ok:
        raise OrderRefused("This service cannot be paid from a council-managed account.", field="budget")
    if not (budget.covers(plan.first_visit_on) and budget.covers(plan.last_visit_on)):
        raise OrderRefused(
            f"The visits must fall within the budget's plan ({budget.starts_on:%-d %B %Y} to "
            f"{budget.ends_on:%-d %B %Y}).", field="first_visit_on",
        )
    if plan.kind == OrderKind.BLOCK and budget.period_start_for(plan.first_visit_on) != budget.period_start_for(
        plan.last_visit_on
    ):
        start = budget.period_start_for(plan.first_visit_on)
        end = period_end(period=budget.period, start=start)
        raise OrderRefused(
            f"A block of hours must be used within one budget period: choose an end date on or before "
            f"{end:%-d %B %Y}, and book another block for the next period.", field="last_visit_on",
        )
    clash = _outside_availability(service, plan, has_slots=facts["has_slots"])
    if clash is not None:
        local = timezone.localtime(clash.starts_at)
        raise OrderRefused(
            f"{service.provider} is not available on {local:%A %-d %B} at {local:%H:%M} for "
            f"{plan.duration_minutes} minutes. Check the times on their page.", field="visit_starts_at",
        )
    if (
        pays_household_relative
        and budget.funding_route == FundingRoute.DIRECT_PAYMENT
        and not DirectPaymentAgreement.objects.filter(budget=budget, provider=service.provider_id).exists()
    ):
        raise OrderRefused(
            "A direct payment can pay a close relative who lives in the same household only if the council "
            "has agreed it. Ask your coordinator to record the council's agreement first.",
            field="pays_household_relative",
        )


def order_quote(
    *,
    user: User,
    budget: Budget,
    service,
    kind: str,
    first_visit_on: datetime.date,
    visit_starts_at: datetime.time,
    duration_minutes: int,
    last_visit_on: datetime.date | None = None,
    weekdays: list[int] | None = None,
    items_per_visit: int = 1,
    pays_household_relative: bool = False,
    block_hours: int | None = None,
) -> Quote:
    """What an order would cost and do to the budget, checked against every rule, without writing anything.
    The check-your-answers page shows it."""
    _holder_side(user, budget.holder, ConsentScope.ORDER)
    plan = plan_order(service=service, kind=kind, first_visit_on=first_visit_on, visit_starts_at=visit_starts_at,
                      duration_minutes=duration_minutes, last_visit_on=last_visit_on, weekdays=weekdays,
                      items_per_visit=items_per_visit, block_hours=block_hours)
    _placement_refusal(budget=budget, service=service, plan=plan, pays_household_relative=pays_household_relative)
    if plan.total_pence:  # advisory here (no lock); order_place checks again under the budget's lock
        grouped = _by_period(budget, plan.lines)
        _check_affordable(budget, {start: total for start, (_day, total) in grouped.items()})
    balance = selectors.budget_balance(budget)
    return Quote(plan=plan, left_before=balance.left, left_after=balance.left - plan.total_pence)


def order_place(
    *,
    user: User,
    budget: Budget,
    service,
    kind: str,
    first_visit_on: datetime.date,
    visit_starts_at: datetime.time,
    duration_minutes: int,
    idempotency_key: uuid.UUID,
    last_visit_on: datetime.date | None = None,
    weekdays: list[int] | None = None,
    items_per_visit: int = 1,
    notes: str = "",
    pays_household_relative: bool = False,
    now: datetime.datetime | None = None,
    block_hours: int | None = None,
) -> Order:
    """Place an order for `budget.holder` and reserve its cost. Placing the same idempotency key again
    returns the first order and reserves nothing more. `now` is for demo data and tests only (views never
    pass it): the moment the order counts as placed, for the "first visit in the future" rule."""
    capacity, _sides = _holder_side(user, budget.holder, ConsentScope.ORDER)
    plan = plan_order(service=service, kind=kind, first_visit_on=first_visit_on, visit_starts_at=visit_starts_at,
                      duration_minutes=duration_minutes, last_visit_on=last_visit_on, weekdays=weekdays,
                      items_per_visit=items_per_visit, now=now, block_hours=block_hours)
    # Every rule that needs no lock, before the transaction: listing, coverage, plan, availability...
    _placement_refusal(budget=budget, service=service, plan=plan, pays_household_relative=pays_household_relative)
    holder = budget.holder
    placed_at = timezone.now()
    order = Order(
        holder=holder, budget=budget, funding_route=budget.funding_route, service=service,
        provider_id=service.provider_id, kind=plan.kind, status=OrderStatus.PLACED, first_visit_on=plan.first_visit_on,
        last_visit_on=plan.last_visit_on, weekdays=plan.weekdays, visit_starts_at=plan.visit_starts_at,
        duration_minutes=plan.duration_minutes, items_per_visit=plan.items_per_visit, unit=plan.unit,
        unit_price_pence=plan.unit_price_pence, visit_count=len(plan.visits), total_pence=plan.total_pence,
        block_minutes=plan.block_minutes, notes=notes.strip()[:2000], pays_household_relative=pays_household_relative,
        idempotency_key=idempotency_key, placed_by=user, placed_as=str(capacity), created_at=placed_at,
        updated_at=placed_at,
    )
    order.full_clean(exclude=["holder", "budget", "service", "provider", "placed_by"], validate_unique=False,
                     validate_constraints=False)  # the database enforces both, without extra queries
    # One reservation row per budget period the visits fall in (refuses days outside the plan).
    grouped = _by_period(budget, plan.lines) if plan.total_pence else {}
    # The locked part, in one statement (orders_order_place, migration 0006): lock the budget row, return the
    # first order for a repeated idempotency key, check every period's running balance under the lock, then
    # insert the order, its reservation rows, its "placed" transition and its audit event. One statement is
    # one transaction: in autocommit it commits on its own (the deferred overspend guard runs at that
    # commit); inside a caller's transaction it runs in a savepoint and commits with the caller.
    params = (
        budget.pk, idempotency_key, holder.pk, service.pk, service.provider_id, plan.kind, plan.first_visit_on,
        plan.last_visit_on, plan.weekdays, plan.visit_starts_at, plan.duration_minutes, plan.items_per_visit,
        plan.unit, plan.unit_price_pence, len(plan.visits), plan.block_minutes, plan.total_pence, order.notes,
        pays_household_relative, user.pk, order.placed_as, placed_at,
        list(grouped), [day for day, _total in grouped.values()], [total for _day, total in grouped.values()],
        f"{user} ordered {service} for {holder}: {format_pence(plan.total_pence)}",
        Jsonb({"total_pence": plan.total_pence, "visits": len(plan.visits), "capacity": str(capacity)}),
    )
    with _one_statement_transaction():
        order_id, outcome, funding_route, period_starts_on, period_left = run_prepared(_ORDER_PLACE_SQL, params)[0]
    # The provider is emailed by orders.tasks.tell_providers_new_orders (beat, every 10 seconds), which sends
    # every order whose provider_told_at is still empty: the order row is the outbox, so nothing is published
    # per order (that was ~0.5 ms of CPU a placement) and nothing can be lost between commit and broker.
    if outcome == "existing":
        return _same_order(Order.objects.get(pk=order_id), user)
    if outcome == "short":
        debits = {start: total for start, (_day, total) in grouped.items()}
        message = _shortfall_message(budget, dict(zip(period_starts_on or [], period_left or [], strict=True)), debits)
        raise BudgetExceeded(message or "The budget cannot afford this.", field="budget")
    order.pk = order_id
    order.funding_route = funding_route  # as the locked row has it (it never changes)
    order._state.adding = False
    order._state.db = connection.alias
    return order


_ORDER_PLACE_SQL = (
    "SELECT * FROM orders_order_place(%s::bigint, %s::uuid, %s::bigint, %s::bigint, %s::bigint, %s::text, %s::date, "
    "%s::date, %s::smallint[], %s::time, %s::integer, %s::smallint, %s::text, %s::bigint, %s::integer, %s::integer, "
    "%s::bigint, %s::text, %s::boolean, %s::bigint, %s::text, %s::timestamptz, %s::date[], %s::date[], %s::bigint[], "
    "%s::text, %s::jsonb)"
)


def _one_statement_transaction():
    """No BEGIN/COMMIT round trips for a single statement in autocommit (PostgreSQL runs it as its own
    transaction); a savepoint when the caller already has a transaction open."""
    return nullcontext() if connection.get_autocommit() else transaction.atomic()


def _same_order(order: Order, user: User) -> Order:
    if order.placed_by_id != user.pk:
        raise OrderRefused("This form has already been used. Start a new order.")
    return order


def _create_visits(order: Order) -> None:
    if order.kind == OrderKind.BLOCK:
        return  # a block's visits are recorded by the provider as they happen
    plan = plan_order(service=order.service, kind=order.kind, first_visit_on=order.first_visit_on,
                      visit_starts_at=order.visit_starts_at, duration_minutes=order.duration_minutes,
                      last_visit_on=order.last_visit_on, weekdays=order.weekdays,
                      items_per_visit=order.items_per_visit, unit_price_pence=order.unit_price_pence,
                      check_future=False)
    Visit.objects.bulk_create(
        Visit(order=order, starts_at=v.starts_at, ends_at=v.ends_at, cost_pence=v.cost_pence) for v in plan.visits
    )


def _provider_only(user: User, order: Order) -> None:
    if not _is_member(user, order.provider_id):
        raise OrderRefused("Only the provider's own team can do that.")


def order_accept(*, order: Order, by: User) -> Order:
    """The provider accepts: the order's visits are booked."""
    with transaction.atomic():
        order = order_lock(order.pk)
        _provider_only(by, order)
        _move(order, OrderStatus.ACCEPTED, sides={Side.PROVIDER}, actor=by, capacity="provider")
        _create_visits(order)
        audit_record(action="order.accepted", actor=by, on_behalf_of=order.holder, target=order,
                     summary=f"{order.provider} accepted {order.reference}")
        notifications.tell_holder(order, "accepted", f"{order.provider} accepted your order for {order.service}.")
    return order


def order_decline(*, order: Order, by: User, reason: str) -> Order:
    """The provider declines, with a reason; the reserved money goes back to the budget."""
    reason = (reason or "").strip()
    if not reason:
        raise OrderRefused("Say why you are declining. The person will see it.", field="reason")
    with transaction.atomic():
        order = order_lock(order.pk)
        _provider_only(by, order)
        _move(order, OrderStatus.DECLINED, sides={Side.PROVIDER}, actor=by, capacity="provider", reason=reason)
        budget_release(budget=order.budget, order=order, actor=by, on_behalf_of=order.holder,
                       reason=f"{order.reference} declined")
        audit_record(action="order.declined", actor=by, on_behalf_of=order.holder, target=order, summary=reason)
        notifications.tell_holder(order, "declined", f"{order.provider} cannot take your order: {reason}")
    return order


def order_propose_change(
    *,
    order: Order,
    by: User,
    note: str,
    unit_price_pence: int | None = None,
    first_visit_on: datetime.date | None = None,
    visit_starts_at: datetime.time | None = None,
) -> Order:
    """The provider proposes a different price, start date or time; the holder's side accepts or rejects it."""
    note = (note or "").strip()
    if not note:
        raise OrderRefused("Explain the change you are proposing.", field="note")
    if unit_price_pence is None and first_visit_on is None and visit_starts_at is None:
        raise OrderRefused("Propose a different price, date or time.", field="unit_price_pence")
    if unit_price_pence is not None and (not isinstance(unit_price_pence, int) or unit_price_pence <= 0):
        raise OrderRefused("Enter a price above £0.", field="unit_price_pence")
    with transaction.atomic():
        order = order_lock(order.pk)
        _provider_only(by, order)
        _proposed_plan(order, unit_price_pence, first_visit_on, visit_starts_at)  # refuses a bad proposal
        _move(order, OrderStatus.CHANGES_PROPOSED, sides={Side.PROVIDER}, actor=by, capacity="provider", reason=note)
        order.proposed_unit_price_pence = unit_price_pence
        order.proposed_first_visit_on = first_visit_on
        order.proposed_visit_starts_at = visit_starts_at
        order.proposal_note = note[:500]
        order.save(update_fields=["proposed_unit_price_pence", "proposed_first_visit_on", "proposed_visit_starts_at",
                                  "proposal_note", "updated_at"])
        notifications.tell_holder(order, "a change is proposed", f"{order.provider} proposes a change: {note}")
    return order


def _proposed_plan(order: Order, unit_price_pence, first_visit_on, visit_starts_at) -> Plan:
    first = first_visit_on or order.first_visit_on
    last = order.last_visit_on
    if order.kind == OrderKind.WEEKLY and first_visit_on is not None:
        last = max(order.last_visit_on, first)
    return plan_order(
        service=order.service, kind=order.kind, first_visit_on=first,
        visit_starts_at=visit_starts_at or order.visit_starts_at, duration_minutes=order.duration_minutes,
        last_visit_on=last, weekdays=order.weekdays, items_per_visit=order.items_per_visit,
        unit_price_pence=unit_price_pence or order.unit_price_pence,
        block_hours=order.block_minutes // 60 if order.block_minutes else None,
    )


def order_accept_proposal(*, order: Order, user: User) -> Order:
    """The holder's side accepts the provider's proposal: the reservation is redone at the new cost (refused,
    changing nothing, if the budget cannot afford it) and the order is accepted."""
    with transaction.atomic():
        order = order_lock(order.pk)
        capacity, sides = _holder_side(user, order.holder, ConsentScope.ORDER)
        transition_check(current=order.status, target=OrderStatus.ACCEPTED, sides=sides)
        plan = _proposed_plan(order, order.proposed_unit_price_pence, order.proposed_first_visit_on,
                              order.proposed_visit_starts_at)
        if not (order.budget.covers(plan.first_visit_on) and order.budget.covers(plan.last_visit_on)):
            raise OrderRefused("The proposed dates fall outside the budget's plan.")
        if plan.kind == OrderKind.BLOCK and (
            order.budget.period_start_for(plan.first_visit_on) != order.budget.period_start_for(plan.last_visit_on)
        ):
            raise OrderRefused("With the proposed date the block would run into the next budget period. "
                               "Ask the provider for a date in the same period.")
        budget_release(budget=order.budget, order=order, actor=user, on_behalf_of=order.holder,
                       reason=f"{order.reference} changed")
        if plan.total_pence:
            budget_reserve(budget=order.budget, lines=plan.lines, order=order,
                           actor=user, on_behalf_of=order.holder, reason=f"{order.reference} changed")
        order.unit_price_pence = plan.unit_price_pence
        order.first_visit_on = plan.first_visit_on
        order.last_visit_on = plan.last_visit_on
        order.visit_starts_at = plan.visit_starts_at
        order.visit_count = len(plan.visits)
        order.total_pence = plan.total_pence
        order.block_minutes = plan.block_minutes
        order.proposed_unit_price_pence = order.proposed_first_visit_on = order.proposed_visit_starts_at = None
        order.save()
        _move(order, OrderStatus.ACCEPTED, sides=sides, actor=user, capacity=str(capacity),
              reason="Accepted the provider's proposal")
        _create_visits(order)
        notifications.tell_provider(order, "your proposal was accepted",
                                    f"{order.holder.display_name} accepted your proposed change.")
    return order


def order_cancel(*, order: Order, by: User, reason: str) -> Order:
    """Cancel an order: by the holder's side, the provider, or a coordinator. Booked visits are cancelled and
    their money released; visits already delivered stay to be confirmed and paid. Less than
    NOTICE_HOURS before a booked visit only a coordinator may cancel (they can agree it with both sides)."""
    reason = (reason or "").strip()
    if not reason:
        raise OrderRefused("Say why the order is being cancelled.", field="reason")
    with transaction.atomic():
        order = order_lock(order.pk)
        capacity, sides = _sides_for(by, order)
        transition_check(current=order.status, target=OrderStatus.CANCELLED, sides=sides)
        booked = list(Visit.objects.select_for_update().filter(order=order, status=VisitStatus.SCHEDULED))
        soon = timezone.now() + datetime.timedelta(hours=NOTICE_HOURS)
        if Side.COORDINATOR not in sides and any(visit.starts_at <= soon for visit in booked):
            raise OrderRefused(
                f"The next visit is less than {NOTICE_HOURS} hours away, so it is too late to cancel here. "
                "Contact the other side, or ask the coordinator to cancel it.")
        if order.kind == OrderKind.BLOCK and order.status not in (OrderStatus.PLACED, OrderStatus.CHANGES_PROPOSED):
            _release_block_rest(order, by, reason=f"{order.reference} cancelled")
        elif order.status in (OrderStatus.PLACED, OrderStatus.CHANGES_PROPOSED):
            budget_release(budget=order.budget, order=order, actor=by, on_behalf_of=order.holder,
                           reason=f"{order.reference} cancelled")
        elif booked:
            Visit.objects.filter(pk__in=[visit.pk for visit in booked]).update(status=VisitStatus.CANCELLED)
            lines = [(timezone.localtime(v.starts_at).date(), v.cost_pence) for v in booked if v.cost_pence]
            if lines:
                budget_release(budget=order.budget, lines=lines, order=order, actor=by, on_behalf_of=order.holder,
                               reason=f"{order.reference} cancelled")
        _move(order, OrderStatus.CANCELLED, sides=sides, actor=by, capacity=capacity, reason=reason)
        audit_record(action="order.cancelled", actor=by, on_behalf_of=order.holder, target=order, summary=reason)
        message = f"{order.reference} ({order.service}) was cancelled by {by}: {reason}"
        notifications.tell_holder(order, "cancelled", message)
        notifications.tell_provider(order, "cancelled", message)
    return order


_OPEN = [VisitStatus.SCHEDULED, VisitStatus.DELIVERED, VisitStatus.DISPUTED]
_COUNTED = [VisitStatus.DELIVERED, VisitStatus.DISPUTED, VisitStatus.CONFIRMED]


def _block_usage(order: Order) -> tuple[int, int]:
    """(minutes, pence) of a block's visits that count: delivered, disputed or confirmed."""
    used = 0
    pence = 0
    for visit in order.visits.filter(status__in=_COUNTED):
        used += int((visit.ends_at - visit.starts_at).total_seconds() // 60)
        pence += visit.cost_pence
    return used, pence


def _release_block_rest(order: Order, actor, *, reason: str) -> None:
    """Release what a block still has reserved, less what its delivered or disputed visits may yet cost."""
    pending = defaultdict(int)
    for visit in order.visits.filter(status__in=[VisitStatus.DELIVERED, VisitStatus.DISPUTED]):
        pending[order.budget.period_start_for(timezone.localtime(visit.starts_at).date())] += visit.cost_pence
    committed = selectors.order_committed_by_period(budget=order.budget, order=order)
    lines = [(start, amount - pending[start]) for start, amount in committed.items() if amount - pending[start] > 0]
    if lines:
        budget_release(budget=order.budget, lines=lines, order=order, actor=actor, on_behalf_of=order.holder,
                       reason=reason)


def _complete_if_done(order: Order, actor: User | None) -> None:
    open_visits = order.visits.filter(status__in=_OPEN).exists()
    if order.kind == OrderKind.BLOCK and not open_visits:
        # still open while hours are left to use and their money is still reserved (not given back at expiry)
        hours_left = _block_usage(order)[0] < order.block_minutes
        open_visits = hours_left and any(selectors.order_committed_by_period(budget=order.budget, order=order).values())
    if order.status in (OrderStatus.ACTIVE, OrderStatus.ACCEPTED) and not open_visits:
        _move(order, OrderStatus.COMPLETED, sides={Side.SYSTEM}, actor=actor, capacity="system",
              reason="Every visit is settled")
        budget_release(budget=order.budget, order=order, actor=actor, on_behalf_of=order.holder,
                       reason=f"{order.reference} completed: unused money")


# ---------------------------------------------------------------------------------------------------------
# Visits
# ---------------------------------------------------------------------------------------------------------


def visit_lock(visit_id: int) -> tuple[Order, Visit]:
    """Budget, then order, then the visit (ADR 0002)."""
    order_id = Visit.objects.values_list("order_id", flat=True).get(pk=visit_id)
    order = order_lock(order_id)
    return order, Visit.objects.select_for_update().get(pk=visit_id)


def visit_record_delivery(
    *, visit: Visit, by: User, actual_starts_at: datetime.datetime, actual_ends_at: datetime.datetime, notes: str = ""
) -> Visit:
    """The provider records that a booked visit happened. The holder's side then has AUTO_CONFIRM_HOURS to
    confirm or dispute it before it is confirmed automatically."""
    now = timezone.now()
    if actual_ends_at <= actual_starts_at:
        raise VisitRefused("The visit must end after it starts.", field="actual_ends_at")
    if actual_ends_at > now + datetime.timedelta(minutes=5):
        raise VisitRefused("You can only record a visit once it has happened.", field="actual_ends_at")
    if actual_ends_at - actual_starts_at > datetime.timedelta(hours=16):
        raise VisitRefused("A visit cannot last more than 16 hours. Check the times.", field="actual_ends_at")
    with transaction.atomic():
        order, visit = visit_lock(visit.pk)
        _provider_only(by, order)
        if visit.status != VisitStatus.SCHEDULED:
            raise VisitRefused(f"This visit cannot be recorded: it is {visit.get_status_display().lower()}.")
        if actual_starts_at < visit.starts_at - datetime.timedelta(days=1):
            raise VisitRefused("That is more than a day before the visit was booked. Check the date.",
                               field="actual_starts_at")
        visit.status = VisitStatus.DELIVERED
        visit.actual_starts_at, visit.actual_ends_at = actual_starts_at, actual_ends_at
        visit.delivery_notes = notes.strip()[:2000]
        visit.delivered_by, visit.delivered_at = by, now
        visit.confirm_due_at = now + datetime.timedelta(hours=AUTO_CONFIRM_HOURS)
        visit.save()
        if order.status == OrderStatus.ACCEPTED:
            _move(order, OrderStatus.ACTIVE, sides={Side.SYSTEM}, actor=by, capacity="system",
                  reason="First visit delivered")
        notifications.tell_holder(
            order, "please confirm a visit",
            f"{order.provider} recorded the visit on {timezone.localtime(visit.starts_at):%A %-d %B at %H:%M}. "
            f"Please confirm it or tell us what went wrong. If we hear nothing in {AUTO_CONFIRM_HOURS} hours it "
            "will be confirmed automatically.",
        )
    return visit


def _settle(order: Order, visit: Visit, *, pay: bool, actor: User | None, reason: str) -> None:
    day = timezone.localtime(visit.starts_at).date()
    if visit.cost_pence and pay:
        budget_spend(budget=order.budget, amount_pence=visit.cost_pence, on=day, order=order, visit=visit,
                     actor=actor, on_behalf_of=order.holder, reason=reason)
    elif visit.cost_pence and order.kind != OrderKind.BLOCK:  # a block keeps its money for the hours left
        budget_release(budget=order.budget, lines=[(day, visit.cost_pence)], order=order, visit=visit,
                       actor=actor, on_behalf_of=order.holder, reason=reason)


def visit_confirm(*, visit: Visit, user: User) -> Visit:
    """The holder (or a supporter with the confirm-visits consent, or their coordinator) confirms a visit:
    its reserved money becomes spend."""
    with transaction.atomic():
        order, visit = visit_lock(visit.pk)
        _holder_side(user, order.holder, ConsentScope.CONFIRM_VISITS)
        if visit.status != VisitStatus.DELIVERED:
            raise VisitRefused(f"This visit cannot be confirmed: it is {visit.get_status_display().lower()}.")
        visit.status = VisitStatus.CONFIRMED
        visit.answered_by, visit.answered_at = user, timezone.now()
        visit.save(update_fields=["status", "answered_by", "answered_at"])
        _settle(order, visit, pay=True, actor=user, reason=f"{order.reference} visit {visit.pk} confirmed")
        _complete_if_done(order, user)
    return visit


def visit_dispute(*, visit: Visit, user: User, reason: str) -> Visit:
    """The holder's side says a visit did not happen as recorded. It goes to their coordinator."""
    reason = (reason or "").strip()
    if not reason:
        raise VisitRefused("Tell us what went wrong.", field="reason")
    with transaction.atomic():
        order, visit = visit_lock(visit.pk)
        capacity, sides = _holder_side(user, order.holder, ConsentScope.CONFIRM_VISITS)
        if visit.status != VisitStatus.DELIVERED:
            raise VisitRefused(f"This visit cannot be disputed: it is {visit.get_status_display().lower()}.")
        visit.status = VisitStatus.DISPUTED
        visit.dispute_reason = reason[:2000]
        visit.answered_by, visit.answered_at = user, timezone.now()
        visit.save(update_fields=["status", "dispute_reason", "answered_by", "answered_at"])
        if order.status == OrderStatus.ACTIVE:
            _move(order, OrderStatus.DISPUTED, sides=sides, actor=user, capacity=str(capacity), reason=reason)
        audit_record(action="visit.disputed", actor=user, on_behalf_of=order.holder, target=visit, summary=reason)
        notifications.tell_coordinators(order, "a visit is disputed",
                                        f"{order.holder} disputes a visit by {order.provider}: {reason}")
        notifications.tell_provider(order, "a visit is disputed",
                                    "A visit you recorded has been disputed. The coordinator will be in touch.")
    return visit


def visit_resolve_dispute(*, visit: Visit, by: User, pay: bool, note: str) -> Visit:
    """The holder's coordinator settles a disputed visit: paid (spend) or not paid (money released)."""
    note = (note or "").strip()
    if not note:
        raise VisitRefused("Record what was decided and why.", field="note")
    with transaction.atomic():
        order, visit = visit_lock(visit.pk)
        if capacity_for(by, order.holder, ConsentScope.ORDER) is not Capacity.COORDINATOR:
            raise VisitRefused("Only the person's coordinator can settle a disputed visit.")
        if visit.status != VisitStatus.DISPUTED:
            raise VisitRefused("This visit is not disputed.")
        visit.status = VisitStatus.CONFIRMED if pay else VisitStatus.NOT_PAID
        visit.resolution_note, visit.resolved_by = note[:2000], by
        visit.save(update_fields=["status", "resolution_note", "resolved_by"])
        _settle(order, visit, pay=pay, actor=by, reason=f"{order.reference} visit {visit.pk} dispute settled")
        still_disputed = order.visits.filter(status=VisitStatus.DISPUTED).exists()
        if order.status == OrderStatus.DISPUTED and not still_disputed:
            _move(order, OrderStatus.ACTIVE, sides={Side.COORDINATOR}, actor=by, capacity="coordinator", reason=note)
            _complete_if_done(order, by)
        audit_record(action="visit.dispute_settled", actor=by, on_behalf_of=order.holder, target=visit,
                     summary=note, data={"paid": pay})
    return visit


def visit_auto_confirm(*, visit_id: int, now: datetime.datetime | None = None) -> bool:
    """Confirm one delivered visit nobody answered in time. Skips it (returns False) if its budget is busy
    (someone is changing it now: the next run will pick it up) or if it is no longer due."""
    now = now or timezone.now()
    with transaction.atomic():
        order_id, budget_id = Order.objects.filter(visits=visit_id).values_list("pk", "budget_id").get()
        if Budget.objects.select_for_update(skip_locked=True).filter(pk=budget_id).first() is None:
            return False
        order = Order.objects.select_for_update(of=("self",)).select_related("holder", "budget", "provider",
                                                                            "service").get(pk=order_id)
        visit = Visit.objects.select_for_update().get(pk=visit_id)
        if visit.status != VisitStatus.DELIVERED or visit.confirm_due_at > now:
            return False
        visit.status = VisitStatus.CONFIRMED
        visit.confirmed_automatically = True
        visit.answered_at = now
        visit.save(update_fields=["status", "confirmed_automatically", "answered_at"])
        _settle(order, visit, pay=True, actor=None, reason=f"{order.reference} visit {visit.pk} confirmed "
                f"automatically after {AUTO_CONFIRM_HOURS} hours")
        _complete_if_done(order, None)
        audit_record(action="visit.auto_confirmed", target=visit, on_behalf_of=order.holder,
                     summary=f"Nobody answered within {AUTO_CONFIRM_HOURS} hours")
        notifications.tell_holder(
            order, "a visit was confirmed automatically",
            f"The visit by {order.provider} on {timezone.localtime(visit.starts_at):%A %-d %B at %H:%M} was "
            f"confirmed automatically because nobody answered within {AUTO_CONFIRM_HOURS} hours, and "
            f"{format_pence(visit.cost_pence)} was paid from the budget. If something was wrong, tell your "
            "coordinator.",
        )
    return True


def visits_auto_confirm_due(*, now: datetime.datetime | None = None, limit: int = 200) -> int:
    """Confirm every delivered visit whose answer is overdue. Returns how many were confirmed."""
    now = now or timezone.now()
    due = list(
        Visit.objects.filter(status=VisitStatus.DELIVERED, confirm_due_at__lte=now)
        .order_by("confirm_due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(visit_auto_confirm(visit_id=visit_id, now=now) for visit_id in due)


# ---------------------------------------------------------------------------------------------------------
# Messages, reviews, concerns
# ---------------------------------------------------------------------------------------------------------


def order_message_post(*, order: Order, author: User, body: str) -> OrderMessage:
    """A message from the holder's side (with the order consent) or the provider, emailed to the other side."""
    body = (body or "").strip()
    if not body:
        raise OrderRefused("Write a message first.", field="body")
    if len(body) > 2000:
        raise OrderRefused("Keep a message under 2,000 characters.", field="body")
    side, _sides = _sides_for(author, order)
    side = "provider" if side == "provider" else "holder"
    with transaction.atomic():
        message = OrderMessage.objects.create(order=order, author=author, author_side=side, body=body)
        text = f"{author} wrote about {order.reference} ({order.service}):\n\n{body}\n\nReply on the order's page."
        if side == "provider":
            notifications.tell_holder(order, "a new message", text)
        else:
            notifications.tell_provider(order, "a new message", text)
    return message


def review_write(*, order: Order, user: User, rating: int, body: str = "") -> Review:
    """After a completed order, the holder's side may rate (1-5) and review the provider, once."""
    _capacity, _sides = _holder_side(user, order.holder, ConsentScope.ORDER)
    if order.status != OrderStatus.COMPLETED:
        raise OrderRefused("You can review an order once it is completed.")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise OrderRefused("Choose a rating from 1 to 5 stars.", field="rating")
    with transaction.atomic():
        order_lock(order.pk)  # budget, then order (ADR 0002), so two reviews of one order cannot both pass
        if Review.objects.filter(order=order).exists():
            raise OrderRefused("This order has already been reviewed.")
        review = Review.objects.create(order=order, provider_id=order.provider_id, author=user,
                                       on_behalf_of=order.holder, rating=rating, body=(body or "").strip()[:2000])
        audit_record(action="review.written", actor=user, on_behalf_of=order.holder, target=review,
                     data={"rating": rating})
    return review


def review_reply(*, review: Review, by: User, body: str) -> Review:
    """The provider replies to a review, once."""
    body = (body or "").strip()
    if not body:
        raise OrderRefused("Write your reply first.", field="body")
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        if not _is_member(by, review.provider_id):
            raise OrderRefused("Only the provider's own team can reply.")
        if review.replied_at is not None:
            raise OrderRefused("You have already replied to this review. A reply can be given once.")
        review.reply, review.replied_by, review.replied_at = body[:2000], by, timezone.now()
        review.save(update_fields=["reply", "replied_by", "replied_at"])
        audit_record(action="review.replied", actor=by, target=review)
    return review


def review_hide(*, review: Review, by: User, reason: str) -> Review:
    """A commissioner hides a review from the storefront, with a reason. The review itself is kept."""
    reason = (reason or "").strip()
    if not by.has_role(Role.COMMISSIONER):
        raise OrderRefused("Only a commissioner can hide a review.")
    if not reason:
        raise OrderRefused("Give a reason for hiding the review.", field="reason")
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        if review.hidden_at is not None:
            raise OrderRefused("This review is already hidden.")
        review.hidden_at, review.hidden_by, review.hidden_reason = timezone.now(), by, reason[:300]
        review.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        audit_record(action="review.hidden", actor=by, target=review, summary=reason)
    return review


def concern_raise(*, user: User, provider, body: str, is_safeguarding: bool, visit: Visit | None = None) -> Concern:
    """Anyone signed in may raise a concern about a provider (or one of its visits they were part of).
    Safeguarding concerns go straight to the commissioners, marked urgent."""
    body = (body or "").strip()
    if not user.is_authenticated:
        raise OrderRefused("Sign in to raise a concern.")
    if not body:
        raise OrderRefused("Tell us what the concern is.", field="body")
    if visit is not None:
        order = visit.order
        if order.provider_id != provider.pk:
            raise OrderRefused("That visit was not with this provider.", field="visit")
        if not _is_member(user, provider.pk) and capacity_for(user, order.holder, ConsentScope.VIEW) is None:
            raise OrderRefused("You can only raise a concern about a visit you were part of.", field="visit")
    with transaction.atomic():
        concern = Concern.objects.create(raised_by=user, provider=provider, visit=visit, body=body[:4000],
                                         is_safeguarding=bool(is_safeguarding))
        audit_record(action="concern.raised", actor=user, target=concern,
                     summary=f"{'SAFEGUARDING: ' if is_safeguarding else ''}concern about {provider}",
                     data={"safeguarding": bool(is_safeguarding), "visit": visit.pk if visit else None})
        if is_safeguarding:
            notifications.tell_commissioners(
                f"URGENT safeguarding concern about {provider}",
                f"{user} raised a safeguarding concern about {provider}:\n\n{body}\n\n"
                "It is at the top of the concerns queue. The council must decide whether to make enquiries "
                "(Care Act 2014, section 42).",
            )
    return concern


def visit_record_block(
    *, order: Order, by: User, actual_starts_at: datetime.datetime, actual_ends_at: datetime.datetime, notes: str = ""
) -> Visit:
    """The provider records a visit that used time from a block of hours. It costs the block's hourly
    price for its minutes (see pricing.block_visit_cost), and is then confirmed or disputed like any visit."""
    now = timezone.now()
    if actual_ends_at <= actual_starts_at:
        raise VisitRefused("The visit must end after it starts.", field="actual_ends_at")
    if actual_ends_at > now + datetime.timedelta(minutes=5):
        raise VisitRefused("You can only record a visit once it has happened.", field="actual_ends_at")
    minutes = int((actual_ends_at - actual_starts_at).total_seconds() // 60)
    if minutes < 15 or minutes > 16 * 60:
        raise VisitRefused("A visit must last between 15 minutes and 16 hours.", field="actual_ends_at")
    with transaction.atomic():
        order = order_lock(order.pk)
        _provider_only(by, order)
        if order.kind != OrderKind.BLOCK:
            raise VisitRefused("Only a block of hours has visits recorded this way.")
        if order.status not in (OrderStatus.ACCEPTED, OrderStatus.ACTIVE):
            raise VisitRefused(f"Visits cannot be recorded: the order is {order.get_status_display().lower()}.")
        day = timezone.localtime(actual_starts_at).date()
        if not order.first_visit_on <= day <= order.last_visit_on:
            raise VisitRefused(f"The block is for {order.first_visit_on:%-d %B} to {order.last_visit_on:%-d %B %Y}.",
                               field="actual_starts_at")
        used, counted = _block_usage(order)
        left = order.block_minutes - used
        if minutes > left:
            raise VisitRefused(f"Only {left // 60} hours {left % 60} minutes are left in this block.",
                               field="actual_ends_at")
        cost = block_visit_cost(price_pence=order.unit_price_pence, used_minutes=used, counted_pence=counted,
                                minutes=minutes)
        visit = Visit.objects.create(
            order=order, starts_at=actual_starts_at, ends_at=actual_ends_at, cost_pence=cost,
            status=VisitStatus.DELIVERED, actual_starts_at=actual_starts_at, actual_ends_at=actual_ends_at,
            delivery_notes=notes.strip()[:2000], delivered_by=by, delivered_at=now,
            confirm_due_at=now + datetime.timedelta(hours=AUTO_CONFIRM_HOURS),
        )
        if order.status == OrderStatus.ACCEPTED:
            _move(order, OrderStatus.ACTIVE, sides={Side.SYSTEM}, actor=by, capacity="system",
                  reason="First visit delivered")
        notifications.tell_holder(
            order, "please confirm a visit",
            f"{order.provider} recorded {minutes} minutes from your block of hours on {day:%A %-d %B}. Please "
            f"confirm it or tell us what went wrong. If we hear nothing in {AUTO_CONFIRM_HOURS} hours it will be "
            "confirmed automatically.",
        )
    return visit


def block_minutes_used(order: Order) -> int:
    """For the order page: minutes of a block used so far (delivered, disputed or confirmed visits)."""
    return _block_usage(order)[0]


def blocks_close_expired(*, today: datetime.date | None = None, limit: int = 200) -> int:
    """Blocks of hours past their last date give their unused money back; once no visit is waiting for an
    answer they are completed. Skips budgets someone is changing now (the next run picks them up)."""
    today = today or timezone.localdate()
    due = list(
        Order.objects.filter(kind=OrderKind.BLOCK, status__in=[OrderStatus.ACCEPTED, OrderStatus.ACTIVE],
                             last_visit_on__lt=today)
        .order_by("last_visit_on", "pk")
        .values_list("pk", "budget_id")[:limit]
    )
    closed = 0
    for order_id, budget_id in due:
        with transaction.atomic():
            if Budget.objects.select_for_update(skip_locked=True).filter(pk=budget_id).first() is None:
                continue
            order = Order.objects.select_for_update(of=("self",)).select_related("holder", "budget").get(pk=order_id)
            if order.status not in (OrderStatus.ACCEPTED, OrderStatus.ACTIVE):
                continue
            _release_block_rest(order, None, reason=f"{order.reference}: block ended {order.last_visit_on}")
            if not order.visits.filter(status__in=_OPEN).exists():
                _move(order, OrderStatus.COMPLETED, sides={Side.SYSTEM}, actor=None, capacity="system",
                      reason="The block's end date has passed")
            closed += 1
    return closed


def visits_release_unrecorded(*, now: datetime.datetime | None = None, limit: int = 200) -> int:
    """Booked visits the provider never recorded, UNRECORDED_RELEASE_DAYS after they should have ended, are
    cancelled and their money given back, so a budget's "committed" does not stay inflated for ever."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=UNRECORDED_RELEASE_DAYS)
    due = list(
        Visit.objects.filter(status=VisitStatus.SCHEDULED, ends_at__lt=cutoff)
        .order_by("ends_at", "pk")
        .values_list("pk", "order__budget_id")[:limit]
    )
    released = 0
    for visit_id, budget_id in due:
        with transaction.atomic():
            if Budget.objects.select_for_update(skip_locked=True).filter(pk=budget_id).first() is None:
                continue
            order_id = Visit.objects.values_list("order_id", flat=True).get(pk=visit_id)
            order = (Order.objects.select_for_update(of=("self",)).select_related("holder", "budget", "provider",
                                                                                  "service").get(pk=order_id))
            visit = Visit.objects.select_for_update().get(pk=visit_id)
            if visit.status != VisitStatus.SCHEDULED:
                continue
            visit.status = VisitStatus.CANCELLED
            visit.save(update_fields=["status"])
            _settle(order, visit, pay=False, actor=None,
                    reason=f"{order.reference} visit {visit.pk} never recorded by the provider")
            _complete_if_done(order, None)
            notifications.tell_provider(
                order, "a visit was never recorded",
                f"The visit booked for {timezone.localtime(visit.starts_at):%A %-d %B at %H:%M} was not recorded "
                f"within {UNRECORDED_RELEASE_DAYS} days, so it has been cancelled and will not be paid. If it did "
                "happen, contact the person's coordinator.",
            )
            released += 1
    return released
