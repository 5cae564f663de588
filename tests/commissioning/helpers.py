"""A small market made with the factories and the services, for the market view's tests (and its browser test)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from commissioning.tasks import refresh_market_summary
from directory.models import SearchRecord
from market.accounts.models import FundingRoute
from orders.models import BudgetPeriod, Visit
from orders.services import order_accept, order_decline, visit_confirm, visit_record_delivery
from providers.models import ServiceAvailability
from tests.factories import CategoryFactory, NeighbourhoodFactory, PersonFactory, ProviderMembershipFactory
from tests.orders.helpers import make_budget, make_service, place

MINUTE = datetime.timedelta(minutes=1)


def _budget(holder, route):
    today = timezone.localdate()
    return make_budget(holder=holder, amount_pence=100_000, funding_route=route, period=BudgetPeriod.ANNUAL,
                       starts_on=today - datetime.timedelta(days=60), ends_on=today + datetime.timedelta(days=300))


def _confirmed_visit(holder, service, budget, *, when, minutes=60):
    order = place(user=holder.user, budget=budget, service=service, duration_minutes=minutes)
    order_accept(order=order, by=service.owner)
    visit = order.visits.get()
    Visit.objects.filter(pk=visit.pk).update(starts_at=when, ends_at=when + minutes * MINUTE)
    visit.refresh_from_db()
    visit_record_delivery(visit=visit, by=service.owner, actual_starts_at=visit.starts_at,
                          actual_ends_at=visit.ends_at, notes="")
    visit_confirm(visit=visit, user=holder.user)
    return visit


def record_search(area, kind, results, *, days_ago=0, **filters):
    record = SearchRecord.objects.create(district="WN1", neighbourhood=area, category=kind, result_count=results,
                                         filters=filters)
    if days_ago:
        SearchRecord.objects.filter(pk=record.pk).update(searched_at=timezone.now() - datetime.timedelta(days=days_ago))
    return record


def build_market() -> dict:
    """Scholes has companionship from a sole trader (£17.50) and a team of five (£25.00); Hindley has nothing
    listed for gardening, where two searches found nothing this month and one long ago; an order in Hindley was
    declined; three visits were confirmed this month, one by a council-managed budget."""
    scholes, hindley = NeighbourhoodFactory(name="Scholes"), NeighbourhoodFactory(name="Hindley")
    companionship, gardening = CategoryFactory(name="Companionship"), CategoryFactory(name="Gardening")
    sole = make_service(neighbourhood=scholes, price_pence=1750, category=companionship)
    team = make_service(neighbourhood=scholes, price_pence=2500, category=companionship)
    for _ in range(4):
        ProviderMembershipFactory(provider=team.provider, role="staff")
    team.provider.neighbourhoods.add(hindley)
    record_search(hindley, gardening, 0)
    record_search(hindley, gardening, 0, max_price_pence=1500)
    record_search(hindley, gardening, 0, days_ago=400)
    record_search(scholes, companionship, 2)
    record_search(None, None, 5)

    margaret = PersonFactory(full_name="Margaret Unique-Surname", neighbourhood=scholes)
    dave = PersonFactory(neighbourhood=hindley)
    direct, council = _budget(margaret, FundingRoute.DIRECT_PAYMENT), _budget(dave, FundingRoute.COUNCIL_MANAGED)
    now = timezone.now()
    start_of_month = timezone.make_aware(datetime.datetime.combine(timezone.localdate().replace(day=1),
                                                                   datetime.time(0, 5)))
    _confirmed_visit(margaret, sole, direct, when=start_of_month)
    _confirmed_visit(margaret, team, direct, when=start_of_month, minutes=120)
    _confirmed_visit(dave, team, council, when=start_of_month)
    declined = place(user=dave.user, budget=council, service=team)
    order_decline(order=declined, by=team.owner, reason="No capacity on Mondays")
    ServiceAvailability.objects.create(service=sole, weekday=0, starts_at=datetime.time(9),
                                       ends_at=datetime.time(12, 30))
    return {"scholes": scholes, "hindley": hindley, "companionship": companionship, "gardening": gardening,
            "sole": sole, "team": team, "now": now}


def build_summary() -> int:
    """Build the market view's summary as the worker does (the task's own function, recorded as its run)."""
    return refresh_market_summary()
