"""Reads for the Open Referral UK feed. Every list of services goes through the directory's one search engine
(directory.search): the engine finds, orders and counts; the page's services are then re-checked live against the
listing rule (providers.selectors.listed_services) in the query that reads what the feed shows, as the directory's
own results are (directory.selectors.search_page). Queries per page do not grow with the page size.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from django.db.models import QuerySet
from django.utils import timezone

from directory.search import SearchCriteria, search_engine
from market.places.selectors import UnknownPostcode, place_for_postcode
from market.taxonomy.models import Category, Need
from providers.models import Service
from providers.selectors import listed_services

from .ids import oruk_id, pk_from_id
from .params import Paging, ServiceQuery

logger = logging.getLogger(__name__)

#: Everyone the market serves is an adult: a service's minimum_age in the feed, and what age filters compare with.
ADULT_AGE = 18
#: A feed must say exactly how many pages there are, so the engine is asked to count this far (not its usual 1,000).
EXACT_COUNT_LIMIT = 1_000_000

T = TypeVar("T")


@dataclass(frozen=True)
class Taxonomy:
    """One of the market's two vocabularies, published as an Open Referral taxonomy."""

    pk: int
    name: str
    description: str
    model: type

    @property
    def id(self) -> str:
        return oruk_id("taxonomy", self.pk)


TAXONOMIES = (
    Taxonomy(1, "Kinds of support", "What a service is: the market's categories of care and support.", Category),
    Taxonomy(2, "Needs", "What a service is for: the needs people and their coordinators describe.", Need),
)
TERM_KINDS = {Category: "category", Need: "need"}


@dataclass
class FeedPage(Generic[T]):
    items: list[T]
    total: int
    paging: Paging
    #: Metres from the postcode asked about to each service's provider (service pk -> metres), with a postcode.
    distances: dict[int, float | None] = field(default_factory=dict)


def _services(on: datetime.date, *, full: bool) -> QuerySet[Service]:
    services = listed_services(on=on).select_related("provider", "category")
    if full:
        services = services.prefetch_related(
            "needs", "availability", "neighbourhoods", "provider__neighbourhoods"
        )
    return services


def _criteria(query: ServiceQuery) -> SearchCriteria | None:
    """The engine's criteria for the query, or None when nothing can match (an unknown term, postcode...)."""
    category = need = None
    has_need = False
    if query.taxonomy_term_id is not None:
        if (pk := pk_from_id("category", query.taxonomy_term_id)) is not None:
            category = Category.objects.filter(pk=pk).first()
        elif (pk := pk_from_id("need", query.taxonomy_term_id)) is not None:
            need = Need.objects.filter(pk=pk).first()
        if category is None and need is None:
            return None
    if query.taxonomy_id is not None:
        taxonomy = next((t for t in TAXONOMIES if t.id == query.taxonomy_id), None)
        if taxonomy is None:
            return None
        has_need = taxonomy.model is Need  # every service has a kind of support; not every one meets a need
    if query.maximum_age is not None and query.maximum_age < ADULT_AGE:
        return None
    place = None
    if query.postcode is not None:
        try:
            place = place_for_postcode(query.postcode)
        except UnknownPostcode:
            return None
    return SearchCriteria(
        place=place, text=query.search, category=category, need=need, has_need=has_need, weekday=query.day,
        hours=query.hours, within_m=query.proximity_m, sort="newest" if not query.search and place is None else "best",
    )


def services_page(query: ServiceQuery, *, full: bool = False, on: datetime.date | None = None) -> FeedPage[Service]:
    """A page of the services listed today that match the query, in the engine's order (nearest first with a
    postcode, most relevant first with words, else newest first), with the exact total."""
    on = on or timezone.localdate()
    criteria = _criteria(query)
    if criteria is None:
        return FeedPage([], 0, query.paging)
    found = search_engine().search(criteria, on_day=on, offset=query.paging.offset, limit=query.paging.per_page,
                                   count_limit=EXACT_COUNT_LIMIT)
    ids = [hit.service_id for hit in found.hits]
    by_id = {service.pk: service for service in _services(on, full=full).filter(pk__in=ids)} if ids else {}
    services = [by_id[pk] for pk in ids if pk in by_id]
    if dropped := len(ids) - len(services):
        logger.warning("The search engine found %d service(s) the listing rule no longer lists", dropped)
    distances = {hit.service_id: hit.distance_m for hit in found.hits}
    return FeedPage(services, found.total - dropped, query.paging, distances)


def service_detail(pk: int, *, on: datetime.date | None = None) -> Service | None:
    """A listed service with everything the feed shows of it, or None. Five queries."""
    return _services(on or timezone.localdate(), full=True).filter(pk=pk).first()


# --- Taxonomies ---------------------------------------------------------------------------------------------

def taxonomies_page(paging: Paging) -> FeedPage[Taxonomy]:
    return FeedPage(list(TAXONOMIES[paging.offset:paging.offset + paging.per_page]), len(TAXONOMIES), paging)


def taxonomy_detail(taxonomy_id: str) -> Taxonomy | None:
    return next((t for t in TAXONOMIES if t.id == taxonomy_id), None)


def _terms(model: type) -> list:
    return list(model.objects.order_by(*model._meta.ordering, "pk"))


def terms_of(taxonomy: Taxonomy) -> list:
    return _terms(taxonomy.model)


def taxonomy_terms_page(paging: Paging) -> FeedPage:
    """Kinds of support, then needs. Two queries: both vocabularies are a few dozen rows."""
    terms = _terms(Category) + _terms(Need)
    return FeedPage(terms[paging.offset:paging.offset + paging.per_page], len(terms), paging)


def taxonomy_term_detail(term_id: str) -> Category | Need | None:
    for model, kind in TERM_KINDS.items():
        if (pk := pk_from_id(kind, term_id)) is not None:
            return model.objects.filter(pk=pk).first()
    return None


def taxonomy_of(term: Category | Need) -> Taxonomy:
    return next(t for t in TAXONOMIES if isinstance(term, t.model))
