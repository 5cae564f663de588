"""Reads for the public directory: a page of search results, the form's choices, and demand for commissioners.

A search is three steps (`search_page`): the configured engine finds, orders and counts the matches (directory.search);
the page's services are re-checked live against the listing rule (providers/sql/listing.sql), in the one query that
reads what their cards show (directory/sql/cards.sql); a service the engine found but the rule no longer lists is not
shown.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, Value
from django.db.models.functions import Coalesce
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
from providers.selectors import listed_services

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
    #: "Community group" for a community group's listing, else "".
    kind_label: str = ""
    #: For an activity at a venue: where and when ("St John's Hall, every Tuesday 10am to 12 noon"), else "".
    activity: str = ""


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


_CARDS_SQL = "SELECT * FROM directory_cards(%s::bigint[], %s::date, %s::date, %s::text)"


def result_cards(hits: list[Hit], *, on: datetime.date, now: datetime.datetime) -> list[ResultCard]:
    """The cards of those hits the listing rule lists on the day, in the hits' order. One query
    (directory/sql/cards.sql): the live re-check and everything a card shows (weekly slots, the fortnight's days
    off, the provider's current checks)."""
    if not hits:
        return []
    horizon = on + datetime.timedelta(days=AVAILABILITY_HORIZON_DAYS)
    with connection.cursor() as cursor:
        cursor.execute(_CARDS_SQL, [[hit.service_id for hit in hits], on, horizon, settings.TIME_ZONE])
        by_id = {row[0]: row for row in cursor.fetchall()}
    return [_card(by_id[hit.service_id], hit, now) for hit in hits if hit.service_id in by_id]


def _card(row: tuple, hit: Hit, now: datetime.datetime) -> ResultCard:
    (service_id, title, description, price_pence, unit, provider_name, provider_slug, category_name, regulated,
     weekdays, starts, ends, days_off, check_kinds, check_days, provider_kind, delivery, venue_name, schedule) = row
    slots = [Slot(*slot) for slot in zip(weekdays or (), starts or (), ends or (), strict=True)]
    return ResultCard(
        service_id=service_id,
        title=title,
        provider_name=provider_name,
        provider_slug=provider_slug,
        category_name=category_name,
        regulated=regulated,
        price=price_label(price_pence, unit),
        summary=summary(description),
        next_available=describe_opening(next_opening(slots, set(days_off), now), now),
        badges=latest_badges(zip(check_kinds or (), check_days or (), strict=True)),
        distance=distance_label(hit.distance_m),
        kind_label="Community group" if provider_kind == "community_group" else "",
        activity=", ".join(part for part in (venue_name, schedule) if part) if delivery == "at_venue" else "",
    )


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

#: Words of the taxonomy's names too common to say anything about what was wanted.
_NOT_DEMAND = {"and", "the", "for", "with", "from", "out", "about", "help", "getting", "your", "you", "care", "home",
               "support", "other", "less", "more", "having", "being", "feeling"}


def _stem(word: str) -> str:
    """'walks' and 'walk', 'meals' and 'meal', are one word."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def demand_vocabulary() -> frozenset[str]:
    """The words typed searches are counted by: those of the kinds of support's and the needs' names, which
    commissioners curate in the admin (a new need such as "Lunch club" or "Sailing" adds its words). Cached with the
    taxonomy (TAXONOMY_TTL_SECONDS)."""
    choices = taxonomy_choices()
    words = set()
    for _, _, name in choices["category"] + choices["need"]:
        words.update(_stem(word) for word in _words(name) if word not in _NOT_DEMAND)
    return frozenset(words)


def _words(text: str) -> list[str]:
    return [word for word in "".join(c.lower() if c.isalpha() else " " for c in text).split() if len(word) >= 3]


def demand_words(text: str) -> dict:
    """What a search's typed words may tell commissioners without keeping personal text (docs/adr/0007): the words
    that are in the vocabulary ({"words": [...]}), and how many others there were ({"other_words": n}). Names,
    places and diagnoses are never in the vocabulary unless commissioners add them as a need."""
    if not text.strip():
        return {}
    vocabulary = demand_vocabulary()
    typed = [_stem(word) for word in "".join(c.lower() if c.isalpha() else " " for c in text).split()]
    known = sorted({word for word in typed if word in vocabulary})
    others = sum(1 for word in typed if word not in vocabulary)
    found = {}
    if known:
        found["words"] = known
    if others:
        found["other_words"] = others
    return found



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


# --- Typical local prices, for families ----------------------------------------------------------------------

#: Fewer listed prices than this say nothing typical: the wider area's figure is used instead (or none).
TYPICAL_MIN_PRICES = 3


@dataclass(frozen=True)
class TypicalPrice:
    """The middle half of the listed prices for a kind of support and unit, in a neighbourhood or the whole area."""

    low_pence: int
    high_pence: int
    count: int
    unit: str
    place: str = ""  # a neighbourhood's name; "" for the whole area

    @property
    def label(self) -> str:
        """'£15 to £19 per hour' (or one price when the middle half is one price)."""
        low = price_label(self.low_pence, self.unit)
        if self.low_pence == self.high_pence:
            return low
        return f"{low.rsplit(' ', 2)[0]} to {price_label(self.high_pence, self.unit)}"


_TYPICAL_SQL = """
WITH priced AS (
    SELECT listing.category_id, service.unit, listing.price_pence, listing.neighbourhood_ids
    FROM directory_listing AS listing JOIN providers_service AS service ON service.id = listing.service_id
    WHERE listing.service_id IN ({listed}) AND listing.category_id = ANY(%s) AND service.unit <> 'free'
)
SELECT category_id, unit, NULL::bigint, '', count(*),
       percentile_disc(0.25) WITHIN GROUP (ORDER BY price_pence),
       percentile_disc(0.75) WITHIN GROUP (ORDER BY price_pence)
FROM priced GROUP BY category_id, unit
UNION ALL
SELECT category_id, unit, area.id, area.name, count(*),
       percentile_disc(0.25) WITHIN GROUP (ORDER BY price_pence),
       percentile_disc(0.75) WITHIN GROUP (ORDER BY price_pence)
FROM priced JOIN places_neighbourhood AS area ON area.id = ANY(priced.neighbourhood_ids)
GROUP BY category_id, unit, area.id, area.name
"""


def typical_prices(*, category_ids: list[int], on: datetime.date | None = None) -> dict[tuple, TypicalPrice]:
    """{(category id, unit, neighbourhood id or None): TypicalPrice} over the services listed on the day, for the whole
    area and each neighbourhood, where there are at least TYPICAL_MIN_PRICES prices. One query."""
    if not category_ids:
        return {}
    sql, params = listed_services(on=on).values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_TYPICAL_SQL.format(listed=sql), [*params, list(category_ids)])
        rows = cursor.fetchall()
    return {
        (category, unit, area): TypicalPrice(low, high, count, unit, name)
        for category, unit, area, name, count, low, high in rows if count >= TYPICAL_MIN_PRICES
    }


def typical_price_for(prices: dict[tuple, TypicalPrice], *, category_id: int, unit: str,
                      neighbourhood_ids: list[int] | tuple[int, ...] = ()) -> TypicalPrice | None:
    """The typical price to show: the neighbourhood's when there is exactly one and it has enough prices, else the
    whole area's, else None."""
    if len(neighbourhood_ids) == 1 and (category_id, unit, neighbourhood_ids[0]) in prices:
        return prices[category_id, unit, neighbourhood_ids[0]]
    return prices.get((category_id, unit, None))
