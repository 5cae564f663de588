"""Reads for messages, reviews and concerns."""

from __future__ import annotations

from django.db.models import Avg, Count, QuerySet

from market.core.models import AuditEvent
from providers.models import Provider

from ..models import Concern, ConcernStatus, Review


def reviews_for_provider(provider) -> QuerySet[Review]:
    """Reviews a storefront may show: not hidden, newest first."""
    return Review.objects.filter(provider=provider, hidden_at__isnull=True).order_by("-created_at", "-pk")


def provider_rating(provider) -> dict:
    """{"count": n, "average": 4.3 or None} over visible reviews (one decimal, for display only)."""
    figures = reviews_for_provider(provider).aggregate(count=Count("pk"), average=Avg("rating"))
    average = round(figures["average"], 1) if figures["average"] is not None else None
    return {"count": figures["count"], "average": average}


def review_get(review_id: int) -> Review | None:
    return Review.objects.select_related("order", "provider").filter(pk=review_id).first()


def reviews_to_moderate(*, limit: int = 50) -> list[Review]:
    """Visible reviews a commissioner may hide."""
    return list(Review.objects.filter(hidden_at__isnull=True).select_related("provider")[:limit])


def provider_get(provider_id: int) -> Provider | None:
    return Provider.objects.filter(pk=provider_id).first()


def concern_queue() -> QuerySet[Concern]:
    """Open concerns for commissioners: safeguarding first, then oldest first."""
    return (
        Concern.objects.exclude(status=ConcernStatus.CLOSED)
        .select_related("provider", "raised_by", "visit")
        .order_by("-is_safeguarding", "created_at", "pk")
    )


def concern_get(concern_id: int) -> Concern | None:
    return Concern.objects.select_related("provider", "raised_by", "visit").filter(pk=concern_id).first()


def concern_history(concern: Concern) -> list[AuditEvent]:
    """Who did what with a concern, oldest first: its notes and outcome are audit events."""
    return list(AuditEvent.objects.filter(object_type="orders.concern", object_id=str(concern.pk))
                .select_related("actor").order_by("at", "pk"))
