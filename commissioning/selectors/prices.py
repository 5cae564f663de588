"""The market view's prices: hourly prices per kind of support (lowest, quartiles, median, highest) against the
reference rates commissioners set, and the services above them. Aggregates the database computes, within the same
filter as the rest of the market view (commissioning.selectors.market)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Count, F, FloatField, Max, Min, Q, QuerySet
from django.db.models.aggregates import Aggregate

from market.taxonomy.models import Category
from providers.models import PriceUnit, Service

from .market import MarketFilter, supplied_services


class Percentile(Aggregate):
    """PostgreSQL's percentile_cont: the value below which `fraction` of the rows fall, interpolated."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, *, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


@dataclass(frozen=True)
class PriceSpread:
    category: Category
    services: int
    lowest: int
    lower_quartile: int
    median: int
    upper_quartile: int
    highest: int
    reference: int | None
    above_reference: int
    query: str = ""  # the filter narrowed to this kind of support


def hourly_services(market: MarketFilter) -> QuerySet[Service]:
    """Today's listed services priced by the hour, within the filter."""
    return supplied_services(market).filter(unit=PriceUnit.PER_HOUR)


def price_spreads(market: MarketFilter) -> list[PriceSpread]:
    """Hourly prices per kind of support (lowest, quartiles, median, highest) against the reference rate. One
    query."""
    above = Q(price_pence__gt=F("category__reference_rate__hourly_pence"))
    rows = (
        hourly_services(market).values("category").annotate(
            services=Count("pk"), lowest=Min("price_pence"), highest=Max("price_pence"),
            q1=Percentile("price_pence", fraction=0.25), q2=Percentile("price_pence", fraction=0.5),
            q3=Percentile("price_pence", fraction=0.75), reference=Max("category__reference_rate__hourly_pence"),
            above=Count("pk", filter=above),
        ).order_by("category__sort_order", "category__name")
    )
    rows = list(rows)
    categories = Category.objects.in_bulk([row["category"] for row in rows])
    return [
        PriceSpread(categories[row["category"]], row["services"], row["lowest"], _half_up(row["q1"]),
                    _half_up(row["q2"]), _half_up(row["q3"]), row["highest"], row["reference"], row["above"],
                    market.query(category=categories[row["category"]].slug))
        for row in rows
    ]


def _half_up(pence: float) -> int:
    """A percentile between two prices, to the penny, halves rounded up (not to even)."""
    return math.floor(pence + 0.5)


def services_above_reference(market: MarketFilter) -> QuerySet[Service]:
    return hourly_services(market).filter(category__reference_rate__isnull=False,
                                          price_pence__gt=F("category__reference_rate__hourly_pence"))


def reference_rates() -> list:
    """Every kind of support with its reference rate (None when not set), and who set it. One query."""
    return list(Category.objects.select_related("reference_rate__set_by"))


def reference_rates_by_category(category_ids) -> dict[int, int]:
    """{category id: reference hourly rate in pence} for those kinds of support that have one. One query."""
    return dict(Category.objects.filter(pk__in=list(category_ids), reference_rate__isnull=False)
                .values_list("pk", "reference_rate__hourly_pence"))


