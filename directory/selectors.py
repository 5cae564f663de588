"""Reads for the public directory and the provider storefronts.

Everything shown to the public starts from `providers.selectors.listed_services()` (or `listed_providers()`),
the single source of truth for what may be listed. A web search filters, counts, orders and pages on the
process's in-memory copy of the search table (index.py), which also holds what the cards show, and asks
PostgreSQL which of the page's services that rule lists today; inside a transaction the same search runs in SQL
on the table (search_page). `search_services()` is the rule evaluated in one query, kept as the reference the
tests compare both with. Storefronts read a fixed number of queries whatever the number of services.
"""

from __future__ import annotations

import datetime
import functools
import json
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.expressions import Func
from django.db.models.functions import Concat, Lower, Sqrt
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from market.core.compiled import run_prepared
from market.places.models import Postcode
from market.places.selectors import Place
from market.taxonomy.models import Category, Need
from providers.models import (
    AvailabilityException,
    CheckStatus,
    PriceUnit,
    Provider,
    ProviderCheck,
    Service,
    ServiceAvailability,
)
from providers.selectors import checks_current, listed_providers, listed_services

PAGE_SIZE = 20
SUMMARY_WORDS = 40
MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December"]
EARTH_RADIUS_KM = 6371.0
#: How far ahead "next available" looks.
AVAILABILITY_HORIZON_DAYS = 14

PERIODS = {
    "morning": ("Morning (8am to 12 noon)", datetime.time(8), datetime.time(12)),
    "afternoon": ("Afternoon (12 noon to 5pm)", datetime.time(12), datetime.time(17)),
    "evening": ("Evening (5pm to 10pm)", datetime.time(17), datetime.time(22)),
}
SORTS = {"distance": "Distance (nearest first)", "price": "Price (lowest first)", "newest": "Newest first"}
WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

#: The full-text document of a service. The GIN index in directory/migrations/0002 is built from this very
#: expression (the planner only uses an expression index when the query's expression is identical).
SEARCH_CONFIG = "english"


#: Categories and needs change a few times a year (commissioners edit them in the admin); the search form needs
#: them on every request, so they are kept in the cache (one Redis read instead of two queries) this long.
TAXONOMY_TTL_SECONDS = 60
TAXONOMY_CACHE_KEY = "directory:taxonomy:v1"


def taxonomies() -> dict[str, list]:
    """{"category": all categories, "need": all needs}, at most TAXONOMY_TTL_SECONDS old (one cache read)."""
    from django.core.cache import cache

    return cache.get_or_set(
        TAXONOMY_CACHE_KEY,
        lambda: {"category": list(Category.objects.all()), "need": list(Need.objects.all())},
        TAXONOMY_TTL_SECONDS,
    )


def taxonomy(kind: str) -> list:
    """All categories (kind="category") or needs (kind="need"), at most TAXONOMY_TTL_SECONDS old."""
    return taxonomies()[kind]


def service_search_vector() -> SearchVector:
    return SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
        "description", weight="B", config=SEARCH_CONFIG
    )


@dataclass(frozen=True)
class SearchCriteria:
    place: Place | None = None
    text: str = ""
    category: Category | None = None
    need: Need | None = None
    weekday: int | None = None
    period: str | None = None
    max_price_pence: int | None = None
    language: str = ""
    regulated: str = ""
    council_budget: bool = False
    sort: str = "best"

    @property
    def slot_cells(self) -> list[int] | None:
        """The weekday * 24 + hour cells asked for (the search table's slot_hours), None if no day or time was."""
        if self.weekday is None and not self.period:
            return None
        days = [self.weekday] if self.weekday is not None else range(7)
        if self.period:
            _, starts, ends = PERIODS[self.period]
            hours = range(starts.hour, ends.hour)  # the periods start and end on the hour
        else:
            hours = range(24)
        return [day * 24 + hour for day in days for hour in hours]

    @property
    def effective_sort(self) -> str:
        if self.sort != "best":
            return self.sort
        if self.text:
            return "relevance"
        return "distance" if self.place else "newest"

    def record_filters(self) -> dict:
        """The filters, as stored in an anonymous SearchRecord (no free text, no full postcode)."""
        filters = {
            "weekday": self.weekday,
            "period": self.period,
            "max_price_pence": self.max_price_pence,
            "language": self.language or None,
            "regulated": self.regulated or None,
            "council_budget": self.council_budget or None,
            "has_text": bool(self.text) or None,
            "sort": self.sort if self.sort != "best" else None,
            "category": self.category.slug if self.category else None,
            "need": self.need.slug if self.need else None,
        }
        return {key: value for key, value in filters.items() if value is not None}


def _distance_km(lat: float, lng: float):
    """Equirectangular distance in km from (lat, lng) to the row's latitude/longitude: accurate to well
    under 1% across a borough, and cheap enough to compute for every candidate row in SQL."""
    per_degree = math.radians(1)
    dx = (F("longitude") - Value(lng)) * Value(per_degree * math.cos(math.radians(lat)))
    dy = (F("latitude") - Value(lat)) * Value(per_degree)
    return Value(EARTH_RADIUS_KM) * Sqrt(dx * dx + dy * dy)


