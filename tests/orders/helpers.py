"""Builders for budgets, orders and visits, going through the services as the product does."""

from __future__ import annotations

import datetime

from django.utils import timezone

from market.accounts.models import FundingRoute
from orders.models import BudgetPeriod
from orders.services import budget_create
from tests import factories


def today() -> datetime.date:
    return timezone.localdate()


def make_budget(*, holder=None, amount_pence=10_000, period=BudgetPeriod.WEEKLY, starts_on=None, ends_on=None,
                funding_route=FundingRoute.DIRECT_PAYMENT, categories=(), created_by=None):
    """A budget set up through the service, by a coordinator working with the holder."""
    holder = holder or factories.PersonFactory()
    if created_by is None:
        created_by = factories.CaseloadFactory(person=holder).coordinator
    starts_on = starts_on or today()
    return budget_create(
        holder=holder, funding_route=funding_route, council="Wigan Council", period=period,
        amount_pence=amount_pence, starts_on=starts_on, ends_on=ends_on or starts_on + datetime.timedelta(days=6),
        created_by=created_by, allowed_categories=categories,
    )


def make_service(*, neighbourhood, price_pence=1750, unit="per_hour", category=None, **kwargs):
    """A listed service whose provider covers `neighbourhood`, with one owner member (service.owner)."""
    extra = {"category": category} if category is not None else {}
    service = factories.ListedServiceFactory(price_pence=price_pence, unit=unit, **extra, **kwargs)
    service.provider.neighbourhoods.add(neighbourhood)
    service.owner = factories.ProviderMembershipFactory(provider=service.provider).user
    return service


def a_slot_just_gone() -> tuple[datetime.datetime, datetime.datetime]:
    """A visit's times that have passed, on today's date (a budget made today starts today): the hour that ended an
    hour ago, or, in the first two hours after midnight, from midnight until a minute ago (at least a minute)."""
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    midnight = timezone.make_aware(datetime.datetime.combine(today(), datetime.time()))
    if now - 2 * hour >= midnight:
        return now - 2 * hour, now - hour
    minute = datetime.timedelta(minutes=1)
    return midnight, max(midnight + minute, now - minute)


def in_days(days: int) -> datetime.date:
    return today() + datetime.timedelta(days=days)


def place(*, user, budget, service, **overrides):
    import uuid

    from orders.services import order_place

    arguments = {
        "kind": "one_off", "first_visit_on": in_days(3), "visit_starts_at": datetime.time(10, 0),
        "duration_minutes": 60, "idempotency_key": uuid.uuid4(),
    }
    arguments.update(overrides)
    return order_place(user=user, budget=budget, service=service, **arguments)
