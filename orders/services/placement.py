"""Quoting and placing an order: every placement rule, each refused with a plain message, then the placement in one
statement (orders_order_place, orders/sql/placement.sql; docs/adr/0002-budget-locking.md)."""

from __future__ import annotations

import datetime
import uuid
from contextlib import nullcontext
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from market.accounts.models import ConsentScope, FundingRoute, User

from .. import selectors
from ..blocks import BlockShare, check_block_shares, plan_shares, reservation_lines, shares_text
from ..exceptions import BudgetExceeded, OrderRefused
from ..models import Budget, DirectPaymentAgreement, Order, OrderKind, OrderStatus
from ..money import format_pence
from ..pricing import Plan, PlannedVisit, plan_order
from ..sharing import Share
from ._common import _holder_side
from .budgets import _by_period, _shortfall_message


@dataclass(frozen=True)
class Quote:
    plan: Plan
    left_before: int
    left_after: int
    shares: list[BlockShare]  # a block's share of each budget period (orders/blocks.py); empty for other orders

    @property
    def shares_text(self) -> str:
        return shares_text(self.shares)


def _outside_availability(service, plan: Plan) -> PlannedVisit | None:
    slots = list(service.availability.all())
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
    """Every rule an order must pass to be placed, in order, each refused with a plain message: first the
    service's facts (listed, covering the holder, in the plan), then the rest (`_rules_after_facts`)."""
    holder = budget.holder
    facts = selectors.service_facts(service_id=service.pk, budget_id=budget.pk,
                                    neighbourhood_id=holder.neighbourhood_id)
    if facts is None or not facts.listed:
        raise OrderRefused("This service cannot be booked at the moment: it is not listed.", field="service")
    if not facts.covers:
        where = holder.neighbourhood.name if holder.neighbourhood_id else "where they live"
        raise OrderRefused(f"{service.provider} does not cover {where}.", field="service")
    if not facts.category_allowed:
        raise OrderRefused(
            f"{holder.display_name}'s support plan does not include {service.category.name.lower()}. "
            "Talk to your coordinator if it should.", field="budget",
        )
    _rules_after_facts(budget=budget, service=service, plan=plan, pays_household_relative=pays_household_relative,
                       has_slots=facts.has_slots)


def _rules_after_facts(*, budget: Budget, service, plan: Plan, pays_household_relative: bool,
                       has_slots: bool) -> None:
    """The placement rules after the service's facts, in order. `has_slots=False` leaves out the availability
    check (for a service that publishes none, or when it is checked afterwards)."""
    if budget.funding_route == FundingRoute.COUNCIL_MANAGED and not service.council_budget_ok:
        raise OrderRefused("This service cannot be paid from a council-managed account.", field="budget")
    if not (budget.covers(plan.first_visit_on) and budget.covers(plan.last_visit_on)):
        raise OrderRefused(
            f"The visits must fall within the budget's plan ({budget.starts_on:%-d %B %Y} to "
            f"{budget.ends_on:%-d %B %Y}).", field="first_visit_on",
        )
    if plan.kind == OrderKind.BLOCK:
        check_block_shares(plan, budget)
    if has_slots:
        _check_availability(service, plan)
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


