"""The community side of the market view (issue 15): community groups and activities listed today by neighbourhood
(and how many are free), and community credits earned and spent by neighbourhood in the period.

Each kind of row is one queryset (groups, activities, free activities), which both the figures here and the lists
behind them (commissioning.selectors.lists) read. Live: they are read from the directory's listing table and the
credits ledger, both small beside searches, orders and visits."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

from community.selectors_credits import CreditsByArea, credits_by_neighbourhood
from market.places.models import Neighbourhood
from providers.models import DeliveryMode, PriceUnit, Provider, ProviderKind, Service

from .market import MarketFilter, supplied_services


def community_groups(market: MarketFilter) -> QuerySet[Provider]:
    """Community groups with something listed today, within the filter."""
    return Provider.objects.filter(kind=ProviderKind.COMMUNITY_GROUP,
                                   pk__in=supplied_services(market).values("provider"))


def activities(market: MarketFilter) -> QuerySet[Service]:
    """Activities at a venue (people go along) listed today, within the filter."""
    return supplied_services(market).filter(delivery=DeliveryMode.AT_VENUE)


def free_activities(market: MarketFilter) -> QuerySet[Service]:
    return activities(market).filter(unit=PriceUnit.FREE)


@dataclass(frozen=True)
class CommunityArea:
    neighbourhood: Neighbourhood
    groups: int
    activities: int
    free: int
    query: str = ""


@dataclass(frozen=True)
class CommunitySupply:
    groups: int
    activities: int
    free: int
    by_neighbourhood: list[CommunityArea]


_BY_AREA_SQL = """
SELECT area, count(DISTINCT listing.provider_id) FILTER (WHERE listing.provider_id IN ({groups})),
       count(*) FILTER (WHERE listing.service_id IN ({activities})),
       count(*) FILTER (WHERE listing.service_id IN ({free}))
FROM directory_listing AS listing CROSS JOIN LATERAL unnest(listing.neighbourhood_ids) AS area
WHERE listing.service_id IN ({supplied})
GROUP BY area
"""


def _sql(queryset: QuerySet) -> tuple[str, tuple]:
    return queryset.order_by().values("pk").query.sql_with_params()


def community_supply(market: MarketFilter) -> CommunitySupply:
    """The totals (three queries) and the same for each neighbourhood that has any, by name (two)."""
    parts = {"groups": _sql(community_groups(market)), "activities": _sql(activities(market)),
             "free": _sql(free_activities(market)), "supplied": _sql(supplied_services(market))}
    order = ["groups", "activities", "free", "supplied"]
    params = [param for name in order for param in parts[name][1]]
    with connection.cursor() as cursor:
        cursor.execute(_BY_AREA_SQL.format(**{name: sql for name, (sql, _) in parts.items()}), params)
        counts = {area: (groups, acts, free) for area, groups, acts, free in cursor.fetchall() if groups or acts}
    areas = Neighbourhood.objects.in_bulk(list(counts)).values()
    by_area = [CommunityArea(area, *counts[area.pk], query=market.query(neighbourhood=area.slug))
               for area in sorted(areas, key=lambda area: area.name)]
    return CommunitySupply(groups=community_groups(market).count(), activities=activities(market).count(),
                           free=free_activities(market).count(), by_neighbourhood=by_area)


def community_credits(market: MarketFilter) -> list[CreditsByArea]:
    """Credits earned, spent and redeemed by neighbourhood in the period. One query."""
    return credits_by_neighbourhood(since=market.since, until=market.until, neighbourhood=market.neighbourhood)
