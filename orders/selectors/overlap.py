"""Orders a new one would repeat: the same person, the same service, open, on a day both would use.

Issue 18: the same order could be placed twice with no warning. Placing a second order stays allowed (two visits
on one day can be meant), but the check page asks first, naming the open order.
"""

from __future__ import annotations

import datetime

from ..models import Order, OrderKind, OrderStatus

#: An order still to be delivered or settled: one the person may not remember they already placed.
OPEN_ORDERS = (OrderStatus.PLACED, OrderStatus.ACCEPTED, OrderStatus.CHANGES_PROPOSED, OrderStatus.ACTIVE,
               OrderStatus.DISPUTED)
_EVERY_DAY = frozenset(range(7))


def _days_of_week(kind: str, first_visit_on: datetime.date, weekdays) -> frozenset[int]:
    if kind == OrderKind.WEEKLY:
        return frozenset(weekdays)
    if kind == OrderKind.ONE_OFF:
        return frozenset({first_visit_on.weekday()})
    return _EVERY_DAY  # a block of hours can be used on any day between its dates


def _share_a_day(start: datetime.date, end: datetime.date, days: frozenset[int]) -> bool:
    """Is any date from start to end (inclusive) on one of `days`? At most a week is looked at."""
    return any((start + datetime.timedelta(days=offset)).weekday() in days
               for offset in range(min((end - start).days + 1, 7)))


def orders_overlapping(*, holder, service, kind: str, first_visit_on: datetime.date,
                       last_visit_on: datetime.date | None, weekdays=()) -> list[Order]:
    """The person's open orders for this service that share a day with the one described, oldest first."""
    last = last_visit_on or first_visit_on
    days = _days_of_week(kind, first_visit_on, weekdays)
    candidates = (
        Order.objects.filter(holder=holder, service=service, status__in=OPEN_ORDERS,
                             first_visit_on__lte=last, last_visit_on__gte=first_visit_on)
        .select_related("service", "provider")
        .order_by("created_at", "pk")
    )
    overlapping = []
    for order in candidates:
        shared = days & _days_of_week(order.kind, order.first_visit_on, order.weekdays)
        if shared and _share_a_day(max(first_visit_on, order.first_visit_on), min(last, order.last_visit_on), shared):
            overlapping.append(order)
    return overlapping
