"""The market view's quality figures: disputed visits, reviews and their ratings, and the checks that lapse next
month, within the same filter as the rest of the market view (commissioning.selectors.market)."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from orders.models import Review, Visit, VisitStatus
from providers.selectors import Lapse, checks_lapsing

from .market import MarketFilter, orders_within


@dataclass(frozen=True)
class Quality:
    disputed_visits: int
    reviews: int
    average_rating: float | None
    low_ratings: int
    checks_next_month: list[Lapse]
    next_month: datetime.date


def disputed_visits(market: MarketFilter) -> QuerySet[Visit]:
    """Visits in the period that were disputed (still open, or upheld as not paid)."""
    return Visit.objects.filter(orders_within(market, to_order="order__"),
                                status__in=[VisitStatus.DISPUTED, VisitStatus.NOT_PAID],
                                starts_at__gte=market.since, starts_at__lt=market.until)


def quality(market: MarketFilter, *, today: datetime.date | None = None) -> Quality:
    today = today or timezone.localdate()
    reviews = Review.objects.filter(orders_within(market, to_order="order__", by_route=False),
                                    created_at__gte=market.since, created_at__lt=market.until)
    rated = reviews.aggregate(count=Count("pk"), average=Avg("rating"), low=Count("pk", filter=Q(rating__lte=2)))
    next_month = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    last_day = next_month.replace(day=calendar.monthrange(next_month.year, next_month.month)[1])
    lapsing = checks_lapsing(within_days=(last_day - today).days, on=today)
    return Quality(
        disputed_visits=disputed_visits(market).count(), reviews=rated["count"],
        average_rating=round(rated["average"], 1) if rated["average"] is not None else None,
        low_ratings=rated["low"], next_month=next_month,
        checks_next_month=[lapse for lapse in lapsing if lapse.check.expires_on >= next_month],
    )


