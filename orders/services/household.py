"""Households and shared bookings (docs/adr/0010-households.md).

A coordinator records who lives together (`household_record`). Two people of one household may share one booking
(two adult sons sharing a support worker's hours): it is placed as two orders, one against each person's budget, each
carrying its share of the cost, in one transaction that composes `order_place` (so every placement rule, the period
rule and the overspend guard hold for each share: both parts are placed or neither). The provider answers it once,
and cancelling it, recording a visit or confirming one acts on both orders together, by composing the single-order
services under both budgets' locks (budgets first, lowest id first, then the orders, then the visits: ADR 0002).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from market.accounts.models import ConsentScope, Person, User
from market.accounts.permissions import Capacity, capacity_for
from market.core.audit import audit_record
from market.core.numbers import whole_within

from .. import selectors
from ..exceptions import BudgetExceeded, OrderRefused, VisitRefused
from ..models import Budget, Household, HouseholdMember, Order, OrderKind, SharedBooking, Visit
from ..money import format_pence
from ..pricing import Plan, plan_order
from ..sharing import MAX_PERCENT, MIN_PERCENT, Share
from ._common import _holder_side, _together
from .budgets import _by_period, budget_lock
from .lifecycle import order_accept, order_cancel, order_decline
from .placement import _placement_refusal, order_place
from .visits import visit_confirm, visit_record_delivery


def household_record(*, by: User, name: str, people: Iterable[Person]) -> Household:
    """Record that `people` live together and may share support. Only a coordinator working with every one of them
    may; a person already in a household must leave it first."""
    people = list({person.pk: person for person in people}.values())
    name = (name or "").strip()
    if not name:
        raise OrderRefused("Give the household a name the family knows it by.", field="name")
    if len(people) < 2:
        raise OrderRefused("A household to share support needs at least two people.", field="people")
    for person in people:
        if capacity_for(by, person, ConsentScope.ORDER) is not Capacity.COORDINATOR:
            raise OrderRefused(f"Only a coordinator working with {person.display_name} can add them to a household.",
                               field="people")
    with transaction.atomic():
        taken = HouseholdMember.objects.select_related("person", "household").filter(person__in=people).first()
        if taken is not None:
            raise OrderRefused(f"{taken.person.display_name} is already in {taken.household}.", field="people")
        household = Household.objects.create(name=name[:150], created_by=by)
        HouseholdMember.objects.bulk_create(HouseholdMember(household=household, person=person, added_by=by)
                                            for person in people)
        audit_record(action="household.recorded", actor=by, target=household,
                     summary=f"{by} recorded {household}: {', '.join(p.display_name for p in people)}")
    return household


@dataclass(frozen=True)
class SharePart:
    """One person's part of a shared booking."""

    person: Person
    budget: Budget
    share: Share
    plan: Plan
    left_before: int

    @property
    def total_pence(self) -> int:
        return self.plan.total_pence

    @property
    def left_after(self) -> int:
        return self.left_before - self.total_pence

    @property
    def field(self) -> str:
        return "first_percent" if self.share.first else "second_percent"


@dataclass(frozen=True)
class SharedQuote:
    whole: Plan
    parts: tuple[SharePart, SharePart]

    @property
    def whole_pence(self) -> int:
        return self.whole.total_pence


def _first_percent(first_percent, second_percent) -> int:
    if not whole_within(first_percent, MIN_PERCENT, MAX_PERCENT):
        raise OrderRefused(f"Enter a share between {MIN_PERCENT}% and {MAX_PERCENT}%.", field="first_percent")
    if second_percent is not None and first_percent + second_percent != 100:
        raise OrderRefused(f"The shares must add up to 100%: {first_percent}% and {second_percent}% make "
                           f"{first_percent + second_percent}%.", field="second_percent")
    return first_percent


