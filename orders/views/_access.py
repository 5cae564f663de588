"""What the order pages share: finding a record or answering 404, and what the user is to an order."""

from __future__ import annotations

from typing import TypeVar

from django.http import Http404

from market.accounts.models import ConsentScope
from market.accounts.permissions import Capacity, capacity_for, person_access

from .. import selectors
from ..models import Order, Visit
from ..transitions import Side

T = TypeVar("T")


def found(value: T | None, what: str = "page") -> T:
    """The record, or a 404 (a record someone may not see is answered the same way as one that does not exist)."""
    if value is None:
        raise Http404(f"No such {what}.")
    return value


def order_sides(request, order: Order) -> tuple[set, object]:
    """What the user is to this order. 404 for strangers (the order's existence is not revealed)."""
    if selectors.is_member(request.user, order.provider_id):
        return {Side.PROVIDER}, None
    acting = person_access(request.user, order.holder, ConsentScope.VIEW, request=request)
    if acting.capacity is Capacity.OVERSIGHT:
        return set(), acting
    sides = {Side.HOLDER} if capacity_for(request.user, order.holder, ConsentScope.ORDER) else set()
    if acting.capacity is Capacity.COORDINATOR:
        sides |= {Side.COORDINATOR, Side.HOLDER}
    return sides, acting


def order_for(request, order_id: int) -> Order:
    """The order, if the user is one of its sides (else 404)."""
    order = found(selectors.order_get(order_id), "order")
    order_sides(request, order)
    return order


def visit_for(request, visit_id: int) -> Visit:
    """The visit, if the user is one of its order's sides (else 404)."""
    visit = found(selectors.visit_get(visit_id), "visit")
    order_sides(request, visit.order)
    return visit
