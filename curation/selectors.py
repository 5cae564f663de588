"""What the community and home pages show of community groups' listings. One rule for their order: featured
first, then by title (`community_listings`); the council's picks keep the order editors gave them."""

from __future__ import annotations

import datetime

from django.db.models import BooleanField, F, QuerySet, Value
from django.db.models.functions import Coalesce

from providers.models import Service
from providers.selectors import listed_services

from .models import COMMUNITY_LISTINGS


def community_listings(*, on: datetime.date | None = None) -> QuerySet[Service]:
    """Community groups' services listed on the day, without those hidden from the community pages, featured first
    (each with `is_featured`), then by title. One query."""
    return (
        listed_services(on=on).filter(COMMUNITY_LISTINGS).exclude(curation__hidden=True)
        .annotate(is_featured=Coalesce("curation__featured", Value(False), output_field=BooleanField()))
        .select_related("provider", "category")
        .order_by("-is_featured", "title", "pk")
    )


def featured_listings(*, on: datetime.date | None = None, limit: int = 6) -> list[Service]:
    return list(community_listings(on=on).filter(is_featured=True)[:limit])


def council_picks(*, on: datetime.date | None = None) -> list[Service]:
    """"Picked by the council": the picks still listed and not hidden, in the editors' order, each with its
    `pick_note`. One query."""
    return list(
        community_listings(on=on).filter(council_pick__isnull=False).annotate(pick_note=F("council_pick__note"))
        .order_by(F("council_pick__sort_order").asc(nulls_last=True), "council_pick__pk")
    )