def _parts(*, user: User, budget: Budget, partner: Person, first_percent, second_percent, service,
           booking: dict) -> SharedQuote:
    """Check who shares and how, and work out each part: every rule except the money, which needs the locks."""
    first_percent = _first_percent(first_percent, second_percent)
    holder = budget.holder
    if partner is None or not selectors.in_one_household(holder, partner):
        raise OrderRefused(f"Choose someone who lives in the same household as {holder.display_name}.",
                           field="partner")
    _holder_side(user, holder, ConsentScope.ORDER)
    try:
        _holder_side(user, partner, ConsentScope.ORDER)
    except OrderRefused as refusal:
        raise OrderRefused(refusal.message, field="partner") from None
    whole = plan_order(service=service, **booking)
    if whole.kind == OrderKind.BLOCK:
        raise OrderRefused("A block of hours cannot be shared. Book visits at set times to share them.", field="kind")
    partner_budget = selectors.budget_for_share(partner, first_day=whole.first_visit_on, last_day=whole.last_visit_on)
    if partner_budget is None:
        raise OrderRefused(f"{partner.display_name} has no budget whose plan covers these dates.", field="partner")
    parts = []
    for person, its_budget, first in ((holder, budget, True), (partner, partner_budget, False)):
        share = Share(first_percent=first_percent, first=first)
        plan = share.of_plan(whole)
        try:
            _placement_refusal(budget=its_budget, service=service, plan=plan, pays_household_relative=False)
        except OrderRefused as refusal:
            if person is holder:
                raise
            raise OrderRefused(f"For {person.display_name}: {refusal.message}", field="partner") from None
        parts.append(SharePart(person=person, budget=its_budget, share=share, plan=plan,
                               left_before=selectors.budget_balance(its_budget).left))
    return SharedQuote(whole=whole, parts=(parts[0], parts[1]))


def _check_parts_affordable(parts: Iterable[SharePart]) -> None:
    """Refuse, naming whose budget and by how much, unless each budget can afford its part in every period (the
    period rule, orders_budget_shortfall). Authoritative only under both budgets' locks."""
    for part in parts:
        if not part.total_pence:
            continue
        debits = {start: total for start, (_day, total) in _by_period(part.budget, part.plan.lines).items()}
        shortfall = selectors.budget_shortfall(budget_id=part.budget.pk, debits=debits)
        if shortfall is not None:
            raise BudgetExceeded(
                f"{part.person.display_name}'s budget cannot afford their {part.share.percent}% share: it costs "
                f"{format_pence(sum(debits.values()))}, which is {format_pence(shortfall.short_pence)} more than is "
                f"left for the period starting {shortfall.period_starts_on:%-d %B %Y} "
                f"({format_pence(max(shortfall.available_pence, 0))} left then). Nothing has been booked.",
                field=part.field,
            )


def shared_booking_quote(*, user: User, budget: Budget, partner: Person, first_percent, service,
                         second_percent=None, **booking) -> SharedQuote:
    """What a shared booking would cost each person and leave in each budget, checked against every rule, writing
    nothing. `booking` is what order_quote takes (kind, first_visit_on, visit_starts_at, duration_minutes...)."""
    quote = _parts(user=user, budget=budget, partner=partner, first_percent=first_percent,
                   second_percent=second_percent, service=service, booking=booking)
    _check_parts_affordable(quote.parts)  # advice here (no lock); placing checks again under both locks
    return quote


def _order_key(key: uuid.UUID, first: bool) -> uuid.UUID:
    return uuid.uuid5(key, "first" if first else "second")


