"""The search table in memory: each web process filters, counts, sorts and pages directory searches in numpy.

`directory_listing` (models.Listing) is a borough's listable services, one row each: ~45,000 rows, a few MB as
columns. Reading every candidate row in PostgreSQL for the count, the distance and the order cost 3-9 ms a search;
the same work on columns in memory costs well under a millisecond. What is shown is still decided live: the
page's ≤20 services are fetched and re-checked against `listed_services()` in PostgreSQL (selectors.py).

Freshness. Before a search the process asks PostgreSQL which providers' rows were changed by transactions that
committed since it last looked (`directory_listing_change`, kept by triggers: migration 0007) and reloads those
providers' rows. It compares snapshots rather than counters: an entry is new when its transaction was not visible
in the snapshot the process last synchronised at, however writers interleave. A search inside a transaction
(which might see its own uncommitted changes) does not use the index: selectors.search_page() then runs the
search in SQL. The whole table is reloaded on first use, after a TRUNCATE and every FULL_RELOAD_SECONDS.

Same results as the SQL search (tests/directory/test_listing.py compares both with the live query): the distance
is the same floating-point formula, evaluated in the same order; the orders and tie-breaks are the same.
"""

from __future__ import annotations

import datetime
import itertools
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from market.core.compiled import run_prepared
from market.places.selectors import Places

EARTH_RADIUS_KM = 6371.0
#: Reload everything this often even with no change logged: a safety net, and it must stay well under the change
#: log's retention (services.CHANGE_LOG_DAYS). A full read of the benchmark's 50,000 services takes ~2.5 s.
FULL_RELOAD_SECONDS = 3600
#: How many free-text searches' matches to keep per index (a change to the table makes a new index).
TEXT_CACHE_SIZE = 256
_NO_DAY_BEFORE = np.iinfo(np.int32).min
_NO_DAY_AFTER = np.iinfo(np.int32).max

_COLUMNS = """
    l.service_id, l.provider_id, l.category_id, l.price_pence, l.latitude, l.longitude, l.travel_radius_km,
    (extract(epoch FROM l.created_at) * 1000000)::bigint,
    (l.listed_from - DATE '0001-01-01') + 1, (l.listed_until - DATE '0001-01-01') + 1,
    l.regulated, l.council_budget_ok, l.need_ids, l.neighbourhood_ids, l.languages, l.slot_hours
"""
_ALL_ROWS = f"SELECT {_COLUMNS} FROM directory_listing l"  # noqa: S608
_PROVIDERS_ROWS = f"SELECT {_COLUMNS} FROM directory_listing l WHERE l.provider_id = ANY(%s::bigint[])"  # noqa: S608
# What the result cards show, for the services in the search table (all, or some providers'): read with the rows,
# so a page needs only the live listing check from PostgreSQL (selectors.search_page).
_IN_TABLE = "SELECT l.service_id FROM directory_listing l"
_OF_PROVIDERS = " WHERE l.provider_id = ANY(%s::bigint[])"
_SERVICES = """
    SELECT s.id, s.title, s.description, s.price_pence, s.unit, s.is_regulated_personal_care, s.category_id,
           s.provider_id
      FROM providers_service s WHERE s.id IN ({listed})
"""
_SLOTS = """
    SELECT a.service_id, a.weekday, a.starts_at, a.ends_at FROM providers_serviceavailability a
     WHERE a.service_id IN ({listed}) ORDER BY a.service_id, a.weekday, a.starts_at
"""
_DAYS_OFF = """
    SELECT e.service_id, e.date FROM providers_availabilityexception e
     WHERE NOT e.is_available AND e.date >= CURRENT_DATE - 1 AND e.service_id IN ({listed})
"""
_PROVIDERS = """
    SELECT p.id, p.name, p.slug FROM providers_provider p
     WHERE p.id IN (SELECT l.provider_id FROM directory_listing l{where})
"""
# Approved checks, in the order the badges take them (badges_for); whether each is current is decided per search.
_CHECKS = """
    SELECT k.provider_id, t.name, coalesce((k.decided_at AT TIME ZONE %s)::date, k.issued_on), k.issued_on,
           k.expires_on
      FROM providers_providercheck k JOIN providers_checktype t ON t.id = k.check_type_id
     WHERE k.status = 'approved' AND k.provider_id IN (SELECT l.provider_id FROM directory_listing l{where})
     ORDER BY k.provider_id, t.sort_order, k.decided_at DESC
"""
_CATEGORIES = "SELECT c.id, c.name, c.is_regulated_personal_care FROM taxonomy_category c"
_TEXT_MATCHES = """
    SELECT l.service_id, ts_rank(l.title_document, q.query)
      FROM directory_listing l, websearch_to_tsquery('english'::regconfig, %s) AS q(query)
     WHERE l.document @@ q.query
"""
_CHANGES_SINCE = """
    SELECT pg_current_snapshot()::text, c.id IS NOT NULL, c.everything, c.taxonomy, c.places, c.provider_ids
      FROM (SELECT 1) AS one
      LEFT JOIN directory_listing_change c
        ON c.xid >= pg_snapshot_xmin(%s::pg_snapshot) AND NOT pg_visible_in_snapshot(c.xid, %s::pg_snapshot)
"""
_SNAPSHOT = "SELECT pg_current_snapshot()::text"