def _check_availability(service, plan: Plan) -> None:
    clash = _outside_availability(service, plan)
    if clash is not None:
        local = timezone.localtime(clash.starts_at)
        raise OrderRefused(
            f"{service.provider} is not available on {local:%A %-d %B} at {local:%H:%M} for "
            f"{plan.duration_minutes} minutes. Check the times on their page.", field="visit_starts_at",
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
        grouped = _by_period(budget, reservation_lines(plan, budget))
        shortfall = selectors.budget_shortfall(budget_id=budget.pk,
                                               debits={start: total for start, (_day, total) in grouped.items()})
        if shortfall is not None:
            raise BudgetExceeded(_short_message(shortfall, grouped, plan), field="budget")
    balance = selectors.budget_balance(budget)
    return Quote(plan=plan, left_before=balance.left, left_after=balance.left - plan.total_pence,
                 shares=plan_shares(plan, budget))


def _short_message(shortfall: selectors.Shortfall, grouped: dict, plan: Plan) -> str:
    """The period rule's refusal in words; for a block across budget periods, naming the period whose share the
    budget cannot afford and what that share costs."""
    costs = sum(total for _day, total in grouped.values())
    if plan.kind != OrderKind.BLOCK or len(grouped) < 2 or shortfall.period_starts_on not in grouped:
        return _shortfall_message(shortfall, costs=costs)
    share = grouped[shortfall.period_starts_on][1]
    return (
        f"The budget cannot afford this block: its hours for the budget period starting "
        f"{shortfall.period_starts_on:%-d %B %Y} cost {format_pence(share)}, and with its hours for the earlier "
        f"periods that period would be {format_pence(shortfall.short_pence)} short (counting what is saved from "
        "earlier periods). Choose fewer hours or different dates."
    )


_ORDER_PLACE_SQL = (
    "SELECT * FROM orders_order_place(%s::bigint, %s::uuid, %s::bigint, %s::bigint, %s::bigint, %s::text, %s::date, "
    "%s::date, %s::smallint[], %s::time, %s::integer, %s::smallint, %s::text, %s::bigint, %s::integer, %s::integer, "
    "%s::bigint, %s::text, %s::boolean, %s::bigint, %s::text, %s::timestamptz, %s::date[], %s::date[], %s::bigint[], "
    "%s::text, %s::jsonb, %s::bigint, %s::date, %s::boolean)"
)


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
    share: Share | None = None,
) -> Order:
    """Place an order for `budget.holder` and reserve its cost. Placing the same idempotency key again
    returns the first order and reserves nothing more. `now` is for demo data and tests only (views never
    pass it): the moment the order counts as placed, for the "first visit in the future" rule. `share` is for
    orders.services.household only: this order's part of a shared booking (each visit costs its share)."""
    capacity, _sides = _holder_side(user, budget.holder, ConsentScope.ORDER)
    plan = plan_order(service=service, kind=kind, first_visit_on=first_visit_on, visit_starts_at=visit_starts_at,
                      duration_minutes=duration_minutes, last_visit_on=last_visit_on, weekdays=weekdays,
                      items_per_visit=items_per_visit, now=now, block_hours=block_hours)
    if share is not None:
        plan = share.of_plan(plan)
    # The rules that need no lock. The service's facts come first, but the placement statement asks them itself
    # (one round trip instead of two); so the rules after them run first here, and if one fails, all of them run
    # again in their order, so that the refusal is the same one a quote gives.
    arguments = {"budget": budget, "service": service, "plan": plan, "pays_household_relative": pays_household_relative}
    try:
        _rules_after_facts(**arguments, has_slots=False)
    except OrderRefused:
        _placement_refusal(**arguments)
        raise
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
    # One reservation row per budget period the visits (or a block's shares) fall in (refuses days outside the plan).
    grouped = _by_period(budget, reservation_lines(plan, budget)) if plan.total_pence else {}
    params = [
        budget.pk, idempotency_key, holder.pk, service.pk, service.provider_id, plan.kind, plan.first_visit_on,
        plan.last_visit_on, plan.weekdays, plan.visit_starts_at, plan.duration_minutes, plan.items_per_visit,
        plan.unit, plan.unit_price_pence, len(plan.visits), plan.block_minutes, plan.total_pence, order.notes,
        pays_household_relative, user.pk, order.placed_as, placed_at,
        list(grouped), [day for day, _total in grouped.values()], [total for _day, total in grouped.values()],
        f"{user} ordered {service} for {holder}: {format_pence(plan.total_pence)}",
        Jsonb({"total_pence": plan.total_pence, "visits": len(plan.visits), "capacity": str(capacity)}),
        holder.neighbourhood_id, timezone.localdate(), False,
    ]
    # The placement statement (orders/sql/placement.sql): the service's facts, then under the budget's lock the
    # idempotency key, the period rule, and the order, its reservation rows, its "placed" transition and its audit
    # event. One statement is one transaction: in autocommit it commits on its own (the deferred overspend guard
    # runs at that commit); inside a caller's transaction it runs in a savepoint.
    outcome, row = _place(params)
    if outcome == "check_availability":  # the service publishes its availability: check the visits against it
        _check_availability(service, plan)
        params[-1] = True
        outcome, row = _place(params)
    if outcome == "refused":  # one of the service's facts failed: ask them again, to say which
        _placement_refusal(**arguments)
        raise OrderRefused("This service cannot be booked at the moment. Try again.", field="service")
    order_id, funding_route, short_starts, short_pence, available_pence = row
    # The provider is emailed by orders.tasks.tell_providers_new_orders (beat, every 10 seconds), which sends
    # every order whose provider_told_at is still empty: the order row is the outbox.
    if outcome == "existing":
        return _same_order(Order.objects.get(pk=order_id), user)
    if outcome == "short":
        shortfall = selectors.Shortfall(period_starts_on=short_starts, short_pence=short_pence,
                                        available_pence=available_pence)
        raise BudgetExceeded(_short_message(shortfall, grouped, plan), field="budget")
    order.pk = order_id
    order.funding_route = funding_route  # as the locked row has it (it never changes)
    order._state.adding = False
    order._state.db = connection.alias
    return order


def _place(params: list) -> tuple[str, tuple]:
    """Run the placement statement: (outcome, the rest of its row)."""
    with _one_statement_transaction(), connection.cursor() as cursor:
        cursor.execute(_ORDER_PLACE_SQL, params)
        order_id, outcome, *rest = cursor.fetchone()
    return outcome, (order_id, *rest)


def _one_statement_transaction():
    """No BEGIN/COMMIT round trips for a single statement in autocommit (PostgreSQL runs it as its own
    transaction); a savepoint when the caller already has a transaction open."""
    return nullcontext() if connection.get_autocommit() else transaction.atomic()


def _same_order(order: Order, user: User) -> Order:
    if order.placed_by_id != user.pk:
        raise OrderRefused("This form has already been used. Start a new order.")
    return order
