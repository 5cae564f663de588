"""What the order and visit services share: who is acting and on which side, the locks after the budget's, and the
one way an order's or a visit's status changes (checked against orders.transitions, then written with its
transition row by the SQL functions in orders/sql/transitions.sql, as order placement writes its own)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from market.accounts.models import ConsentScope, Person, User
from market.accounts.permissions import Capacity, capacity_for

from .. import selectors
from ..exceptions import OrderRefused
from ..models import Order, SharedBooking, Visit
from ..sharing import Share, share_for
from ..transitions import Side, transition_check, visit_transition_check
from .budgets import budget_lock

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


def _sides_for(user: User, order: Order, scope: ConsentScope = ConsentScope.ORDER) -> tuple[str, frozenset[Side]]:
    """Provider members act as the provider; everyone else must be able to act for the holder."""
    if selectors.is_member(user, order.provider_id):
        return "provider", frozenset({Side.PROVIDER})
    capacity, sides = _holder_side(user, order.holder, scope)
    return str(capacity), sides


def _provider_only(user: User, order: Order) -> None:
    if not selectors.is_member(user, order.provider_id):
        raise OrderRefused("Only the provider's own team can do that.")


# Set only by orders.services.household while it moves both orders of a shared booking together (under both
# budgets' locks); every other caller of the services below is refused on a shared order.
_acting_together: ContextVar[bool] = ContextVar("orders_shared_booking_together", default=False)


@contextmanager
def _together() -> Iterator[None]:
    token = _acting_together.set(True)
    try:
        yield
    finally:
        _acting_together.reset(token)


def _shared_booking(order: Order) -> SharedBooking | None:
    return (SharedBooking.objects.filter(Q(first_order_id=order.pk) | Q(second_order_id=order.pk))
            .select_related("first_order__holder", "second_order__holder").first())


def _share_of(order: Order) -> Share | None:
    """This order's share of its shared booking, or None if it is not shared."""
    booking = _shared_booking(order)
    return share_for(booking, order) if booking is not None else None


def _refuse_alone_if_shared(order: Order) -> None:
    """A shared booking's orders are answered, cancelled and recorded together (orders.services.household)."""
    if _acting_together.get():
        return
    booking = _shared_booking(order)
    if booking is not None:
        first, second = booking.first_order.holder.display_name, booking.second_order.holder.display_name
        raise OrderRefused(f"This booking is shared by {first} and {second}: it is answered, cancelled and "
                           "recorded for both together, on the shared booking's page.")


def order_lock(order_id: int) -> Order:
    """Lock the order's budget, then the order (ADR 0002), and return the order as it is now."""
    budget_id = Order.objects.values_list("budget_id", flat=True).get(pk=order_id)
    budget_lock(budget_id)
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("holder", "service", "provider", "budget")
        .get(pk=order_id)
    )


def visit_lock(visit_id: int) -> tuple[Order, Visit]:
    """Budget, then order, then the visit (ADR 0002)."""
    order_id = Visit.objects.values_list("order_id", flat=True).get(pk=visit_id)
    order = order_lock(order_id)
    return order, Visit.objects.select_for_update().get(pk=visit_id)


_ORDER_TRANSITION_SQL = (
    "SELECT orders_order_transition_record(%s::bigint, %s::text, %s::text, %s::bigint, %s::bigint, %s::text, "
    "%s::text, %s::timestamptz)"
)
_VISIT_TRANSITIONS_SQL = (
    "SELECT orders_visit_transitions_record(%s::bigint[], %s::text[], %s::text, %s::bigint, %s::bigint, %s::text, "
    "%s::text, %s::timestamptz)"
)


def _move(order: Order, target: str, *, sides, actor: User | None, capacity: str, reason: str = "") -> None:
    """Move the (locked) order to `target` if the table allows it for `sides`, and record the transition."""
    transition_check(current=order.status, target=target, sides=sides)
    source = order.status
    order.status = target
    order.save(update_fields=["status", "updated_at"])
    with connection.cursor() as cursor:
        cursor.execute(_ORDER_TRANSITION_SQL, [order.pk, source, target, actor.pk if actor else None,
                                               order.holder_id, capacity, reason, timezone.now()])


def _record_visit_moves(order: Order, visits: list[Visit], sources: list[str], target: str, *, actor: User | None,
                        capacity: str, reason: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_VISIT_TRANSITIONS_SQL, [[visit.pk for visit in visits], sources, target,
                                                actor.pk if actor else None, order.holder_id, capacity, reason,
                                                timezone.now()])


def _visits_move(order: Order, visits: list[Visit], target: str, *, sides, actor: User | None, capacity: str,
                 reason: str = "", doing: str | None = None, **changes) -> None:
    """Move the (locked) visits of an order to `target`, each if the visit table allows it for `sides` (refused,
    changing nothing, if one may not), with any other `changes` to their fields, in one statement; and record one
    transition each."""
    for visit in visits:
        visit_transition_check(current=visit.status, target=target, sides=sides, doing=doing)
    if not visits:
        return
    sources = [visit.status for visit in visits]
    Visit.objects.filter(pk__in=[visit.pk for visit in visits]).update(status=target, **changes)
    for visit in visits:
        visit.status = target
        for name, value in changes.items():
            setattr(visit, name, value)
    _record_visit_moves(order, visits, sources, target, actor=actor, capacity=capacity, reason=reason)


def _visits_add(order: Order, visits: list[Visit], *, sides, actor: User | None, capacity: str,
                reason: str = "") -> list[Visit]:
    """Book new visits of an order (booking is a move from "" too, checked and recorded like the others)."""
    for visit in visits:
        visit_transition_check(current="", target=visit.status, sides=sides)
    if not visits:
        return []
    created = Visit.objects.bulk_create(visits)
    for status in sorted({visit.status for visit in created}):
        moved = [visit for visit in created if visit.status == status]
        _record_visit_moves(order, moved, [""] * len(moved), status, actor=actor, capacity=capacity, reason=reason)
    return created