# The row tuple's positions (the order of _COLUMNS).
(SERVICE, PROVIDER, CATEGORY, PRICE, LATITUDE, LONGITUDE, RADIUS, CREATED, FROM_DAY, UNTIL_DAY, REGULATED, COUNCIL,
 NEEDS, AREAS, LANGUAGES, SLOTS) = range(16)


@dataclass(frozen=True)
class Hits:
    """One page of a search: (service id, distance in km or None, rank or None) in order, and the total."""

    rows: list[tuple[int, float | None, float | None]]
    total: int


class _Members:
    """Which rows hold each value of a many-valued column (needs, neighbourhoods, languages): a boolean mask per
    value, all built with the index (a few dozen values each), so no search pays for a first use."""

    def __init__(self, lists: list, size: int):
        lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
        rows = np.repeat(np.arange(size, dtype=np.int64), lengths)
        values = list(itertools.chain.from_iterable(lists))
        vocabulary = {value: code for code, value in enumerate(dict.fromkeys(values))}
        codes = np.fromiter((vocabulary[value] for value in values), dtype=np.int64, count=len(values))
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(vocabulary) + 1))
        self._size = size
        self._none = np.zeros(size, dtype=bool)
        self._masks: dict = {}
        for value, code in vocabulary.items():
            mask = np.zeros(size, dtype=bool)
            mask[rows[order[bounds[code]:bounds[code + 1]]]] = True
            self._masks[value] = mask

    def mask(self, value) -> np.ndarray:
        """The rows holding `value` (never to be changed in place)."""
        return self._masks.get(value, self._none)

    def merged(self, keep: np.ndarray, fresh: _Members, order: np.ndarray) -> _Members:
        """The masks of this one's rows in `keep` followed by `fresh`'s rows, put in `order`."""
        result = _Members.__new__(_Members)
        result._size = len(order)
        result._none = np.zeros(result._size, dtype=bool)
        result._masks = {
            value: np.concatenate([self.mask(value)[keep], fresh.mask(value)])[order]
            for value in self._masks.keys() | fresh._masks.keys()
        }
        return result

    def any_of(self, values) -> np.ndarray:
        values = list(values)
        if not values:
            return np.zeros(self._size, dtype=bool)
        combined = self.mask(values[0]).copy()
        for value in values[1:]:
            combined |= self.mask(value)
        return combined


@dataclass(frozen=True)
class ServiceFacts:
    """What a result card shows of a service."""

    title: str
    description: str
    price_pence: int
    unit: str
    regulated: bool
    category_id: int
    provider_id: int
    slots: tuple  # (weekday, starts_at, ends_at), in weekday and start order
    days_off: frozenset


@dataclass(frozen=True)
class ProviderFacts:
    name: str
    slug: str
    checks: tuple  # approved checks: (kind's name, the date a badge shows, issued_on, expires_on), badge order
    #: The day's badges and their HTML, made on the first search of the day that shows them (selectors).
    badges_on: dict = field(default_factory=dict, compare=False)