def _provider_distance(place: Place) -> Subquery:
    """Distance from the place to the provider's base postcode (NULL if the postcode is not in our table)."""
    return Subquery(
        Postcode.objects.filter(postcode=OuterRef("provider__postcode"))
        .annotate(km=_distance_km(place.latitude, place.longitude))
        .values("km")[:1],
        output_field=FloatField(),
    )


def _neighbourhood_filter(place: Place) -> dict:
    if place.neighbourhood is not None:
        return {"neighbourhood_id": place.neighbourhood.pk}
    # A district ("WN5"): every neighbourhood that has postcodes in it.
    return {
        "neighbourhood_id__in": Postcode.objects.filter(district=place.district, neighbourhood__isnull=False)
        .values("neighbourhood_id")
        .distinct()
    }


def _covers(place: Place) -> Q:
    """The service reaches the place: it lists the place's neighbourhood; or the place is within its travel
    radius of the provider's base; or, for a service that names neither, its provider covers the area."""
    where = _neighbourhood_filter(place)
    service_areas = Service.neighbourhoods.through.objects.filter(service_id=OuterRef("pk"))
    provider_areas = Provider.neighbourhoods.through.objects.filter(provider_id=OuterRef("provider_id"))
    return (
        Q(Exists(service_areas.filter(**where)))
        | Q(travel_radius_km__isnull=False, distance_km__lte=F("travel_radius_km"))
        | (Q(travel_radius_km__isnull=True) & ~Q(Exists(service_areas)) & Q(Exists(provider_areas.filter(**where))))
    )


def _regulated() -> Q:
    return Q(is_regulated_personal_care=True) | Q(category__is_regulated_personal_care=True)


def search_services(criteria: SearchCriteria, *, on: datetime.date | None = None) -> QuerySet[Service]:
    """Listed services matching the criteria, annotated with `distance_km` (when a place is given) and
    `rank` (when words are given), in the requested order. Not yet evaluated: paginate it."""
    qs = listed_services(on=on)

    if criteria.place is not None:
        qs = qs.annotate(distance_km=_provider_distance(criteria.place)).filter(_covers(criteria.place))
    if criteria.text:
        query = SearchQuery(criteria.text, search_type="websearch", config=SEARCH_CONFIG)
        # Match on the indexed document (title and description); rank on the title alone: ranking needs the
        # tsvector of every matching row, and rebuilding it from long descriptions dominated the query time.
        title = SearchVector("title", config=SEARCH_CONFIG)
        # alias, not annotate: the document is only matched (via the GIN index), never selected; selecting it
        # would rebuild every matching row's tsvector from its description.
        qs = qs.alias(document=service_search_vector()).filter(document=query).annotate(
            rank=SearchRank(title, query)
        )
    if criteria.category is not None:
        qs = qs.filter(category=criteria.category)
    if criteria.need is not None:
        meets = Service.needs.through.objects.filter(service_id=OuterRef("pk"), need_id=criteria.need.pk)
        qs = qs.filter(Q(Exists(meets)) | Q(category__needs=criteria.need))
    if criteria.weekday is not None or criteria.period:
        slots = ServiceAvailability.objects.filter(service=OuterRef("pk"))
        if criteria.weekday is not None:
            slots = slots.filter(weekday=criteria.weekday)
        if criteria.period:
            _, starts, ends = PERIODS[criteria.period]
            slots = slots.filter(starts_at__lt=ends, ends_at__gt=starts)
        qs = qs.filter(Exists(slots))
    if criteria.max_price_pence is not None:
        qs = qs.filter(price_pence__lte=criteria.max_price_pence)
    if criteria.language:
        spoken = Lower(Concat(
            Value("|"), Func(F("languages"), Value("|"), function="array_to_string", output_field=CharField()),
            Value("|"), output_field=CharField(),
        ))
        qs = qs.alias(spoken=spoken).filter(spoken__contains=f"|{criteria.language.lower()}|")
    if criteria.regulated == "only":
        qs = qs.filter(_regulated())
    elif criteria.regulated == "exclude":
        qs = qs.exclude(_regulated())
    if criteria.council_budget:
        qs = qs.filter(council_budget_ok=True)

    order = {
        "relevance": [F("rank").desc(), "price_pence", "pk"],
        "distance": [F("distance_km").asc(nulls_last=True), "price_pence", "pk"],
        "price": ["price_pence", "pk"],
        "newest": ["-created_at", "-pk"],
    }[criteria.effective_sort]
    return qs.select_related("provider", "category").order_by(*order)


@dataclass
class ResultsPage:
    """One page of results, counted in the same query that fetches it (COUNT(*) OVER ())."""

    services: list[Service]
    total: int
    number: int
    size: int
    message: str = ""
    rows: list = field(default_factory=list)

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
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.total else 0


