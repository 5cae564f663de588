"""What an order costs, computed from the service (never from the form). Integer pence throughout.

Per hour: charged by the minute of the booked duration, rounded half up to the penny once per visit.
Per session, per visit, per day: the unit price per visit. Per item: price x items. Free: nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from market.core.numbers import whole_within
from providers.models import PriceUnit

from .exceptions import OrderRefused
from .models import OrderKind

MIN_MINUTES = 15
MAX_MINUTES = 12 * 60
MAX_ITEMS = 100
MAX_VISITS = 366
MAX_ARRANGEMENT_DAYS = 366
MAX_TOTAL_PENCE = 5_000_000  # £50,000: above this, talk to the coordinator


@dataclass(frozen=True)
class PlannedVisit:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    cost_pence: int

    @property
    def day(self) -> datetime.date:
        return timezone.localtime(self.starts_at).date()


@dataclass(frozen=True)
class Plan:
    kind: str
    first_visit_on: datetime.date
    last_visit_on: datetime.date
    weekdays: list[int]
    visit_starts_at: datetime.time
    duration_minutes: int
    items_per_visit: int
    unit: str
    unit_price_pence: int
    visits: list[PlannedVisit] = field(default_factory=list)
    block_minutes: int | None = None

    @property
    def visit_cost_pence(self) -> int:
        return self.visits[0].cost_pence if self.visits else 0

    @property
    def total_pence(self) -> int:
        if self.block_minutes is not None:
            return visit_cost(unit=self.unit, price_pence=self.unit_price_pence, minutes=self.block_minutes, items=1)
        return sum(visit.cost_pence for visit in self.visits)

    @property
    def lines(self) -> list[tuple[datetime.date, int]]:
        """(day, pence) to reserve: each visit on its day. A block of hours has no visits: its money is shared
        between budget periods by orders.blocks.reservation_lines, which every reservation goes through."""
        return [(visit.day, visit.cost_pence) for visit in self.visits if visit.cost_pence]


def visit_cost(*, unit: str, price_pence: int, minutes: int, items: int) -> int:
    if unit == PriceUnit.PER_HOUR:
        return (price_pence * minutes + 30) // 60
    if unit == PriceUnit.PER_ITEM:
        return price_pence * items
    if unit == PriceUnit.FREE:
        return 0
    return price_pence


def _days(kind: str, first: datetime.date, last: datetime.date, weekdays: list[int]) -> list[datetime.date]:
    if kind == OrderKind.ONE_OFF:
        return [first]
    days = []
    day = first
    while day <= last:
        if day.weekday() in weekdays:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def plan_order(
    *,
    service,
    kind: str,
    first_visit_on: datetime.date,
    visit_starts_at: datetime.time,
    duration_minutes: int,
    last_visit_on: datetime.date | None = None,
    weekdays: list[int] | None = None,
    items_per_visit: int = 1,
    unit_price_pence: int | None = None,
    now: datetime.datetime | None = None,
    check_future: bool = True,
    block_hours: int | None = None,
) -> Plan:
    """Check the shape of an order and work out its visits and cost. Raises OrderRefused, naming the field."""
    now = now or timezone.now()
    price = service.price_pence if unit_price_pence is None else unit_price_pence
    if kind not in OrderKind.values:
        raise OrderRefused("Choose one visit, a weekly arrangement or a block of hours.", field="kind")
    if not whole_within(duration_minutes, MIN_MINUTES, MAX_MINUTES):
        raise OrderRefused("A visit must last between 15 minutes and 12 hours.", field="duration_minutes")
    if duration_minutes % 15:
        raise OrderRefused("Choose a length in steps of 15 minutes.", field="duration_minutes")
    if not whole_within(items_per_visit, 1, MAX_ITEMS):
        raise OrderRefused(f"Choose between 1 and {MAX_ITEMS} items.", field="items_per_visit")
    if service.unit == PriceUnit.PER_HOUR and duration_minutes < service.minimum_units * 60:
        raise OrderRefused(f"This service is booked for at least {service.minimum_units} hour(s) a visit.",
                           field="duration_minutes")
    if service.unit == PriceUnit.PER_ITEM and items_per_visit < service.minimum_units:
        raise OrderRefused(f"This service is booked for at least {service.minimum_units} items.",
                           field="items_per_visit")
    if first_visit_on > timezone.localdate() + datetime.timedelta(days=2 * 366):
        raise OrderRefused("That date is too far ahead. Choose a date in the next two years.", field="first_visit_on")
    start_of_day = datetime.datetime.combine(first_visit_on, visit_starts_at)
    if (start_of_day + datetime.timedelta(minutes=duration_minutes)).date() != first_visit_on:
        raise OrderRefused("A visit must finish on the day it starts.", field="duration_minutes")
    weekdays = sorted({int(day) for day in (weekdays or [])})
    if kind == OrderKind.BLOCK:
        return _plan_block(service=service, first_visit_on=first_visit_on, last_visit_on=last_visit_on,
                           visit_starts_at=visit_starts_at, duration_minutes=duration_minutes, price=price,
                           block_hours=block_hours, now=now, check_future=check_future)
    if kind == OrderKind.ONE_OFF:
        last_visit_on = first_visit_on
        weekdays = []
    else:
        if not weekdays or any(day not in range(7) for day in weekdays):
            raise OrderRefused("Choose at least one day of the week.", field="weekdays")
        if last_visit_on is None:
            raise OrderRefused("Enter the last date of the arrangement.", field="last_visit_on")
        if last_visit_on < first_visit_on:
            raise OrderRefused("The end date must be on or after the start date.", field="last_visit_on")
        if (last_visit_on - first_visit_on).days > MAX_ARRANGEMENT_DAYS:
            raise OrderRefused("An arrangement can last at most a year. Book another after that.",
                               field="last_visit_on")
    visits = []
    cost = visit_cost(unit=service.unit, price_pence=price, minutes=duration_minutes, items=items_per_visit)
    for day in _days(kind, first_visit_on, last_visit_on, weekdays):
        starts_at = timezone.make_aware(datetime.datetime.combine(day, visit_starts_at))
        visits.append(PlannedVisit(starts_at=starts_at, ends_at=starts_at + datetime.timedelta(
            minutes=duration_minutes), cost_pence=cost))
    if not visits:
        raise OrderRefused("None of the chosen days fall between the start and end dates.", field="weekdays")
    if check_future and visits[0].starts_at <= now:
        raise OrderRefused("The first visit must be in the future.", field="first_visit_on")
    if len(visits) > MAX_VISITS:
        raise OrderRefused("That is too many visits for one order.", field="last_visit_on")
    plan = Plan(kind=kind, first_visit_on=visits[0].day, last_visit_on=visits[-1].day, weekdays=weekdays,
                visit_starts_at=visit_starts_at, duration_minutes=duration_minutes, items_per_visit=items_per_visit,
                unit=service.unit, unit_price_pence=price, visits=visits)
    if plan.total_pence > MAX_TOTAL_PENCE:
        raise OrderRefused("That order is too large to place online. Talk to your coordinator.")
    return plan


MAX_BLOCK_HOURS = 200


def _plan_block(*, service, first_visit_on, last_visit_on, visit_starts_at, duration_minutes, price, block_hours,
                now, check_future) -> Plan:
    """A block of hours: bought (and reserved) now, used as the provider records visits between the dates."""
    if service.unit != PriceUnit.PER_HOUR:
        raise OrderRefused("A block of hours is only for services priced by the hour.", field="kind")
    if not whole_within(block_hours, 1, MAX_BLOCK_HOURS):
        raise OrderRefused(f"Choose between 1 and {MAX_BLOCK_HOURS} hours.", field="block_hours")
    if block_hours < service.minimum_units:
        raise OrderRefused(f"This service is booked for at least {service.minimum_units} hours.", field="block_hours")
    if last_visit_on is None:
        raise OrderRefused("Enter the last date the hours can be used.", field="last_visit_on")
    if last_visit_on < first_visit_on:
        raise OrderRefused("The end date must be on or after the start date.", field="last_visit_on")
    if (last_visit_on - first_visit_on).days > MAX_ARRANGEMENT_DAYS:
        raise OrderRefused("A block can last at most a year.", field="last_visit_on")
    starts_at = timezone.make_aware(datetime.datetime.combine(first_visit_on, visit_starts_at))
    if check_future and starts_at <= now:
        raise OrderRefused("The first visit must be in the future.", field="first_visit_on")
    plan = Plan(kind=OrderKind.BLOCK, first_visit_on=first_visit_on, last_visit_on=last_visit_on, weekdays=[],
                visit_starts_at=visit_starts_at, duration_minutes=duration_minutes, items_per_visit=1,
                unit=service.unit, unit_price_pence=price, visits=[], block_minutes=block_hours * 60)
    if plan.total_pence > MAX_TOTAL_PENCE:
        raise OrderRefused("That order is too large to place online. Talk to your coordinator.")
    return plan


def block_visit_cost(*, price_pence: int, used_minutes: int, counted_pence: int, minutes: int,
                     offset_minutes: int = 0) -> int:
    """The cost of the next visit from a block's share of a budget period (orders/blocks.py; a block in one period
    has one share): what all its counted minutes cost together (rounded once, counted on from the `offset_minutes`
    of the shares before it, as the share's own price is), less what its counted visits already cost. So a share's
    visits never add up to more than the share, nor a block's to more than the block."""
    def cost(minutes: int) -> int:
        return visit_cost(unit=PriceUnit.PER_HOUR, price_pence=price_pence, minutes=minutes, items=1)

    together = cost(offset_minutes + used_minutes + minutes) - cost(offset_minutes)
    return max(together - counted_pence, 0)