@dataclass
class Cards:
    """Each service's result card made ready but for what depends on the search and the day (selectors.CardParts),
    by service id, and the providers' names and checks (their badges depend on the day)."""

    parts: dict
    providers: dict[int, ProviderFacts]

    @classmethod
    def load(cls, provider_ids: list[int] | None = None) -> Cards:
        from django.utils import timezone

        from .selectors import card_parts

        where, params = ("", []) if provider_ids is None else (_OF_PROVIDERS, [provider_ids])
        listed = _IN_TABLE + where
        slots: dict[int, list] = {}
        for service_id, weekday, starts, ends in run_prepared(_SLOTS.format(listed=listed), params):
            slots.setdefault(service_id, []).append((weekday, starts, ends))
        days_off: dict[int, set] = {}
        for service_id, day in run_prepared(_DAYS_OFF.format(listed=listed), params):
            days_off.setdefault(service_id, set()).add(day)
        checks: dict[int, list] = {}
        zone = timezone.get_current_timezone_name()
        for provider_id, *check in run_prepared(_CHECKS.format(where=where), [zone, *params]):
            checks.setdefault(provider_id, []).append(tuple(check))
        providers = {
            pk: ProviderFacts(name, slug, tuple(checks.get(pk, ())))
            for pk, name, slug in run_prepared(_PROVIDERS.format(where=where), params)
        }
        categories = {pk: (name, regulated) for pk, name, regulated in run_prepared(_CATEGORIES, [])}
        parts = {}
        for pk, title, description, price_pence, unit, regulated, category_id, provider_id in run_prepared(
            _SERVICES.format(listed=listed), params
        ):
            facts = ServiceFacts(title, description, price_pence, unit, regulated, category_id, provider_id,
                                 tuple(slots.get(pk, ())), frozenset(days_off.get(pk, ())))
            made = card_parts(pk, facts, providers.get(provider_id), categories.get(category_id))
            if made is not None:
                parts[pk] = made
        return cls(parts, providers)

    def with_providers(self, provider_ids: set[int], fresh: Cards) -> Cards:
        """These cards with the given providers' replaced by `fresh`'s (loaded for those providers)."""
        parts = {pk: made for pk, made in self.parts.items() if made.provider_id not in provider_ids}
        parts.update(fresh.parts)
        providers = {pk: facts for pk, facts in self.providers.items() if pk not in provider_ids}
        providers.update(fresh.providers)
        return Cards(parts, providers)