def results_page(services: QuerySet[Service], *, number: int, size: int = PAGE_SIZE) -> ResultsPage:
    """Fetch page `number` and the total in one query. A page past the end gives the last page, saying so."""
    counted = services.annotate(total_found=Window(Count("pk")))
    rows = list(counted[(number - 1) * size: number * size])
    if rows:
        return ResultsPage(rows, rows[0].total_found, number, size)
    if number == 1:
        return ResultsPage([], 0, 1, size)
    total = services.count()
    last = max(1, -(-total // size))
    message = ""
    if total:
        pages = "is only 1 page" if last == 1 else f"are only {last} pages"
        message = f"There {pages} of results, so here is the last one."
    rows = list(counted[(last - 1) * size: last * size]) if total else []
    return ResultsPage(rows, total, last, size, message)


# --- The fast path: the search table ------------------------------------------------------------------------


def _listing_sql(criteria: SearchCriteria, today: datetime.date) -> tuple[str, str, str, list, list]:
    """(select, where, order, select params, where params) over directory_listing `l`: the same filters, distance,
    rank and order as search_services(), on the denormalised table (see models.Listing)."""
    where = ["(l.listed_from IS NULL OR l.listed_from <= %s)", "(l.listed_until IS NULL OR l.listed_until >= %s)"]
    where_params: list = [today, today]
    select = ["l.service_id", "NULL::float AS distance_km", "NULL::float AS rank",
              "l.price_pence AS sort_price", "l.created_at AS sort_created"]
    select_params: list = []
    if criteria.place is not None:
        place = criteria.place
        per_degree = math.radians(1)
        across = per_degree * math.cos(math.radians(place.latitude))
        # Squares as products, as search_services() and index.py compute them (power(x, 2) can differ in the
        # last bit).
        distance = ("(%s * sqrt(((l.longitude - %s) * %s) * ((l.longitude - %s) * %s)"
                    " + ((l.latitude - %s) * %s) * ((l.latitude - %s) * %s)))")
        distance_params = [EARTH_RADIUS_KM, place.longitude, across, place.longitude, across,
                           place.latitude, per_degree, place.latitude, per_degree]
        select[1] = f"{distance} AS distance_km"
        select_params += distance_params
        if place.neighbourhood is not None:
            areas, area_params = "ARRAY[%s]::bigint[]", [place.neighbourhood.pk]
        else:
            areas = ("ARRAY(SELECT DISTINCT pc.neighbourhood_id FROM places_postcode pc "
                     "WHERE pc.district = %s AND pc.neighbourhood_id IS NOT NULL)::bigint[]")
            area_params = [place.district]
        where.append(f"(l.neighbourhood_ids && {areas} OR "
                     f"(l.travel_radius_km IS NOT NULL AND {distance} <= l.travel_radius_km))")
        where_params += [*area_params, *distance_params]
    if criteria.text:
        query = "websearch_to_tsquery('english'::regconfig, %s)"
        where.append(f"l.document @@ {query}")
        where_params.append(criteria.text)
        select[2] = f"ts_rank(l.title_document, {query}) AS rank"
        select_params.append(criteria.text)
    if criteria.category is not None:
        where.append("l.category_id = %s")
        where_params.append(criteria.category.pk)
    if criteria.need is not None:
        where.append("l.need_ids @> ARRAY[%s]::bigint[]")
        where_params.append(criteria.need.pk)
    if criteria.slot_cells is not None:
        where.append("l.slot_hours && %s::smallint[]")
        where_params.append(criteria.slot_cells)
    if criteria.max_price_pence is not None:
        where.append("l.price_pence <= %s")
        where_params.append(criteria.max_price_pence)
    if criteria.language:
        where.append("l.languages @> ARRAY[%s]::varchar[]")
        where_params.append(criteria.language.lower())
    if criteria.regulated == "only":
        where.append("l.regulated")
    elif criteria.regulated == "exclude":
        where.append("NOT l.regulated")
    if criteria.council_budget:
        where.append("l.council_budget_ok")
    order = {
        # Output column names only, so the same ORDER BY works on the page and on a query around it.
        "relevance": "rank DESC, sort_price, service_id",
        "distance": "distance_km ASC NULLS LAST, sort_price, service_id",
        "price": "sort_price, service_id",
        "newest": "sort_created DESC, service_id DESC",
    }[criteria.effective_sort]
    return ", ".join(select), " AND ".join(where), order, select_params, where_params


def _page_with_cards(criteria: SearchCriteria, today: datetime.date, now: datetime.datetime, *, offset: int,
                     limit: int) -> tuple[list[tuple], dict[int, ResultRow]]:
    """One round trip: the page's rows from the search table with the total ((id, distance, rank, total), in
    order) and, for those among them that listed_services() lists today, what their cards show."""
    select, where, order, select_params, where_params = _listing_sql(criteria, today)
    listed_sql, listed_params = _listed_sql(today)
    card_columns, card_params = _card_sql(today)
    # Only constant SQL fragments (and Django's own compiled SQL) are joined here; every value is a parameter.
    narrowed = any((criteria.place, criteria.text, criteria.category, criteria.need))
    if criteria.effective_sort in ("price", "newest") and narrowed:
        # COUNT(*) OVER () needs every match, so a LIMIT cannot stop an index walk in price or newest order early,
        # yet PostgreSQL chose to walk the whole listing_price/listing_newest index (44,661 rows, 12-13 ms) even
        # when the filters' own index finds a few hundred matches. Materialising the matches first makes it use
        # the filters' index (5-7 ms). Without a narrowing filter most rows match and the walk is the better plan.
        sql = f"""
        WITH matches AS MATERIALIZED (
            SELECT {select} FROM directory_listing l WHERE {where}
        ), page AS (
            SELECT matches.*, COUNT(*) OVER () AS total FROM matches ORDER BY {order} LIMIT %s OFFSET %s
        )"""  # noqa: S608
    else:
        sql = f"""
        WITH page AS (
            SELECT {select}, COUNT(*) OVER () AS total FROM directory_listing l WHERE {where}
            ORDER BY {order} LIMIT %s OFFSET %s
        )"""  # noqa: S608
    sql += f"""
        SELECT page.service_id, page.distance_km, page.rank, page.total, s.id IS NOT NULL AS listed, {card_columns}
          FROM page
          LEFT JOIN (providers_service s
                     JOIN providers_provider p ON p.id = s.provider_id
                     JOIN taxonomy_category c ON c.id = s.category_id)
            ON s.id = page.service_id
           AND s.id IN (SELECT listed.pk FROM ({listed_sql}) listed
                         WHERE listed.pk IN (SELECT page.service_id FROM page))
         ORDER BY {order}
    """  # noqa: S608
    params = [*select_params, *where_params, limit, offset, *card_params, *listed_params]
    # A prepared statement (one per shape of the filters): PostgreSQL plans the listing rule's subqueries once
    # per connection instead of on every search (~1.4 ms). Counted by Django like any query (compiled.py).
    fetched = run_prepared(sql, params)
    rows = [values[:4] for values in fetched]
    local_now = timezone.localtime(now)
    cards = {values[0]: _card((values[0], *values[5:]), local_now) for values in fetched if values[4]}
    return rows, cards


def _listing_count(criteria: SearchCriteria, today: datetime.date) -> int:
    from django.db import connection

    _, where, _, _, where_params = _listing_sql(criteria, today)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM directory_listing l WHERE {where}", where_params)  # noqa: S608
        return cursor.fetchone()[0]


def search_page(criteria: SearchCriteria, *, number: int, today: datetime.date | None = None,
                now: datetime.datetime | None = None, size: int = PAGE_SIZE, index=None) -> ResultsPage:
    """One page of results and the total, from the search table, the page re-checked live: its services are
    joined to listed_services()'s own SQL (restricted to the page's ≤20 ids) with what a result card shows. A row
    the live rule refuses is never shown (the table is an index, not the rule); it can only happen when a
    provider's checks have a gap between them, and it is logged.

    The matching, counting and ordering run on `index` (index.py: the table in memory) if given, else in SQL on
    the table itself (inside a transaction, which may see its own uncommitted changes, the view gives no index).
    A page past the end gives the last page, saying so. Same order and total as search_services()."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    offset = (number - 1) * size
    message = ""
    if index is not None:
        search = functools.partial(index.search, criteria, today, limit=size)
        hits = search(offset=offset)
        if not hits.rows and number > 1:
            number, message = _last_page(hits.total, size)
            hits = search(offset=(number - 1) * size)
        rows, total = hits.rows, hits.total
        cards = _cards_from_index(index, [row[0] for row in rows], today, now) if rows else {}
    else:
        rows, cards = _page_with_cards(criteria, today, now, offset=offset, limit=size)
        if not rows and number > 1:
            number, message = _last_page(_listing_count(criteria, today), size)
            rows, cards = _page_with_cards(criteria, today, now, offset=(number - 1) * size, limit=size)
        total = rows[0][3] if rows else 0
    if not rows:
        return ResultsPage([], 0, number, size, message)
    ids = [row[0] for row in rows]
    shown = []
    for service_id, distance_km, rank, *_ in rows:
        card = cards.get(service_id)
        if card is None:
            continue
        if criteria.place is not None:
            card.service.distance_km = distance_km
            card.distance = distance_label(distance_km)
        if criteria.text:
            card.service.rank = rank
        shown.append(card)
    if len(shown) != len(rows):
        import logging

        logging.getLogger(__name__).warning(
            "directory_listing had %d row(s) the live listing rule refuses: %s",
            len(rows) - len(shown), sorted(set(ids) - set(cards)),
        )
        total -= len(rows) - len(shown)
    page = ResultsPage([card.service for card in shown], total, number, size, message)
    page.rows = shown
    return page


def _last_page(total: int, size: int) -> tuple[int, str]:
    """(the last page's number, what to tell someone who asked for a page past it)."""
    last = max(1, -(-total // size))
    if not total:
        return last, ""
    pages = "is only 1 page" if last == 1 else f"are only {last} pages"
    return last, f"There {pages} of results, so here is the last one."


def _cards_from_index(index, ids: list[int], today: datetime.date, now: datetime.datetime) -> dict[int, ResultRow]:
    """The result cards of these services, for those of them that listed_services() lists today: which, asked of
    PostgreSQL (one query); what they show, from the index (read with its rows). A service the index has no card
    for (committed between reading the rows and the cards) is read live."""
    listed_among, listed_params = _listed_among_sql(today)
    listed = {row[0] for row in run_prepared(listed_among, [*listed_params, ids])}
    local_now = timezone.localtime(now)
    cards, unknown = {}, []
    for service_id in ids:
        if service_id not in listed:
            continue
        card = _card_from_facts(index, service_id, local_now)
        if card is None:
            unknown.append(service_id)
        else:
            cards[service_id] = card
    if unknown:
        cards.update(_cards_for(unknown, today, now))
    return cards


@dataclass(frozen=True)
class CardParts:
    """A service's result card made ready from what the index keeps, but for what depends on the search (the
    distance) and the day (next available, which checks are current): see _card_from_facts."""

    service: tuple  # CardService's fields
    provider_id: int
    price: str
    regulated: bool
    summary: str
    by_weekday: dict
    days_off: frozenset
    head: str  # escaped HTML (cards.py)
    kind: str


def card_parts(pk: int, facts, provider, category) -> CardParts | None:
    """Made once per service when the index is read (index.Cards); None if its provider or category is missing."""
    from .cards import card_head, card_kind

    if provider is None or category is None:
        return None
    service = (pk, facts.title, facts.description, facts.price_pence, facts.unit, facts.regulated,
               CardProvider(facts.provider_id, provider.name, provider.slug),
               CardCategory(facts.category_id, *category))
    card_service = CardService(*service)
    row = ResultRow(service=card_service, price=price_label(card_service), distance="",
                    badges=[], next_available="", regulated=facts.regulated or category[1],
                    summary=_summary(facts.description))
    return CardParts(service, facts.provider_id, row.price, row.regulated, row.summary, _weekly(facts.slots),
                     facts.days_off, card_head(row), card_kind(row))


def _weekly(slots: tuple) -> dict[int, tuple]:
    """Weekly slots ((weekday, starts_at, ends_at), in order) grouped by weekday, for _first_free()."""
    by_weekday: dict[int, list] = defaultdict(list)
    for weekday, starts, ends in slots:
        by_weekday[weekday].append(_Slot(weekday, starts, ends))
    return {weekday: tuple(day) for weekday, day in by_weekday.items()}


def _card_from_facts(index, service_id: int, now: datetime.datetime) -> ResultRow | None:
    """A result card from what the index keeps (the same as _card() makes from the live query); `now` local."""
    from .cards import card_end

    parts = index.cards.parts.get(service_id)
    if parts is None:
        return None
    today = now.date()
    provider = index.cards.providers[parts.provider_id]
    badges = provider.badges_on.get(today)
    if badges is None:
        shown = tuple(latest_badges(  # the provider's checks current today
            (name, day) for name, day, issued_on, expires_on in provider.checks
            if issued_on <= today and (expires_on is None or expires_on >= today)
        ))
        provider.badges_on.clear()  # only today's are kept
        badges = provider.badges_on[today] = (shown, card_end(shown))
    return ResultRow(
        service=CardService(*parts.service),
        price=parts.price,
        distance="",
        badges=list(badges[0]),
        next_available=describe_next(_first_free(parts.by_weekday, parts.days_off, now), now, today=today),
        regulated=parts.regulated,
        summary=parts.summary,
        html_parts=(parts.head, parts.kind, badges[1]),
    )


def _cards_for(ids: list[int], today: datetime.date, now: datetime.datetime) -> dict[int, ResultRow]:
    """The result cards of these services, for those of them that listed_services() lists today. One query."""
    listed_among, listed_params = _listed_among_sql(today)
    card_columns, card_params = _card_sql(today)
    sql = f"""
        SELECT s.id, {card_columns}
          FROM providers_service s
          JOIN providers_provider p ON p.id = s.provider_id
          JOIN taxonomy_category c ON c.id = s.category_id
         WHERE s.id = ANY(%s::bigint[]) AND s.id IN ({listed_among})
    """  # noqa: S608
    fetched = run_prepared(sql, [*card_params, ids, *listed_params, ids])
    local_now = timezone.localtime(now)
    return {values[0]: _card(values, local_now) for values in fetched}


def _listed_among_sql(today: datetime.date) -> tuple[str, tuple]:
    """SQL for those of the services in the last parameter (an array of ids) that listed_services() lists today,
    and its parameters but that array."""
    listed_sql, listed_params = _listed_sql(today)
    return f"SELECT listed.pk FROM ({listed_sql}) listed WHERE listed.pk = ANY(%s::bigint[])", listed_params  # noqa: S608


#: listed_services(on=day) compiled to SQL, per day (compiling the rule's subqueries costs more than running them
#: for one page). The SQL, not any result: every search still runs it.
_LISTED_SQL: dict[datetime.date, tuple[str, tuple]] = {}


def _listed_sql(today: datetime.date) -> tuple[str, tuple]:
    if today not in _LISTED_SQL:
        _LISTED_SQL.clear()
        _LISTED_SQL[today] = listed_services(on=today).order_by().values("pk").query.sql_with_params()
    return _LISTED_SQL[today]


def _card_sql(today: datetime.date) -> tuple[str, list]:
    """The columns a result card needs, over service `s`, provider `p`, category `c`: the weekly slots, the
    next fortnight's exceptions and the provider's current checks (approved, issued, unexpired: the rule of
    providers.selectors._current) for the badges, each with the local date badges_for() would date it by, as one
    JSON value."""
    horizon = today + datetime.timedelta(days=AVAILABILITY_HORIZON_DAYS)
    columns = """
        s.title, s.description, s.price_pence, s.unit, s.is_regulated_personal_care,
        p.id, p.name, p.slug, c.id, c.name, c.is_regulated_personal_care,
        json_build_array(
            (SELECT json_agg(json_build_array(a.weekday, a.starts_at, a.ends_at) ORDER BY a.weekday, a.starts_at)
               FROM providers_serviceavailability a WHERE a.service_id = s.id),
            (SELECT json_agg(json_build_array(e.date, e.is_available))
               FROM providers_availabilityexception e
              WHERE e.service_id = s.id AND e.date >= %s AND e.date <= %s),
            (SELECT json_agg(json_build_array(t.name, coalesce((k.decided_at AT TIME ZONE %s)::date, k.issued_on))
                             ORDER BY t.sort_order, k.decided_at DESC)
               FROM providers_providercheck k JOIN providers_checktype t ON t.id = k.check_type_id
              WHERE k.provider_id = p.id AND k.status = %s AND k.issued_on <= %s
                AND (k.expires_on IS NULL OR k.expires_on >= %s)))
    """
    return columns, [today, horizon, timezone.get_current_timezone_name(), CheckStatus.APPROVED, today, today]


@dataclass(slots=True)
class CardProvider:
    """What a result card shows of a provider (not a model instance: building 60 of those per page cost ~1 ms)."""

    pk: int
    name: str
    slug: str


@dataclass(slots=True)
class CardCategory:
    pk: int
    name: str
    is_regulated_personal_care: bool


_UNIT_LABELS = dict(PriceUnit.choices)


@dataclass(slots=True)
class CardService:
    """What a result card shows of a service: the fields of providers.Service it reads, under the same names."""

    pk: int
    title: str
    description: str
    price_pence: int
    unit: str
    is_regulated_personal_care: bool
    provider: CardProvider
    category: CardCategory
    distance_km: float | None = None
    rank: float | None = None

    @property
    def id(self) -> int:
        return self.pk

    def get_unit_display(self) -> str:
        return _UNIT_LABELS.get(self.unit, self.unit)


def _card(values, now: datetime.datetime) -> ResultRow:
    """A result card from a row of _cards_for's query; `now` in local time."""
    (pk, title, description, price_pence, unit, regulated, provider_id, provider_name, slug, category_id,
     category_name, category_regulated, extra) = values
    slots, exceptions, checks = extra
    service = CardService(pk, title, description, price_pence, unit, regulated,
                          CardProvider(provider_id, provider_name, slug),
                          CardCategory(category_id, category_name, category_regulated))
    by_weekday = _weekly(tuple(  # in weekday and start order
        (weekday, datetime.time.fromisoformat(starts), datetime.time.fromisoformat(ends))
        for weekday, starts, ends in slots or ()
    ))
    closed = {datetime.date.fromisoformat(day) for day, available in exceptions or () if not available}
    return ResultRow(
        service=service,
        price=price_label(service),
        distance="",
        badges=latest_badges((name, datetime.date.fromisoformat(day)) for name, day in checks or ()),
        next_available=describe_next(_first_free(by_weekday, closed, now), now, today=now.date()),
        regulated=regulated or category_regulated,
        summary=_summary(description),
    )


@dataclass(frozen=True)
class _Slot:
    weekday: int
    starts_at: datetime.time
    ends_at: datetime.time


# --- What one page of results (or one storefront) shows: fixed number of queries ---------------------------


def with_display_data(services: QuerySet[Service], *, today: datetime.date | None = None) -> QuerySet[Service]:
    """Prefetch what a result card needs: weekly slots, the next fortnight's exceptions, and the provider's
    current (approved, unexpired) checks for the "verified" badges. Three queries for any number of rows."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=AVAILABILITY_HORIZON_DAYS)
    return services.prefetch_related(
        Prefetch("availability", queryset=ServiceAvailability.objects.order_by("weekday", "starts_at")),
        Prefetch(
            "availability_exceptions",
            queryset=AvailabilityException.objects.filter(date__gte=today, date__lte=horizon),
        ),
        Prefetch(
            "provider__checks",
            queryset=checks_current(ProviderCheck.objects.all(), on=today)
            .select_related("check_type")
            .order_by("check_type__sort_order", "-decided_at"),
            to_attr="current_checks",
        ),
    )


@dataclass(frozen=True)
class Badge:
    label: str
    verified_on: datetime.date

    @property
    def verified_text(self) -> str:
        """"5 November 2026" (what the template's date:"j F Y" gave, without a filter per badge)."""
        return f"{self.verified_on.day} {MONTH_NAMES[self.verified_on.month - 1]} {self.verified_on.year}"


def badges_for(checks: list[ProviderCheck]) -> list[Badge]:
    """One "verified" badge per kind of check, dated by the most recent approval."""
    zone = timezone.get_current_timezone()
    return latest_badges(
        (check.check_type.name,
         timezone.localdate(check.decided_at, zone) if check.decided_at else check.issued_on)
        for check in checks
    )


def latest_badges(dated: Iterable[tuple[str, datetime.date]]) -> list[Badge]:
    """Badges from (kind's name, date) pairs in the checks' order: one per kind, its most recent date."""
    latest: dict[str, datetime.date] = {}
    for name, when in dated:
        if name not in latest or when > latest[name]:
            latest[name] = when
    return [Badge(label, when) for label, when in latest.items()]


def format_time(value: datetime.time) -> str:
    """9am, 12 noon, 5:30pm."""
    if value.hour == 12 and value.minute == 0:
        return "12 noon"
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def next_available(
    slots: list[ServiceAvailability], exceptions: list[AvailabilityException], now: datetime.datetime
) -> datetime.datetime | None:
    """The first moment in the next fortnight inside a weekly slot, skipping days marked unavailable."""
    closed = {e.date for e in exceptions if not e.is_available}
    weekly = sorted((slot.weekday, slot.starts_at, slot.ends_at) for slot in slots)
    return _first_free(_weekly(tuple(weekly)), closed, timezone.localtime(now))


def _first_free(by_weekday: dict[int, list], closed: set[datetime.date], now: datetime.datetime):
    """next_available() on slots grouped by weekday, each day's in start order; `now` in local time."""
    time_now = now.time().replace(tzinfo=None)
    for offset in range(AVAILABILITY_HORIZON_DAYS + 1):
        day = now.date() + datetime.timedelta(days=offset)
        if day in closed:
            continue
        for slot in by_weekday.get(day.weekday(), ()):
            if offset == 0:
                if slot.ends_at <= time_now:
                    continue
                start = max(slot.starts_at, time_now.replace(second=0, microsecond=0))
            else:
                start = slot.starts_at
            return datetime.datetime.combine(day, start)
    return None


def describe_next(moment: datetime.datetime | None, now: datetime.datetime, *,
                  today: datetime.date | None = None) -> str:
    if moment is None:
        return "No times in the next two weeks"
    today = today or timezone.localdate(now)
    if moment.date() == today:
        day = "Today"
    elif moment.date() == today + datetime.timedelta(days=1):
        day = "Tomorrow"
    else:
        day = f"{WEEKDAY_NAMES[moment.weekday()]} {moment.day} {MONTH_NAMES[moment.month - 1]}"
    return f"{day} from {format_time(moment.time())}"


def weekly_summary(slots: list[ServiceAvailability]) -> list[str]:
    """["Monday: 9am to 12 noon, 2pm to 5pm", ...] in weekday order."""
    by_weekday: dict[int, list[str]] = defaultdict(list)
    for slot in sorted(slots, key=lambda s: (s.weekday, s.starts_at)):
        by_weekday[slot.weekday].append(f"{format_time(slot.starts_at)} to {format_time(slot.ends_at)}")
    return [f"{WEEKDAY_NAMES[day]}: {', '.join(times)}" for day, times in sorted(by_weekday.items())]


def price_label(service: Service) -> str:
    if service.unit == PriceUnit.FREE or service.price_pence == 0:
        return "Free"
    pounds, pence = divmod(service.price_pence, 100)
    amount = f"£{pounds:,}" if pence == 0 else f"£{pounds:,}.{pence:02d}"
    return f"{amount} {service.get_unit_display()}"


def distance_label(km: float | None) -> str:
    if km is None:
        return ""
    miles = km / 1.609344
    if miles < 0.1:
        return "Less than 0.1 miles away"
    return f"{miles:.1f} miles away"


@dataclass
class ResultRow:
    service: Service | CardService
    price: str
    distance: str
    badges: list[Badge]
    next_available: str
    regulated: bool
    summary: str = ""
    #: The card's HTML up to the price, from the kind of support to the summary, and the badges to the end, made
    #: ready (CardParts, and the provider's badges of the day).
    html_parts: tuple[str, str, str] | None = None

    @property
    def html(self) -> str:
        """The result card (directory/_result_card.html's markup, built in Python: see cards.py)."""
        from .cards import card_middle, result_card_html

        if self.html_parts is None:
            return result_card_html(self)
        head, kind, end = self.html_parts
        # Every part was escaped as it was built (cards.py).
        return mark_safe(head + card_middle(self.distance, self.next_available) + kind + end)  # noqa: S308


def _summary(description: str) -> str:
    """The first 40 words, as the template's truncatewords:40 gives them (Truncator.words: split on whitespace,
    rejoined with single spaces, "…" after a cut), without a translation lookup per card."""
    words = description.split()
    if len(words) <= SUMMARY_WORDS:
        return " ".join(words)
    return " ".join(words[:SUMMARY_WORDS]) + "…"


def result_rows(services, *, now: datetime.datetime | None = None) -> list[ResultRow]:
    """Turn prefetched services (see with_display_data) into what a result card shows. No queries."""
    now = now or timezone.now()
    rows = []
    for service in services:
        rows.append(ResultRow(
            service=service,
            price=price_label(service),
            distance=distance_label(getattr(service, "distance_km", None)),
            badges=badges_for(service.provider.current_checks),
            next_available=describe_next(
                next_available(list(service.availability.all()), list(service.availability_exceptions.all()), now),
                now,
            ),
            regulated=service.is_regulated_personal_care or service.category.is_regulated_personal_care,
            summary=_summary(service.description),
        ))
    return rows


# --- Storefronts -------------------------------------------------------------------------------------------


def provider_listed(*, provider_id: int) -> bool:
    """May this provider's storefront be shown to the public? (approved, mandatory checks current)"""
    return listed_providers().filter(pk=provider_id).exists()


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


@dataclass
class Storefront:
    provider: Provider
    services: list[StorefrontService]
    badges: list[Badge]
    neighbourhoods: list[str]
    gallery: list = field(default_factory=list)
    json_ld: str = ""


def storefront_for(*, provider_id: int, page=None, request=None, now: datetime.datetime | None = None) -> Storefront:
    """Everything a storefront page presents, in a fixed number of queries whatever the number of services."""
    from cms.models import ProviderPageGalleryImage

    now = now or timezone.now()
    today = timezone.localdate(now)
    provider = Provider.objects.prefetch_related("neighbourhoods").get(pk=provider_id)
    services = list(
        with_display_data(listed_services(on=today).filter(provider_id=provider_id), today=today)
        .select_related("category", "provider")
        .prefetch_related("needs", "neighbourhoods")
        .order_by("category__sort_order", "title", "pk")
    )
    checks = list(checks_current(provider.checks.all(), on=today).select_related("check_type"))
    rows = []
    for service in services:
        slots = list(service.availability.all())
        rows.append(StorefrontService(
            service=service,
            price=price_label(service),
            minimum=(f"Smallest booking: {service.minimum_units} {_unit_noun(service, service.minimum_units)}"
                     if service.minimum_units > 1 and service.unit != PriceUnit.FREE else ""),
            needs=[need.name for need in service.needs.all()],
            neighbourhoods=[n.name for n in service.neighbourhoods.all()],
            weekly=weekly_summary(slots),
            next_available=describe_next(
                next_available(slots, list(service.availability_exceptions.all()), now), now
            ),
            regulated=service.is_regulated_personal_care or service.category.is_regulated_personal_care,
        ))
    areas = sorted({n.name for n in provider.neighbourhoods.all()} | {n for r in rows for n in r.neighbourhoods})
    gallery = []
    if page is not None:
        gallery = list(
            ProviderPageGalleryImage.objects.filter(page=page)
            .select_related("image")
            .prefetch_related("image__renditions")
            .order_by("sort_order", "pk")
        )
    storefront = Storefront(provider=provider, services=rows, badges=badges_for(checks), neighbourhoods=areas,
                            gallery=gallery)
    url = request.build_absolute_uri(page.url) if (page is not None and request is not None and page.url) else ""
    storefront.json_ld = storefront_json_ld(storefront, url=url, description=page.search_description if page else "")
    return storefront


def _unit_noun(service: Service, count: int) -> str:
    nouns = {
        PriceUnit.PER_HOUR: "hour", PriceUnit.PER_SESSION: "session", PriceUnit.PER_VISIT: "visit",
        PriceUnit.PER_DAY: "day", PriceUnit.PER_ITEM: "item",
    }
    noun = nouns.get(service.unit, "unit")
    return noun if count == 1 else f"{noun}s"


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
        offer = {
            "@type": "Offer",
            "itemOffered": {
                "@type": "Service",
                "name": service.title,
                "description": service.description,
                "serviceType": service.category.name,
                "areaServed": [{"@type": "Place", "name": n} for n in row.neighbourhoods] or None,
            },
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
        offer["itemOffered"] = {k: v for k, v in offer["itemOffered"].items() if v is not None}
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
    from django.db.models import Count as CountRows
    from django.db.models.functions import Coalesce

    from .models import SearchRecord

    records = SearchRecord.objects.filter(searched_at__gte=since)
    if until is not None:
        records = records.filter(searched_at__lt=until)
    rows = (
        records.values("district")
        .annotate(
            category_name=Coalesce("category__name", Value("Any kind of support")),
            searches=CountRows("pk"),
            unmet=CountRows("pk", filter=Q(result_count=0)),
        )
        .order_by("-unmet", "-searches", "district", "category_name")
    )
    return [DemandRow(r["district"], r["category_name"], r["searches"], r["unmet"]) for r in rows]
