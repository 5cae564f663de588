"""Reads for the public directory: a page of search results, the form's choices, and demand for commissioners.

A search is three steps (`search_page`): the configured engine finds, orders and counts the matches (directory.search);
the page's services are re-checked live against the listing rule (providers.selectors.listed_services), which also
reads what their cards show, in one query; a service the engine found but the rule no longer lists is not shown.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import BooleanField, Count, F, Func, OuterRef, Q, Value
from django.db.models.functions import Coalesce, JSONObject
from django.utils import timezone

from market.core.cache import cached
from market.taxonomy.models import Category, Need
from providers.display import (
    AVAILABILITY_HORIZON_DAYS,
    Badge,
    Slot,
    describe_opening,
    latest_badges,
    next_opening,
    price_label,
)
from providers.models import AvailabilityException, ProviderCheck, ServiceAvailability
from providers.selectors import checks_current, listed_services

from .models import SearchRecord
from .search import Hit, SearchCriteria, search_engine

logger = logging.getLogger(__name__)

PAGE_SIZE = 20
SUMMARY_WORDS = 40


@dataclass(frozen=True)
class ResultCard:
    """What one search result shows."""

    service_id: int
    title: str
    provider_name: str
    provider_slug: str
    category_name: str
    regulated: bool
    price: str
    summary: str
    next_available: str
    badges: list[Badge]
    distance: str = ""


@dataclass
class ResultsPage:
    cards: list[ResultCard]
    total: int
    number: int
    size: int = PAGE_SIZE
    #: False when there are more matches than the engine counts ("more than 1,000 results").
    total_is_exact: bool = True
    message: str = ""
    pages: list[int] = field(default_factory=list)

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.total else 0


def search_page(criteria: SearchCriteria, *, number: int, today: datetime.date | None = None,
                now: datetime.datetime | None = None, size: int = PAGE_SIZE) -> ResultsPage:
    """Page `number` of the results: the engine's matches, re-checked live, as cards. A page past the end gives the
    last page, saying so."""
    now = timezone.localtime(now)
    today = today or now.date()
    engine = search_engine()
    found = engine.search(criteria, on_day=today, offset=(number - 1) * size, limit=size)
    message = ""
    if not found.hits and number > 1 and found.total:
        last = max(1, -(-found.total // size))
        pages = "is only 1 page" if last == 1 else f"are only {last} pages"
        message = f"There {pages} of results, so here is the last one."
        number = last
        found = engine.search(criteria, on_day=today, offset=(number - 1) * size, limit=size)
    cards = result_cards(found.hits, on=today, now=now)
    dropped = len(found.hits) - len(cards)
    if dropped:
        logger.warning("The search engine found %d service(s) the listing rule no longer lists: %s", dropped,
                       sorted({hit.service_id for hit in found.hits} - {card.service_id for card in cards}))
    return ResultsPage(cards, found.total - dropped, number, size, found.total_is_exact, message)


def result_cards(hits: list[Hit], *, on: datetime.date, now: datetime.datetime) -> list[ResultCard]:
    """The cards of those hits the listing rule lists on the day, in the hits' order. One query: the live re-check
    and everything a card shows (weekly slots, the fortnight's days off, the provider's current checks)."""
    if not hits:
        return []
    horizon = on + datetime.timedelta(days=AVAILABILITY_HORIZON_DAYS)
    rows = (
        listed_services(on=on)
        .filter(pk__in=[hit.service_id for hit in hits])
        .values("pk", "title", "description", "price_pence", "unit", "provider__name", "provider__slug",
                "category__name")
        .annotate(
            regulated=Func(F("pk"), function="providers_service_regulated", output_field=BooleanField()),
            slots=ArraySubquery(
                ServiceAvailability.objects.filter(service=OuterRef("pk"))
                .values(json=JSONObject(weekday="weekday", starts_at="starts_at", ends_at="ends_at"))
            ),
            days_off=ArraySubquery(
                AvailabilityException.objects.filter(service=OuterRef("pk"), is_available=False,
                                                     date__range=(on, horizon)).values("date")
            ),
            checks=ArraySubquery(
                checks_current(ProviderCheck.objects.filter(provider=OuterRef("provider_id")), on=on)
                .order_by("check_type__sort_order", "-decided_at")
                .values(json=JSONObject(kind="check_type__name", decided_at="decided_at", issued_on="issued_on"))
            ),
        )
    )
    by_id = {row["pk"]: row for row in rows}
    return [_card(by_id[hit.service_id], hit, now) for hit in hits if hit.service_id in by_id]


def _card(row: dict, hit: Hit, now: datetime.datetime) -> ResultCard:
    slots = [Slot(s["weekday"], datetime.time.fromisoformat(s["starts_at"]), datetime.time.fromisoformat(s["ends_at"]))
             for s in row["slots"]]
    return ResultCard(
        service_id=row["pk"],
        title=row["title"],
        provider_name=row["provider__name"],
        provider_slug=row["provider__slug"],
        category_name=row["category__name"],
        regulated=row["regulated"],
        price=price_label(row["price_pence"], row["unit"]),
        summary=summary(row["description"]),
        next_available=describe_opening(next_opening(slots, set(row["days_off"]), now), now),
        badges=latest_badges((check["kind"], _badge_day(check)) for check in row["checks"]),
        distance=distance_label(hit.distance_m),
    )


def _badge_day(check: dict) -> datetime.date:
    """A badge is dated by the day the council approved the check (local time), else the day it was issued."""
    if check["decided_at"]:
        return timezone.localdate(datetime.datetime.fromisoformat(check["decided_at"]))
    return datetime.date.fromisoformat(check["issued_on"])


def summary(description: str) -> str:
    """The first 40 words, whitespace folded, "…" after a cut."""
    words = description.split()
    if len(words) <= SUMMARY_WORDS:
        return " ".join(words)
    return " ".join(words[:SUMMARY_WORDS]) + "…"


def distance_label(metres: float | None) -> str:
    if metres is None:
        return ""
    miles = metres / 1609.344
    if miles < 0.1:
        return "Less than 0.1 miles away"
    return f"{miles:.1f} miles away"


#: Categories and needs change a few times a year (commissioners edit them in the admin); the search form needs
#: them on every request, so they are kept in the cache this long.
TAXONOMY_TTL_SECONDS = 60
TAXONOMY_CACHE_KEY = "directory:taxonomy:v2"


def taxonomy_choices() -> dict[str, list[tuple[int, str, str]]]:
    """{"category": [(id, slug, name)...], "need": [...]}, in the admin's order, at most TAXONOMY_TTL_SECONDS old."""
    return cached(TAXONOMY_CACHE_KEY, TAXONOMY_TTL_SECONDS, lambda: {
        "category": list(Category.objects.values_list("pk", "slug", "name")),
        "need": list(Need.objects.values_list("pk", "slug", "name")),
    })


# --- Demand, for commissioners ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemandRow:
    district: str
    category: str
    searches: int
    unmet: int


def search_demand(*, since: datetime.datetime, until: datetime.datetime | None = None) -> list[DemandRow]:
    """Searches per postcode district and category in a period, and how many found nothing (unmet need),
    most unmet first. One query. Searches without a postcode are counted under district ""."""
    records = SearchRecord.objects.filter(searched_at__gte=since)
    if until is not None:
        records = records.filter(searched_at__lt=until)
    rows = (
        records.values("district")
        .annotate(
            category_name=Coalesce("category__name", Value("Any kind of support")),
            searches=Count("pk"),
            unmet=Count("pk", filter=Q(result_count=0)),
        )
        .order_by("-unmet", "-searches", "district", "category_name")
    )
    return [DemandRow(r["district"], r["category_name"], r["searches"], r["unmet"]) for r in rows]