class ListingIndex:
    """directory_listing as numpy columns, rows in service id order, and what the result cards show (`cards`).
    Immutable once built."""

    #: The per-row numpy columns (the many-valued ones are _Members).
    ARRAYS = ("service_id", "provider_id", "category_id", "price", "latitude", "longitude", "radius", "created",
              "from_day", "until_day", "regulated", "council", "has_radius", "slot_words")
    MEMBERS = ("needs", "areas", "languages")

    def __init__(self, rows: list[tuple], cards: Cards | None = None):
        rows = sorted(rows, key=lambda row: row[SERVICE])
        size = self.size = len(rows)
        column = list(zip(*rows, strict=True)) if rows else [()] * 16

        def numbers(position, dtype, missing=None):
            values = column[position]
            if missing is not None:
                values = (missing if value is None else value for value in values)
            return np.fromiter(values, dtype=dtype, count=size)

        self.service_id = numbers(SERVICE, np.int64)
        self.provider_id = numbers(PROVIDER, np.int64)
        self.category_id = numbers(CATEGORY, np.int64)
        self.price = numbers(PRICE, np.int64)
        self.latitude = numbers(LATITUDE, np.float64, math.nan)
        self.longitude = numbers(LONGITUDE, np.float64, math.nan)
        self.radius = numbers(RADIUS, np.float64, math.nan)
        self.created = numbers(CREATED, np.int64)
        self.from_day = numbers(FROM_DAY, np.int32, _NO_DAY_BEFORE)
        self.until_day = numbers(UNTIL_DAY, np.int32, _NO_DAY_AFTER)
        self.regulated = numbers(REGULATED, bool)
        self.council = numbers(COUNCIL, bool)
        self.has_radius = ~np.isnan(self.radius)
        self.needs = _Members(column[NEEDS], size)
        self.areas = _Members(column[AREAS], size)
        self.languages = _Members(column[LANGUAGES], size)
        # Weekly slots as 168 bits (weekday * 24 + hour) in three 64-bit words per row.
        cells = np.zeros((size, 192), dtype=bool)
        lengths = np.fromiter(map(len, column[SLOTS]), dtype=np.int64, count=size)
        flat = np.fromiter(itertools.chain.from_iterable(column[SLOTS]), dtype=np.int64, count=int(lengths.sum()))
        cells[np.repeat(np.arange(size), lengths), flat] = True
        self.slot_words = np.packbits(cells, axis=1, bitorder="little").view(np.uint64)
        self._finish(cards)

    def _finish(self, cards: Cards | None) -> None:
        self.cards = cards
        self._listed_on: dict[int, np.ndarray] = {}
        # Free-text matches, read from PostgreSQL once per text for this index (a changed table is a new index).
        self._texts: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._texts_lock = threading.Lock()

    # --- Building -----------------------------------------------------------------------------------------

    @classmethod
    def load(cls) -> ListingIndex:
        """Everything in directory_listing now, and what its cards show (in the caller's transaction, if any)."""
        return cls(run_prepared(_ALL_ROWS, []), Cards.load())

    def with_providers_reloaded(self, provider_ids: set[int]) -> ListingIndex:
        """A new index with these providers' rows and cards read again (rows they no longer have are gone): this
        index's other rows and the fresh ones, merged column by column."""
        ids = sorted(provider_ids)
        fresh = ListingIndex(run_prepared(_PROVIDERS_ROWS, [ids]))
        keep = ~np.isin(self.provider_id, np.array(ids, dtype=np.int64))
        merged = ListingIndex.__new__(ListingIndex)
        order = np.argsort(np.concatenate([self.service_id[keep], fresh.service_id]), kind="stable")
        for name in self.ARRAYS:
            setattr(merged, name, np.concatenate([getattr(self, name)[keep], getattr(fresh, name)])[order])
        for name in self.MEMBERS:
            setattr(merged, name, getattr(self, name).merged(keep, getattr(fresh, name), order))
        merged.size = len(order)
        merged._finish(self.cards.with_providers(provider_ids, Cards.load(ids)))
        return merged

    def text_matches(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(rows, title ranks) of the rows whose document matches these words (websearch syntax), read once per
        text for this index. Not filtered by date: search() does that. One query the first time."""
        with self._texts_lock:
            found = self._texts.get(text)
            if found is not None:
                self._texts.move_to_end(text)
                return found
        fetched = run_prepared(_TEXT_MATCHES, [text])
        ids = np.fromiter((row[0] for row in fetched), dtype=np.int64, count=len(fetched))
        ranks = np.fromiter((row[1] for row in fetched), dtype=np.float64, count=len(fetched))
        rows, known = self.positions(ids)  # a row committed after this index was read is not in it yet
        found = (rows[known], ranks[known])
        with self._texts_lock:
            self._texts[text] = found
            while len(self._texts) > TEXT_CACHE_SIZE:
                self._texts.popitem(last=False)
        return found

    # --- Searching ----------------------------------------------------------------------------------------

    def listed_on(self, day: datetime.date) -> np.ndarray:
        ordinal = day.toordinal()
        mask = self._listed_on.get(ordinal)
        if mask is None:
            mask = (self.from_day <= ordinal) & (self.until_day >= ordinal)
            self._listed_on = {ordinal: mask}  # one day kept: searches ask about today
        return mask

    def positions(self, service_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(rows, which of service_ids were found) for an array of service ids."""
        rows = np.searchsorted(self.service_id, service_ids)
        rows = np.minimum(rows, max(self.size - 1, 0))
        found = self.service_id[rows] == service_ids if self.size else np.zeros(len(service_ids), dtype=bool)
        return rows, found

    def search(self, criteria, day: datetime.date, *, offset: int, limit: int) -> Hits:
        """The page at `offset` of the services matching `criteria` (selectors.SearchCriteria) on `day`, in its
        order, and the total. Reads PostgreSQL only for words not searched before on this index."""
        cells = criteria.slot_cells
        # The cheap whole-column tests first, then the costlier ones on the rows still in.
        match = self.listed_on(day).copy()
        if criteria.category is not None:
            match &= self.category_id == criteria.category.pk
        if criteria.need is not None:
            match &= self.needs.mask(criteria.need.pk)
        if criteria.max_price_pence is not None:
            match &= self.price <= criteria.max_price_pence
        if criteria.language:
            match &= self.languages.mask(criteria.language.lower())
        if criteria.regulated == "only":
            match &= self.regulated
        elif criteria.regulated == "exclude":
            match &= ~self.regulated
        if criteria.council_budget:
            match &= self.council
        if criteria.text:
            rows, ranks = self.text_matches(criteria.text)
            words = np.zeros(self.size, dtype=bool)
            words[rows] = True
            match &= words
            rank_of = np.zeros(self.size, dtype=np.float64)
            rank_of[rows] = ranks
        if criteria.place is not None:
            match &= self.areas.any_of(criteria.place.neighbourhood_ids) | self.has_radius
        candidates = np.flatnonzero(match)
        if cells is not None:
            asked = np.zeros(3, dtype=np.uint64)
            for cell in cells:
                asked[cell // 64] |= np.uint64(1 << (cell % 64))
            candidates = candidates[(self.slot_words[candidates] & asked).any(axis=1)]
        distance = rank = None
        if criteria.place is not None:
            place = criteria.place
            per_degree = math.radians(1)
            across = per_degree * math.cos(math.radians(place.latitude))
            # The SQL's expression, operation for operation (so the same floating-point result):
            # 6371 * sqrt(((lng - lng0) * across) * ((lng - lng0) * across) + (same for latitudes))
            dx = (self.longitude[candidates] - place.longitude) * across
            dy = (self.latitude[candidates] - place.latitude) * per_degree
            distance = EARTH_RADIUS_KM * np.sqrt(dx * dx + dy * dy)
            # In one of its neighbourhoods, or (travel radius) within reach of its base.
            with np.errstate(invalid="ignore"):
                reaches = distance <= self.radius[candidates]
            keep = self.areas.any_of(place.neighbourhood_ids)[candidates] | reaches
            candidates, distance = candidates[keep], distance[keep]
        if criteria.text:
            rank = rank_of[candidates]
        total = len(candidates)
        wanted = offset + limit
        if total == 0 or offset >= total:
            return Hits([], total)
        sort = criteria.effective_sort
        price = self.price[candidates]
        ids = self.service_id[candidates]
        if sort == "distance" and distance is None:  # asked for, but no place: NULL distances, so price order
            primary = np.zeros(total)
        elif sort == "distance":
            primary = np.where(np.isnan(distance), np.inf, distance)
        elif sort == "relevance":
            primary = -rank
        elif sort == "price":
            primary = price
        else:  # newest: created_at DESC, id DESC
            primary = -self.created[candidates]
        # Only the rows that can be on or before this page need the full sort: those whose first key is at most
        # the wanted-th smallest (ties included).
        near = slice(None)
        if total > wanted:
            near = primary <= np.partition(primary, wanted - 1)[wanted - 1]
            primary, price, ids = primary[near], price[near], ids[near]
        if sort == "newest":
            keys = (-ids, primary)
        elif sort == "price":
            keys = (ids, primary)
        else:
            keys = (ids, price, primary)
        order = np.lexsort(keys)[offset:wanted]
        chosen_ids = ids[order].tolist()
        kms = distance[near][order].tolist() if distance is not None else [None] * len(order)
        ranks = rank[near][order].tolist() if rank is not None else [None] * len(order)
        return Hits([(service_id, None if km is None or math.isnan(km) else km, score)
                     for service_id, km, score in zip(chosen_ids, kms, ranks, strict=True)], total)


# --- This process's index, kept in step with the database ----------------------------------------------------


@dataclass(frozen=True)
class Live:
    """What a search reads from memory: the index, the categories and needs for the search form, and where every
    postcode is (market.places.selectors.Places)."""

    index: ListingIndex
    taxonomy: dict[str, list]
    places: Places


class _Synced:
    def __init__(self):
        self.lock = threading.Lock()
        self.live: Live | None = None
        self.snapshot = ""
        self.loaded_at = 0.0


_synced = _Synced()


def live() -> Live:
    """This process's index and taxonomy, brought up to date with everything committed (one query when nothing
    changed). Not for use inside a transaction: see the module's docstring."""
    state = _synced
    with state.lock:
        if state.live is None or time.monotonic() - state.loaded_at > FULL_RELOAD_SECONDS:
            _reload_everything(state)
            return state.live
        changes = run_prepared(_CHANGES_SINCE, [state.snapshot, state.snapshot])
        snapshot = changes[0][0]
        providers: set[int] = set()
        taxonomy_changed = places_changed = False
        for _, logged, everything, taxonomy, places, provider_ids in changes:
            if not logged:
                continue
            if everything:
                _reload_everything(state)
                return state.live
            taxonomy_changed |= taxonomy
            places_changed |= places
            providers.update(provider_ids)
        if providers or taxonomy_changed or places_changed:
            state.live = Live(
                state.live.index.with_providers_reloaded(providers) if providers else state.live.index,
                _load_taxonomy() if taxonomy_changed else state.live.taxonomy,
                Places() if places_changed else state.live.places,
            )
        state.snapshot = snapshot
        return state.live


def _reload_everything(state: _Synced) -> None:
    # The snapshot first: whatever commits while the rows are read is read again at the next search.
    state.snapshot = run_prepared(_SNAPSHOT, [])[0][0]
    state.live = Live(ListingIndex.load(), _load_taxonomy(), Places())
    state.loaded_at = time.monotonic()


def _load_taxonomy() -> dict[str, list]:
    from market.taxonomy.models import Category, Need

    return {"category": list(Category.objects.all()), "need": list(Need.objects.all())}


def forget() -> None:
    """Drop this process's index (tests; the next search loads it again)."""
    with _synced.lock:
        _synced.live, _synced.snapshot, _synced.loaded_at = None, "", 0.0
