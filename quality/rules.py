"""The nightly quality checks, each a read of the market that names providers worth a commissioner's look, with the
evidence. Orders, visits, reviews and concerns are counted by aggregate queries in the database; prices compare
each listed service with its kind's median (one median query per kind)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Avg, Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from orders.models import Concern, Order, OrderTransition, Review, VisitTransition
from providers.models import Service, ServiceStatus
from providers.selectors import listed_services, local_price_median, provider_cqc_verified

from .models import FlagKind


@dataclass(frozen=True)
class Finding:
    provider_id: int
    kind: str
    summary: str
    evidence: dict


def _since(today: datetime.date, days: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time()))


def prices_far_from_median(today: datetime.date) -> list[Finding]:
    multiple = settings.NEW_PRICE_REVIEW_MULTIPLE
    found: dict[int, list] = {}
    services = listed_services(on=today).filter(price_pence__gt=0).values("pk", "provider_id", "title", "price_pence",
                                                                          "category_id", "unit")
    medians: dict[tuple, int | None] = {}
    for service in services:
        key = (service["category_id"], service["unit"])
        if key not in medians:
            medians[key] = local_price_median(category_id=key[0], unit=key[1], on=today)
        median = medians[key]
        if median and (service["price_pence"] > median * multiple or service["price_pence"] * multiple < median):
            found.setdefault(service["provider_id"], []).append(
                {"service": service["pk"], "title": service["title"], "price_pence": service["price_pence"],
                 "median_pence": median})
    return [Finding(provider, FlagKind.PRICE_FAR_FROM_MEDIAN,
                    f"{len(items)} service(s) priced more than {multiple:g} times above or below the local median",
                    {"services": items}) for provider, items in found.items()]


def many_declines(today: datetime.date) -> list[Finding]:
    rows = (Order.objects.filter(created_at__gte=_since(today, settings.QUALITY_WINDOW_DAYS))
            .values("provider_id")
            .annotate(declined=Count("pk", filter=Q(status="declined")), total=Count("pk"))
            .filter(declined__gte=3, total__lte=F("declined") * 2))
    return [Finding(row["provider_id"], FlagKind.MANY_DECLINES,
                    f"Declined {row['declined']} of {row['total']} orders in {settings.QUALITY_WINDOW_DAYS} days",
                    {"declined": row["declined"], "orders": row["total"]}) for row in rows]


def slow_answers(today: datetime.date) -> list[Finding]:
    """Orders whose provider took more than ORDER_ANSWER_HOURS to answer, or has not answered in that time."""
    first_answer = OrderTransition.objects.filter(order=OuterRef("pk"), from_status="placed").order_by("at")
    rows = (Order.objects.filter(created_at__gte=_since(today, settings.QUALITY_WINDOW_DAYS))
            .annotate(answered_at=Coalesce(Subquery(first_answer.values("at")[:1]), Value(timezone.now())))
            .filter(answered_at__gt=F("created_at") + datetime.timedelta(hours=settings.ORDER_ANSWER_HOURS))
            .values("provider_id").annotate(count=Count("pk")).filter(count__gte=3))
    return [Finding(row["provider_id"], FlagKind.SLOW_ANSWERS,
                    f"{row['count']} orders answered after more than {settings.ORDER_ANSWER_HOURS} hours "
                    "(or not at all)", {"slow_orders": row["count"]}) for row in rows]


def disputed_visits(today: datetime.date) -> list[Finding]:
    since = _since(today, settings.QUALITY_WINDOW_DAYS)
    rows = (VisitTransition.objects.filter(at__gte=since, to_status__in=["delivered", "disputed"])
            .values(provider_id=F("visit__order__provider_id"))
            .annotate(delivered=Count("visit", filter=Q(to_status="delivered"), distinct=True),
                      disputed=Count("visit", filter=Q(to_status="disputed"), distinct=True))
            .filter(disputed__gte=2, delivered__lte=F("disputed") * 5))
    return [Finding(row["provider_id"], FlagKind.DISPUTED_VISITS,
                    f"{row['disputed']} of {row['delivered']} delivered visits disputed",
                    {"disputed": row["disputed"], "delivered": row["delivered"]}) for row in rows]


def low_ratings(today: datetime.date) -> list[Finding]:
    rows = (Review.objects.filter(hidden_at__isnull=True, created_at__gte=_since(today, 365))
            .values("provider_id").annotate(average=Avg("rating"), count=Count("pk"))
            .filter(count__gte=3, average__lt=3))
    return [Finding(row["provider_id"], FlagKind.LOW_RATINGS,
                    f"Average rating {row['average']:.1f} from {row['count']} reviews in the last year",
                    {"average": round(float(row["average"]), 2), "reviews": row["count"]}) for row in rows]


def concerns_raised(today: datetime.date) -> list[Finding]:
    rows = (Concern.objects.filter(created_at__gte=_since(today, settings.QUALITY_WINDOW_DAYS))
            .values("provider_id")
            .annotate(count=Count("pk"), safeguarding=Count("pk", filter=Q(is_safeguarding=True))))
    return [Finding(row["provider_id"], FlagKind.CONCERNS,
                    f"{row['count']} concern(s) raised, {row['safeguarding']} about safeguarding",
                    {"concerns": row["count"], "safeguarding": row["safeguarding"]}) for row in rows]


def cqc_unverified(today: datetime.date) -> list[Finding]:
    regulated = (Service.objects.filter(status=ServiceStatus.LIVE)
                 .filter(Q(is_regulated_personal_care=True) | Q(category__is_regulated_personal_care=True))
                 .select_related("provider"))
    providers = {service.provider for service in regulated}
    return [Finding(provider.pk, FlagKind.CQC_UNVERIFIED,
                    "Offers regulated personal care without a verified CQC registration or exemption", {})
            for provider in providers if not provider_cqc_verified(provider, on=today)]


RULES: tuple[Callable[[datetime.date], list[Finding]], ...] = (
    prices_far_from_median, many_declines, slow_answers, disputed_visits, low_ratings, concerns_raised,
    cqc_unverified,
)
