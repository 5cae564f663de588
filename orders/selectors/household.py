"""Reads for households and shared bookings (writes are orders.services.household)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q

from market.accounts.models import Person

from ..models import Budget, Household, HouseholdMember, Order, SharedBooking, Visit

_BOOKING_RELATED = ("household", "first_order__holder", "second_order__holder", "first_order__budget",
                    "second_order__budget", "first_order__service", "second_order__service",
                    "first_order__provider")


def household_of(person: Person) -> Household | None:
    member = HouseholdMember.objects.select_related("household").filter(person=person).first()
    return member.household if member is not None else None


def household_partners(person: Person) -> list[Person]:
    """The other people in `person`'s household (none if they are in no household)."""
    return list(
        Person.objects.filter(household_membership__household__members__person=person).exclude(pk=person.pk)
        .order_by("full_name", "pk")
    )


def in_one_household(first: Person, second: Person) -> bool:
    return first.pk != second.pk and HouseholdMember.objects.filter(
        person=second, household__members__person=first).exists()


def budget_for_share(person: Person, *, first_day: datetime.date, last_day: datetime.date) -> Budget | None:
    """The budget of `person` whose plan covers every day of a shared booking (the earliest, if several)."""
    return (Budget.objects.select_related("holder").filter(holder=person, starts_on__lte=first_day,
                                                           ends_on__gte=last_day)
            .order_by("starts_on", "pk").first())


def shared_booking_get(booking_id: int) -> SharedBooking | None:
    return SharedBooking.objects.select_related(*_BOOKING_RELATED).filter(pk=booking_id).first()


def shared_booking_for(order: Order) -> SharedBooking | None:
    return (SharedBooking.objects.select_related(*_BOOKING_RELATED)
            .filter(Q(first_order_id=order.pk) | Q(second_order_id=order.pk)).first())


def shared_booking_placed_with_key(*, idempotency_key, user) -> SharedBooking | None:
    return SharedBooking.objects.filter(idempotency_key=idempotency_key, placed_by=user).first()


@dataclass(frozen=True)
class VisitPair:
    """The two parts of one shared visit: the same times, one on each order."""

    first: Visit
    second: Visit | None

    @property
    def visits(self) -> list[Visit]:
        return [visit for visit in (self.first, self.second) if visit is not None]

    @property
    def cost_pence(self) -> int:
        return sum(visit.cost_pence for visit in self.visits)


def shared_visit_pairs(booking: SharedBooking) -> list[VisitPair]:
    """Each visit of the first order with its match (same start) on the second, in time order."""
    seconds = {visit.starts_at: visit for visit in Visit.objects.filter(order_id=booking.second_order_id)}
    return [VisitPair(first=visit, second=seconds.get(visit.starts_at))
            for visit in Visit.objects.filter(order_id=booking.first_order_id).order_by("starts_at", "pk")]


def matching_visit(visit: Visit, booking: SharedBooking) -> Visit | None:
    """The visit at the same time on the booking's other order."""
    other = booking.second_order_id if visit.order_id == booking.first_order_id else booking.first_order_id
    return Visit.objects.filter(order_id=other, starts_at=visit.starts_at).order_by("pk").first()


@dataclass(frozen=True)
class ShareLine:
    """One shared booking as a budget's statement shows it: this budget's order, who shares it, and the share."""

    order: Order
    booking_id: int
    partner_name: str
    percent: int


def shares_for_budget(budget: Budget) -> list[ShareLine]:
    """The shared bookings paid (in part) from `budget`, newest first."""
    bookings = (SharedBooking.objects.select_related(*_BOOKING_RELATED)
                .filter(Q(first_order__budget=budget) | Q(second_order__budget=budget)))
    return [_share_line(booking, first=booking.first_order.budget_id == budget.pk) for booking in bookings]


def shares_of_orders(order_ids) -> dict[int, ShareLine]:
    """{order id: its share line} for those of `order_ids` that are part of a shared booking. One query."""
    order_ids = set(order_ids)
    lines = {}
    for booking in SharedBooking.objects.select_related(*_BOOKING_RELATED).filter(
            Q(first_order__in=order_ids) | Q(second_order__in=order_ids)):
        lines[booking.first_order_id] = _share_line(booking, first=True)
        lines[booking.second_order_id] = _share_line(booking, first=False)
    return {order_id: line for order_id, line in lines.items() if order_id in order_ids}


def _share_line(booking: SharedBooking, *, first: bool) -> ShareLine:
    order, partner = ((booking.first_order, booking.second_order) if first
                      else (booking.second_order, booking.first_order))
    return ShareLine(order=order, booking_id=booking.pk, partner_name=partner.holder.display_name,
                     percent=booking.first_percent if first else booking.second_percent)


def dashboard_as_bookings(dashboard: dict) -> dict:
    """The provider's dashboard (selectors.provider_dashboard) with each shared booking shown once: its second
    order and that order's visits are left out, and the first order and its visits carry `shared_booking`."""
    order_ids = {order.pk for key in ("new_orders", "waiting", "current") for order in dashboard[key]}
    order_ids |= {visit.order_id for visit in dashboard["to_record"]}
    bookings = {}
    for booking in SharedBooking.objects.select_related(*_BOOKING_RELATED).filter(
            Q(first_order__in=order_ids) | Q(second_order__in=order_ids)):
        bookings[booking.first_order_id] = booking
        bookings[booking.second_order_id] = booking
    seconds = {booking.second_order_id for booking in bookings.values()}
    shown = dict(dashboard)
    for key in ("new_orders", "waiting", "current"):
        shown[key] = [order for order in dashboard[key] if order.pk not in seconds]
        for order in shown[key]:
            order.shared_booking = bookings.get(order.pk)
    shown["to_record"] = [visit for visit in dashboard["to_record"] if visit.order_id not in seconds]
    for visit in shown["to_record"]:
        visit.shared_booking = bookings.get(visit.order_id)
    return shown


def household_candidates(user, person: Person) -> list[Person]:
    """Who a coordinator may put in one household with `person`: others in their caseload in no household yet."""
    return list(
        Person.objects.filter(caseload_assignments__coordinator=user, household_membership__isnull=True)
        .exclude(pk=person.pk).distinct().order_by("full_name", "pk")
    )
