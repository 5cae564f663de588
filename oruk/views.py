"""The Open Referral UK v3 feed, under /oruk/. Thin: parameters are checked (params), selectors read, documents
shape the JSON, http adds what every answer shares (CORS, caching headers, throttling, JSON errors)."""

from __future__ import annotations

from pathlib import Path

from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse

from . import documents, selectors
from .http import endpoint, feed, not_found
from .ids import pk_from_id
from .params import paging, service_query

STANDARD = Path(__file__).resolve().parent / "standard"
PROFILE_URL = "https://github.com/openreferral/uk-profile"


@endpoint
def meta(request: HttpRequest) -> HttpResponse:
    return feed(request, {
        "version": "3.0",
        "profile": PROFILE_URL,
        "openapi_url": request.build_absolute_uri(reverse("oruk:openapi")),
    })


@endpoint
def openapi(request: HttpRequest) -> HttpResponse:
    return FileResponse((STANDARD / "openapi.json").open("rb"), content_type="application/json")


@endpoint
def services(request: HttpRequest) -> HttpResponse:
    found = selectors.services_page(service_query(request.GET))
    contents = [documents.service_summary(service) for service in found.items]
    return feed(request, documents.page(found, contents))


@endpoint
def service(request: HttpRequest, id: str) -> HttpResponse:
    pk = pk_from_id("service", id)
    found = selectors.service_detail(pk) if pk is not None else None
    if found is None:
        return not_found("listed service")
    return feed(request, documents.service_full(found))


@endpoint
def service_at_locations(request: HttpRequest) -> HttpResponse:
    found = selectors.services_page(service_query(request.GET))
    contents = [documents.service_at_location(service, distance_m=found.distances.get(service.pk))
                for service in found.items]
    return feed(request, documents.page(found, contents))


@endpoint
def service_at_location(request: HttpRequest, id: str) -> HttpResponse:
    pk = pk_from_id("service_at_location", id)
    found = selectors.service_detail(pk) if pk is not None else None
    if found is None:
        return not_found("service at a location")
    return feed(request, documents.service_at_location_full(found))


@endpoint
def taxonomies(request: HttpRequest) -> HttpResponse:
    found = selectors.taxonomies_page(paging(request.GET))
    return feed(request, documents.page(found, [documents.taxonomy(taxonomy) for taxonomy in found.items]))


@endpoint
def taxonomy(request: HttpRequest, id: str) -> HttpResponse:
    found = selectors.taxonomy_detail(id)
    if found is None:
        return not_found("taxonomy")
    return feed(request, documents.taxonomy(found, selectors.terms_of(found)))


@endpoint
def taxonomy_terms(request: HttpRequest) -> HttpResponse:
    found = selectors.taxonomy_terms_page(paging(request.GET))
    return feed(request, documents.page(found, [documents.taxonomy_term(term) for term in found.items]))


@endpoint
def taxonomy_term(request: HttpRequest, id: str) -> HttpResponse:
    found = selectors.taxonomy_term_detail(id)
    if found is None:
        return not_found("taxonomy term")
    return feed(request, documents.taxonomy_term(found))
