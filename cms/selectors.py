"""Reads for the site's pages: what a provider's storefront presents, and whether a kept one may be served again.

Storefronts show only what the listing rule lists today (providers.selectors), in a fixed number of queries
whatever the number of services.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import BooleanField, F, Func, Prefetch
from django.utils import timezone
from django.utils.html import strip_tags
from wagtail.models import Page

from commissioning.selectors.prices import reference_rates_by_category
from directory.selectors import TypicalPrice, typical_price_for, typical_prices
from providers.display import (
    AVAILABILITY_HORIZON_DAYS,
    Badge,
    describe_opening,
    latest_badges,
    minimum_label,
    next_opening,
    price_label,
    weekly_summary,
)
from providers.models import AvailabilityException, PriceUnit, Provider, Service
from providers.selectors import current_checks, listed_services


@dataclass
class StorefrontService:
    service: Service
    price: str
    minimum: str
    needs: list[str]
    neighbourhoods: list[str]
    weekly: list[str]
    next_available: str
    regulated: bool
    typical: TypicalPrice | None = None  # the typical local price of the kind of support, for comparison
    reference_pence: int | None = None  # the council's reference hourly rate for the kind, if set


@dataclass
class Storefront:
    provider: Provider
    services: list[StorefrontService]
    badges: list[Badge]
    neighbourhoods: list[str]
    gallery: list = field(default_factory=list)
    json_ld: str = ""


def storefront_for(*, page, request=None, now: datetime.datetime | None = None) -> Storefront:
    """Everything a storefront page (cms.models.ProviderPage) presents."""
    now = timezone.localtime(now)
    today = now.date()
    horizon = today + datetime.timedelta(days=AVAILABILITY_HORIZON_DAYS)
    provider = Provider.objects.prefetch_related("neighbourhoods").get(pk=page.provider_id)
    services = (
        listed_services(on=today)
        .filter(provider_id=provider.pk)
        .annotate(regulated=Func(F("pk"), function="providers_service_regulated", output_field=BooleanField()))
        .select_related("category")
        .prefetch_related(
            "needs", "neighbourhoods", "availability",
            Prefetch("availability_exceptions", to_attr="days_off",
                     queryset=AvailabilityException.objects.filter(is_available=False, date__range=(today, horizon))),
        )
        .order_by("category__sort_order", "title", "pk")
    )
    services = list(services)
    kinds = {service.category_id for service in services}
    prices = typical_prices(category_ids=sorted(kinds), on=today)
    references = reference_rates_by_category(kinds)
    rows = []
    for service in services:
        slots = list(service.availability.all())
        areas = [n.pk for n in service.neighbourhoods.all()] or [n.pk for n in provider.neighbourhoods.all()]
        rows.append(StorefrontService(
            service=service,
            price=price_label(service.price_pence, service.unit),
            minimum=minimum_label(service.minimum_units, service.unit),
            needs=[need.name for need in service.needs.all()],
            neighbourhoods=[n.name for n in service.neighbourhoods.all()],
            weekly=weekly_summary(slots),
            next_available=describe_opening(next_opening(slots, {d.date for d in service.days_off}, now), now),
            regulated=service.regulated,
            typical=typical_price_for(prices, category_id=service.category_id, unit=service.unit,
                                      neighbourhood_ids=areas),
            reference_pence=references.get(service.category_id) if service.unit == PriceUnit.PER_HOUR else None,
        ))
    areas = sorted({n.name for n in provider.neighbourhoods.all()} | {n for r in rows for n in r.neighbourhoods})
    badges = latest_badges(
        (check.check_type.name, timezone.localdate(check.decided_at) if check.decided_at else check.issued_on)
        for check in current_checks(provider, on=today).order_by("check_type__sort_order", "-decided_at")
    )
    gallery = list(
        page.gallery_images.all()
        .select_related("image")
        .prefetch_related("image__renditions")
        .order_by("sort_order", "pk")
    )
    storefront = Storefront(provider=provider, services=rows, badges=badges, neighbourhoods=areas, gallery=gallery)
    url = request.build_absolute_uri(page.url) if request is not None and page.url else ""
    storefront.json_ld = storefront_json_ld(storefront, url=url, description=page.search_description)
    return storefront


_UNIT_CODES = {  # UN/CEFACT codes used by schema.org's unitCode
    PriceUnit.PER_HOUR: "HUR", PriceUnit.PER_DAY: "DAY", PriceUnit.PER_ITEM: "C62",
    PriceUnit.PER_SESSION: "C62", PriceUnit.PER_VISIT: "C62",
}
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def storefront_json_ld(storefront: Storefront, *, url: str = "", description: str = "") -> str:
    """schema.org LocalBusiness with an OfferCatalog of Services, as a string safe inside <script>."""
    provider = storefront.provider
    offers = []
    for row in storefront.services:
        service = row.service
        item = {
            "@type": "Service",
            "name": service.title,
            "description": service.description,
            "serviceType": service.category.name,
            "areaServed": [{"@type": "Place", "name": n} for n in row.neighbourhoods] or None,
        }
        offer = {
            "@type": "Offer",
            "itemOffered": {k: v for k, v in item.items() if v is not None},
            "priceCurrency": "GBP",
            "price": f"{service.price_pence / 100:.2f}",
        }
        if service.unit != PriceUnit.FREE:
            offer["priceSpecification"] = {
                "@type": "UnitPriceSpecification",
                "price": f"{service.price_pence / 100:.2f}",
                "priceCurrency": "GBP",
                "unitCode": _UNIT_CODES.get(service.unit, "C62"),
                "unitText": service.get_unit_display(),
            }
        offers.append(offer)
    data = {
        "@context": "https://schema.org",
        "@type": "LocalBusiness",
        "name": provider.name,
        "description": strip_tags(description or provider.description)[:500] or None,
        "url": url or None,
        "email": provider.email or None,
        "telephone": provider.phone or None,
        "address": {"@type": "PostalAddress", "postalCode": provider.postcode, "addressCountry": "GB"}
        if provider.postcode else None,
        "areaServed": [{"@type": "Place", "name": n} for n in storefront.neighbourhoods] or None,
        "hasOfferCatalog": {"@type": "OfferCatalog", "name": f"Support from {provider.name}",
                            "itemListElement": offers} if offers else None,
    }
    data = {k: v for k, v in data.items() if v is not None}
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)


@dataclass(frozen=True)
class PageState:
    live: bool
    last_published_at: datetime.datetime | None
    url_path: str
    restricted: bool
    provider_listed: bool


def storefront_page_state(*, page_id: int, on: datetime.date | None = None) -> PageState | None:
    """One query (cms/sql/storefront.sql): is the storefront live, when was it published, where, is it (or an
    ancestor) restricted, and is its provider listed on the day?"""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cms_storefront_state(%s::integer, %s::date)",
                       [page_id, on or timezone.localdate()])
        row = cursor.fetchone()
    return PageState(*row) if row else None


def storefront_for_member(*, slug: str, user) -> Page | None:
    """The storefront at /providers/<slug>/ if `user` is one of its provider's members."""
    return Page.objects.filter(slug=slug, providerpage__provider__memberships__user=user).first()