def shared_booking_place(*, user: User, budget: Budget, partner: Person, first_percent, service,
                         idempotency_key: uuid.UUID, second_percent=None, notes: str = "",
                         now: datetime.datetime | None = None, **booking) -> SharedBooking:
    """Place a shared booking: one order per person, each reserving its share, both or neither. Placing the same
    idempotency key again returns the first booking. `now` is for demo data and tests only."""
    existing = selectors.shared_booking_placed_with_key(idempotency_key=idempotency_key, user=user)
    if existing is not None:
        return existing
    quote = _parts(user=user, budget=budget, partner=partner, first_percent=first_percent,
                   second_percent=second_percent, service=service, booking={**booking, "now": now})
    first_part, second_part = quote.parts
    with transaction.atomic():
        for budget_id in sorted(part.budget.pk for part in quote.parts):  # lowest id first (ADR 0002)
            budget_lock(budget_id)
        existing = selectors.shared_booking_placed_with_key(idempotency_key=idempotency_key, user=user)
        if existing is not None:
            return existing
        _check_parts_affordable(quote.parts)
        orders = []
        for part in quote.parts:
            try:
                orders.append(order_place(user=user, budget=part.budget, service=service, notes=notes, now=now,
                                          idempotency_key=_order_key(idempotency_key, part.share.first),
                                          share=part.share, **booking))
            except BudgetExceeded as refusal:  # cannot happen under the locks; worded with the name if it does
                raise BudgetExceeded(f"{part.person.display_name}'s budget: {refusal.message}",
                                     field=part.field) from None
        household = selectors.household_of(first_part.person)
        shared = SharedBooking.objects.create(household=household, first_order=orders[0], second_order=orders[1],
                                              first_percent=first_part.share.first_percent,
                                              idempotency_key=idempotency_key, placed_by=user)
        audit_record(
            action="order.shared_booking_placed", actor=user, on_behalf_of=first_part.person, target=shared,
            summary=f"{user} booked {service} shared by {first_part.person.display_name} "
                    f"({first_part.share.percent}%, {format_pence(first_part.total_pence)}) and "
                    f"{second_part.person.display_name} ({second_part.share.percent}%, "
                    f"{format_pence(second_part.total_pence)}): {format_pence(quote.whole_pence)}",
            data={"orders": [order.pk for order in orders], "first_percent": first_part.share.first_percent,
                  "whole_pence": quote.whole_pence},
        )
    return shared


def _lock_booking(booking: SharedBooking) -> list[Order]:
    """Both budgets (lowest id first), then both orders (lowest id first): ADR 0002's order."""
    rows = dict(Order.objects.filter(pk__in=[booking.first_order_id, booking.second_order_id])
                .values_list("pk", "budget_id"))
    for budget_id in sorted(set(rows.values())):
        budget_lock(budget_id)
    locked = {order.pk: order for order in Order.objects.select_for_update().filter(pk__in=rows).order_by("pk")}
    return [locked[booking.first_order_id], locked[booking.second_order_id]]


def shared_booking_accept(*, booking: SharedBooking, by: User) -> list[Order]:
    """The provider accepts the shared booking once: both orders are accepted and their visits booked, each visit
    costing its share."""
    with transaction.atomic(), _together():
        return [order_accept(order=order, by=by) for order in _lock_booking(booking)]


def shared_booking_decline(*, booking: SharedBooking, by: User, reason: str) -> list[Order]:
    """The provider declines the shared booking: both orders, and both reservations released."""
    with transaction.atomic(), _together():
        return [order_decline(order=order, by=by, reason=reason) for order in _lock_booking(booking)]


def shared_booking_cancel(*, booking: SharedBooking, by: User, reason: str) -> list[Order]:
    """Cancel the shared booking (the provider, or someone who may order for both people): both orders."""
    with transaction.atomic(), _together():
        return [order_cancel(order=order, by=by, reason=reason) for order in _lock_booking(booking)]


def _visit_pair(booking: SharedBooking, visit: Visit) -> list[Visit]:
    """Lock the booking's budgets and orders, then the visit and its match on the other order (lowest id first)."""
    _lock_booking(booking)
    match = selectors.matching_visit(visit, booking)
    if match is None:
        raise VisitRefused("The other person's part of this visit cannot be found. Contact the coordinator.")
    ids = sorted([visit.pk, match.pk])
    list(Visit.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    return [visit, match] if visit.order_id == booking.first_order_id else [match, visit]


def shared_visit_record(*, booking: SharedBooking, visit: Visit, by: User, actual_starts_at: datetime.datetime,
                        actual_ends_at: datetime.datetime, notes: str = "") -> list[Visit]:
    """The provider records a shared visit once: it is recorded on both orders."""
    with transaction.atomic(), _together():
        return [visit_record_delivery(visit=part, by=by, actual_starts_at=actual_starts_at,
                                      actual_ends_at=actual_ends_at, notes=notes)
                for part in _visit_pair(booking, visit)]


def shared_visit_confirm(*, booking: SharedBooking, visit: Visit, user: User) -> list[Visit]:
    """Someone who may confirm visits for both people confirms a shared visit: each budget pays its share."""
    with transaction.atomic(), _together():
        return [visit_confirm(visit=part, user=user) for part in _visit_pair(booking, visit)]
