"""The feed's records as Open Referral UK v3 JSON (the profile's schemas are vendored in oruk/standard/).

Mapping: provider -> organization; service -> service (status, description, storefront url); neighbourhoods or
travel radius -> service_area; price -> cost_option (amount in pounds, currency GBP, unit in amount_description);
weekly availability -> schedule (RFC 5545 WEEKLY / BYDAY); the council's approval -> assured_date; languages,
accessibility notes, contacts; category and needs -> taxonomy terms as attributes.

No personal data: a provider's base is published as its postcode district only (a sole trader's base is often
their home); contacts are the business email and phone a storefront already shows.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError

from market.places.postcodes import district_of
from market.taxonomy.models import Category, Need
from providers.display import WEEKDAY_NAMES, format_time, price_label
from providers.models import PriceUnit, Provider, Service

from .ids import NAMESPACE, oruk_id
from .selectors import ADULT_AGE, TERM_KINDS, Taxonomy, taxonomy_of

RFC5545_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
UNIT_NAMES = {PriceUnit.PER_HOUR: "hour", PriceUnit.PER_SESSION: "session", PriceUnit.PER_VISIT: "visit",
              PriceUnit.PER_DAY: "day", PriceUnit.PER_ITEM: "item", PriceUnit.FREE: "free"}


def _linked_id(kind: str, *parts: object) -> str:
    """A stable UUID for a record that joins two of ours (a service's area, its language...)."""
    return str(uuid.uuid5(NAMESPACE, ":".join([kind, *map(str, parts)])))


def _drop_empty(record: dict) -> dict:
    return {key: value for key, value in record.items() if value not in (None, "")}


def storefront_url(service: Service) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/providers/{service.provider.slug}/#service-{service.pk}"


def organization(provider: Provider) -> dict:
    return _drop_empty({
        "id": oruk_id("organization", provider.pk),
        "name": provider.name,
        "description": provider.description or provider.name,
        "email": provider.email,
        "website": provider.website,
        "uri": f"{settings.SITE_URL.rstrip('/')}/providers/{provider.slug}/",
    })


def _district(provider: Provider) -> str:
    try:
        return district_of(provider.postcode) if provider.postcode else ""
    except ValidationError:  # an old, malformed postcode is shown as no district, never an error
        return ""


def service_summary(service: Service) -> dict:
    """The one-to-one fields (the profile's service_list)."""
    provider = service.provider
    return _drop_empty({
        "id": oruk_id("service", service.pk),
        "organization_id": oruk_id("organization", provider.pk),
        "name": service.title,
        "description": service.description,
        "url": storefront_url(service),
        "email": provider.email,
        "status": "active",
        "fees": price_label(service.price_pence, service.unit),
        "minimum_age": ADULT_AGE,
        "assured_date": provider.approved_at.date().isoformat() if provider.approved_at else None,
        "last_modified": service.updated_at.isoformat(),
        "organization": organization(provider),
    })


def service_full(service: Service) -> dict:
    """A fully nested service (the profile's compiled service)."""
    record = service_summary(service)
    record.update(
        schedules=[schedule(service, slot) for slot in service.availability.all()],
        service_areas=service_areas(service),
        service_at_locations=[service_at_location(service, nested=False)],
        languages=[
            {"id": _linked_id("language", service.pk, name.lower()), "service_id": record["id"], "name": name}
            for name in service.languages
        ],
        cost_options=[cost_option(service)],
        contacts=[contact(service)],
        attributes=[attribute(service, term) for term in [service.category, *service.needs.all()]],
    )
    if service.accessibility_notes:
        record["accessibility"] = service.accessibility_notes  # also on the location, where the profile puts it
    return record


def schedule(service: Service, slot) -> dict:
    return {
        "id": oruk_id("schedule", slot.pk),
        "service_id": oruk_id("service", service.pk),
        "freq": "WEEKLY",
        "interval": 1,
        "byday": RFC5545_DAYS[slot.weekday],
        "opens_at": slot.starts_at.strftime("%H:%M"),
        "closes_at": slot.ends_at.strftime("%H:%M"),
        "description": f"{WEEKDAY_NAMES[slot.weekday]}s, {format_time(slot.starts_at)} to "
                       f"{format_time(slot.ends_at)}",
        "attending_type": "in person",
    }


def service_areas(service: Service) -> list[dict]:
    """The neighbourhoods it covers, or the circle it travels in, or (neither) its provider's neighbourhoods: the
    directory's own rule of coverage (directory/sql/listing.sql)."""
    service_id = oruk_id("service", service.pk)
    areas = list(service.neighbourhoods.all())
    records = []
    if service.travel_radius_km is not None:
        district = _district(service.provider)
        records.append(_drop_empty({
            "id": _linked_id("service_area", service.pk, "radius"),
            "service_id": service_id,
            "name": f"Within {service.travel_radius_km} km of the provider's base" + (f" in {district}" if district
                                                                                      else ""),
            "extent_type": "radius",
            "extent": f"{service.travel_radius_km * 1000}",
        }))
    if not areas and service.travel_radius_km is None:
        areas = list(service.provider.neighbourhoods.all())
    records += [
        {"id": _linked_id("service_area", service.pk, area.pk), "service_id": service_id, "name": area.name,
         "service_area": area.name, "extent_type": "neighbourhood"}
        for area in areas
    ]
    return records


def cost_option(service: Service) -> dict:
    free = service.unit == PriceUnit.FREE or service.price_pence == 0
    return {
        "id": oruk_id("cost_option", service.pk),
        "service_id": oruk_id("service", service.pk),
        "option": "Free" if free else f"Per {UNIT_NAMES.get(service.unit, 'unit')}",
        # The profile's amount is in pounds; pence / 100 is exact to two places as a JSON number (17.5, 19.99).
        "amount": service.price_pence / 100,
        "currency": "GBP",
        "amount_description": price_label(service.price_pence, service.unit),
    }


def contact(service: Service) -> dict:
    provider = service.provider
    record = _drop_empty({
        "id": oruk_id("contact", service.pk),
        "service_id": oruk_id("service", service.pk),
        "name": provider.name,
        "email": provider.email,
    })
    if provider.phone:
        record["phones"] = [{"id": oruk_id("phone", provider.pk), "number": provider.phone}]
    return record


def attribute(service: Service, term: Category | Need) -> dict:
    kind = TERM_KINDS[type(term)]
    return {
        "id": _linked_id("attribute", service.pk, kind, term.pk),
        "link_id": oruk_id("service", service.pk),
        "link_type": "service",
        "taxonomy_term_id": oruk_id(kind, term.pk),
        "taxonomy_term": taxonomy_term(term),
    }


def location(service: Service) -> dict:
    provider = service.provider
    district = _district(provider)
    description = "Support comes to you, from a provider" + (f" based in {district}" if district else "") + "."
    record = _drop_empty({
        "id": oruk_id("location", provider.pk),
        "location_type": "physical",
        "name": f"{provider.name}" + (f", {district}" if district else ""),
        "description": description,
        "external_identifier": district,
        "external_identifier_type": "postcode district" if district else None,
    })
    return record


def service_at_location(service: Service, *, nested: bool = True, distance_m: float | None = None) -> dict:
    """One per service: the service, delivered from its provider's base."""
    record = {
        "id": oruk_id("service_at_location", service.pk),
        "service_id": oruk_id("service", service.pk),
        "location_id": oruk_id("location", service.provider.pk),
        "location": location(service),
    }
    if nested:
        record["service"] = service_summary(service)
    if distance_m is not None:
        record["distance"] = round(distance_m)  # metres from the postcode asked about (a local property)
    return record


def service_at_location_full(service: Service) -> dict:
    record = service_at_location(service, nested=False)
    record["service"] = service_full(service)
    if service.accessibility_notes:
        record["location"]["accessibility"] = [
            {"id": _linked_id("accessibility", service.pk), "location_id": record["location_id"],
             "details": service.accessibility_notes}
        ]
    return record


def taxonomy(taxonomy_: Taxonomy, terms: list | None = None) -> dict:
    record = {
        "id": taxonomy_.id,
        "name": taxonomy_.name,
        "description": taxonomy_.description,
        "uri": f"{settings.SITE_URL.rstrip('/')}/find-support/",
        "version": "1",
    }
    if terms is not None:
        record["taxonomy_terms"] = [taxonomy_term(term) for term in terms]
    return record


def taxonomy_term(term: Category | Need) -> dict:
    taxonomy_ = taxonomy_of(term)
    return {
        "id": oruk_id(TERM_KINDS[type(term)], term.pk),
        "name": term.name,
        "description": term.description or term.name,
        "taxonomy": taxonomy_.name,
        "taxonomy_id": taxonomy_.id,
        "term": term.slug,
    }


def page(feed_page, contents: list[dict]) -> dict:
    """The profile's paging envelope."""
    per_page = feed_page.paging.per_page
    total_pages = -(-feed_page.total // per_page)
    number = feed_page.paging.page
    return {
        "total_items": feed_page.total,
        "total_pages": total_pages,
        "page_number": number,
        "size": len(contents),
        "first_page": number == 1,
        "last_page": number >= total_pages,
        "empty": not contents,
        "contents": contents,
    }
