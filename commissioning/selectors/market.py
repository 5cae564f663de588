"""The commissioners' market view: supply, demand and unmet demand and spend, for a period and optionally one
neighbourhood, one kind of support and one funding route (its prices are in `prices`, its quality figures in
`quality`, beside this module).

Every figure is an aggregate the database computes (a fixed number of queries whatever the size of the market);
Python only arranges the few aggregate rows into the neighbourhood x category grid. No person's identity appears.

What counts as a search that found nothing, a declined order, spend and a micro-provider is spelt once, in SQL views
(commissioning/sql/market_summary.sql, read through commissioning.models): demand, the grid and spend add up those
views' rows either live (`summary=False`: the lists behind the figures, and tests) or from the daily summaries a
worker task keeps (`summary=True`: the page; commissioning.selectors.summary says how fresh they are).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from commissioning.facts import (
    MicroProvider,
    OrderDaily,
    OrderFact,
    SearchDaily,
    SearchFact,
    SpendDaily,
    SpendFact,
)
from directory.models import Listing, SearchRecord
from market.accounts.models import FundingRoute
from market.places.models import Neighbourhood
from market.taxonomy.models import Category
from orders.models import Order, Visit
from providers.models import Provider, ProviderStatus, Service, ServiceAvailability

from .summary import summary_state

#: Fewer on the team than this is a micro-provider: the words on the page; the rule is commissioning_micro_provider.
MICRO_TEAM_LIMIT = 5


@dataclass(frozen=True)
class MarketFilter:
    """What the view is narrowed to. `end` is the last day included."""

    start: datetime.date
    end: datetime.date
    neighbourhood: Neighbourhood | None = None
    category: Category | None = None
    route: str = ""

    @property
    def since(self) -> datetime.datetime:
        return _local_midnight(self.start)

    @property
    def until(self) -> datetime.datetime:
        return _local_midnight(self.end + datetime.timedelta(days=1))

    @property
    def route_label(self) -> str:
        return FundingRoute(self.route).label if self.route else ""

    def params(self, **overrides) -> dict[str, str]:
        """The filter as URL parameters (what the form reads), with `overrides` (None drops a parameter)."""
        values = {
            "start": self.start.isoformat(), "end": self.end.isoformat(),
            "neighbourhood": self.neighbourhood.slug if self.neighbourhood else None,
            "category": self.category.slug if self.category else None,
            "route": self.route or None,
        }
        values.update(overrides)
        return {key: str(value) for key, value in values.items() if value not in (None, "")}

    def query(self, **overrides) -> str:
        return urlencode(self.params(**overrides))


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def filter_choices() -> tuple[list[Neighbourhood], list[Category]]:
    """Every neighbourhood and kind of support, for the filter form. Two queries."""
    return list(Neighbourhood.objects.all()), list(Category.objects.all())


def period_presets(today: datetime.date | None = None) -> list[tuple[str, datetime.date, datetime.date]]:
    """(label, first day, last day) of the periods offered as quick links."""
    today = today or timezone.localdate()
    month_start = today.replace(day=1)
    last_month_end = month_start - datetime.timedelta(days=1)
    return [
        ("This month", month_start, today),
        ("Last month", last_month_end.replace(day=1), last_month_end),
        ("The last 3 months", (month_start - datetime.timedelta(days=62)).replace(day=1), today),
        ("The last 12 months", (month_start - datetime.timedelta(days=335)).replace(day=1), today),
    ]


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """This month so far."""
    today = today or timezone.localdate()
    return today.replace(day=1), today


def micro_provider_ids() -> QuerySet:
    """Providers with fewer than MICRO_TEAM_LIMIT people on their team, as a subquery."""
    return MicroProvider.objects.values("provider_id")


# --- The rows the figures add up: live (the views) or summarised per day -----------------------------------------


def _narrowed(rows: QuerySet, market: MarketFilter, *, by_route: bool = True) -> QuerySet:
    if market.neighbourhood is not None:
        rows = rows.filter(neighbourhood=market.neighbourhood)
    if market.category is not None:
        rows = rows.filter(category=market.category)
    if by_route and market.route:
        rows = rows.filter(route=market.route)
    return rows


def search_facts(market: MarketFilter, *, summary: bool = False) -> QuerySet:
    """Searches in the period within the filter (searches know no funding route): a row per search, or per day."""
    rows = (SearchDaily.objects.filter(day__gte=market.start, day__lte=market.end) if summary else
            SearchFact.objects.filter(searched_at__gte=market.since, searched_at__lt=market.until))
    return _narrowed(rows, market, by_route=False)


def order_facts(market: MarketFilter, *, summary: bool = False) -> QuerySet:
    """Orders placed in the period, by the holder's neighbourhood, the service's kind and the budget's route."""
    rows = (OrderDaily.objects.filter(day__gte=market.start, day__lte=market.end) if summary else
            OrderFact.objects.filter(created_at__gte=market.since, created_at__lt=market.until))
    return _narrowed(rows, market)


def spend_facts(market: MarketFilter, *, summary: bool = False) -> QuerySet:
    """Confirmed visits (spend) that started in the period, within the filter."""
    rows = (SpendDaily.objects.filter(day__gte=market.start, day__lte=market.end) if summary else
            SpendFact.objects.filter(starts_at__gte=market.since, starts_at__lt=market.until))
    return _narrowed(rows, market)


# --- Supply -----------------------------------------------------------------------------------------------------


class _ListedOn(Func):
    """`listed_during @> day` on the directory's listing table: whether the listing rule lists the service that day."""

    template = "%(expressions)s @> %(day)s::date"
    output_field = BooleanField()

    def __init__(self, day: datetime.date):
        super().__init__(F("listed_during"))
        self.day = day

    def as_sql(self, compiler, connection, **extra):
        sql, params = super().as_sql(compiler, connection, day="%s", **extra)
        return sql, (*params, self.day)


def supplied_services(market: MarketFilter) -> QuerySet[Service]:
    """Services listed today, within the filter (a council-managed route counts only services it can pay for).

    Read from the directory's listing table, whose `listed_during` is the listing rule's own answer
    (providers_service_listed_during, kept by triggers in the same transaction as every change it depends on):
    calling the rule's function once per service made the market page take about 20 s at ten boroughs
    (bench/market.py); the table answers the same question from one scan."""
    listed = Listing.objects.filter(_ListedOn(timezone.localdate()))
    if market.neighbourhood is not None:
        listed = listed.filter(neighbourhood_ids__contains=[market.neighbourhood.pk])
    services = Service.objects.filter(pk__in=listed.values("service_id"))
    if market.category is not None:
        services = services.filter(category=market.category)
    if market.route == FundingRoute.COUNCIL_MANAGED:
        services = services.filter(council_budget_ok=True)
    return services


@dataclass(frozen=True)
class Supply:
    services: int
    providers: int
    micro_providers: int
    hours_per_week: float
    new_providers: list[tuple[datetime.date, int]]


def supply(market: MarketFilter) -> Supply:
    services = supplied_services(market)
    totals = services.aggregate(
        services=Count("pk", distinct=True), providers=Count("provider", distinct=True),
        micro=Count("provider", distinct=True, filter=Q(provider__in=micro_provider_ids())),
    )
    offered = ServiceAvailability.objects.filter(service__in=services.values("pk")).aggregate(
        total=Sum(ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())))["total"]
    return Supply(
        services=totals["services"], providers=totals["providers"], micro_providers=totals["micro"],
        hours_per_week=round(offered.total_seconds() / 3600, 1) if offered else 0.0,
        new_providers=new_providers_by_month(market),
    )


def new_providers_in(market: MarketFilter) -> QuerySet[Provider]:
    """Providers approved in the period (and now approved), within the neighbourhood and kind of support."""
    providers = Provider.objects.filter(status=ProviderStatus.APPROVED, approved_at__gte=market.since,
                                        approved_at__lt=market.until)
    if market.neighbourhood is not None:
        providers = providers.filter(neighbourhoods=market.neighbourhood)
    if market.category is not None:
        providers = providers.filter(services__category=market.category)
    return providers.distinct()


def new_providers_by_month(market: MarketFilter) -> list[tuple[datetime.date, int]]:
    rows = (Provider.objects.filter(pk__in=new_providers_in(market).values("pk"))
            .annotate(month=TruncMonth("approved_at")).values("month").annotate(count=Count("pk")).order_by("month"))
    return [(timezone.localtime(row["month"]).date() if isinstance(row["month"], datetime.datetime) else row["month"],
             row["count"]) for row in rows]


_SUPPLY_GRID_SQL = """
SELECT area, listing.category_id, count(*), count(DISTINCT listing.provider_id)
FROM directory_listing AS listing CROSS JOIN LATERAL unnest(listing.neighbourhood_ids) AS area
WHERE listing.service_id IN ({services})
GROUP BY area, listing.category_id
"""


def _supply_cells(market: MarketFilter) -> dict[tuple[int, int], tuple[int, int]]:
    """{(neighbourhood id, category id): (services, providers)} for today's listed services. One query."""
    sql, params = supplied_services(market).order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_SUPPLY_GRID_SQL.format(services=sql), params)
        return {(area, category): (services, providers) for area, category, services, providers in cursor.fetchall()}


# --- Demand -----------------------------------------------------------------------------------------------------


def searches_in(market: MarketFilter, **rule) -> QuerySet[SearchRecord]:
    """Searches in the period, within the neighbourhood and kind of support (searches know no funding route), that
    meet `rule` (e.g. unmet_searches=1)."""
    return SearchRecord.objects.filter(pk__in=search_facts(market).filter(**rule).values("id"))


def orders_within(market: MarketFilter, *, to_order: str = "", by_route: bool = True) -> Q:
    """The filter's neighbourhood (the holder's), kind of support (the service's) and funding route, for rows that
    reach their order through `to_order` ("" for orders themselves, "order__" for visits and reviews)."""
    within = Q()
    if market.neighbourhood is not None:
        within &= Q(**{f"{to_order}holder__neighbourhood": market.neighbourhood})
    if market.category is not None:
        within &= Q(**{f"{to_order}service__category": market.category})
    if by_route and market.route:
        within &= Q(**{f"{to_order}funding_route": market.route})
    return within


def orders_in(market: MarketFilter, **rule) -> QuerySet[Order]:
    """Orders placed in the period, by the holder's neighbourhood, the service's kind and the budget's route, that
    meet `rule` (e.g. declined_orders=1)."""
    return Order.objects.filter(pk__in=order_facts(market).filter(**rule).values("id"))


@dataclass(frozen=True)
class Demand:
    searches: int
    unmet_searches: int
    unmet_with_price_limit: int
    searches_no_area: int
    searches_no_kind: int
    orders: int
    declined: int


def demand(market: MarketFilter, *, summary: bool = False) -> Demand:
    """Two queries, live or from the summary."""
    searches = search_facts(market, summary=summary).aggregate(
        searches=Sum("searches", default=0), unmet=Sum("unmet_searches", default=0),
        unmet_priced=Sum("unmet_priced_searches", default=0), no_area=Sum("searches_no_area", default=0),
        no_kind=Sum("searches_no_kind", default=0),
    )
    orders = order_facts(market, summary=summary).aggregate(orders=Sum("orders", default=0),
                                                             declined=Sum("declined_orders", default=0))
    return Demand(searches["searches"], searches["unmet"], searches["unmet_priced"], searches["no_area"],
                  searches["no_kind"], orders["orders"], orders["declined"])


@dataclass(frozen=True)
class TypedWord:
    word: str
    searches: int
    unmet: int


_WORDS_SQL = """
SELECT word, count(*), count(*) FILTER (WHERE fact.unmet_searches = 1)
FROM directory_searchrecord AS record CROSS JOIN LATERAL jsonb_array_elements_text(record.filters -> 'words') AS word
JOIN commissioning_search_fact AS fact ON fact.id = record.id
WHERE record.id IN ({searches}) AND jsonb_typeof(record.filters -> 'words') = 'array'
GROUP BY word ORDER BY 3 DESC, 2 DESC, word
"""


def typed_words(market: MarketFilter) -> tuple[list[TypedWord], dict]:
    """The vocabulary words people typed in the period's searches, most unmet first, and how many searches had other
    words (not kept: docs/adr/0007). Two queries."""
    sql, params = searches_in(market).values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_WORDS_SQL.format(searches=sql), params)
        words = [TypedWord(*row) for row in cursor.fetchall()]
    others = search_facts(market).filter(other_words_searches=1).aggregate(
        searches=Sum("searches", default=0), unmet=Sum("unmet_searches", default=0))
    return words, others


@dataclass
class Cell:
    neighbourhood: Neighbourhood
    category: Category
    services: int = 0
    providers: int = 0
    searches: int = 0
    unmet: int = 0
    orders: int = 0
    declined: int = 0
    query: str = ""  # the filter narrowed to this cell, for the links to the lists behind it

    @property
    def unmet_demand(self) -> int:
        """Searches that found nothing and orders the provider declined."""
        return self.unmet + self.declined

    @property
    def is_gap(self) -> bool:
        return self.unmet_demand > 0

    @property
    def is_empty_gap(self) -> bool:
        """Wanted here, and nothing of the kind is listed here at all."""
        return self.is_gap and self.services == 0


@dataclass
class GapGrid:
    neighbourhoods: list[Neighbourhood]
    categories: list[Category]
    rows: list[list[Cell]] = field(default_factory=list)

    @property
    def gaps(self) -> list[Cell]:
        """The gap cells, most unmet demand first."""
        cells = [cell for row in self.rows for cell in row if cell.is_gap]
        return sorted(cells, key=lambda cell: (-cell.unmet_demand, cell.services, cell.neighbourhood.name,
                                               cell.category.name))


def gap_grid(market: MarketFilter, *, summary: bool = False) -> GapGrid:
    """Neighbourhoods by kinds of support: supply today, and demand and unmet demand in the period (live or from the
    summary). Four queries."""
    neighbourhoods = [market.neighbourhood] if market.neighbourhood else list(Neighbourhood.objects.all())
    categories = [market.category] if market.category else list(Category.objects.all())
    supplied = _supply_cells(market)
    searched = {
        (row["neighbourhood_id"], row["category_id"]): row
        for row in search_facts(market, summary=summary).filter(neighbourhood__isnull=False, category__isnull=False)
        .values("neighbourhood_id", "category_id").annotate(searches=Sum("searches"), unmet=Sum("unmet_searches"))
        .order_by()
    }
    ordered = {
        (row["neighbourhood_id"], row["category_id"]): row
        for row in order_facts(market, summary=summary).values("neighbourhood_id", "category_id")
        .annotate(orders=Sum("orders"), declined=Sum("declined_orders")).order_by()
    }
    grid = GapGrid(neighbourhoods, categories)
    for area in neighbourhoods:
        row = []
        for kind in categories:
            key = (area.pk, kind.pk)
            services, providers = supplied.get(key, (0, 0))
            search = searched.get(key, {})
            order = ordered.get(key, {})
            row.append(Cell(area, kind, services, providers, search.get("searches", 0), search.get("unmet", 0),
                            order.get("orders", 0), order.get("declined", 0),
                            query=market.query(neighbourhood=area.slug, category=kind.slug)))
        grid.rows.append(row)
    return grid


# --- Spend ------------------------------------------------------------------------------------------------------


def spend_visits(market: MarketFilter, **rule) -> QuerySet[Visit]:
    """Confirmed visits in the period (the money actually spent), within the filter, that meet `rule` (e.g.
    micro=True)."""
    return Visit.objects.filter(pk__in=spend_facts(market).filter(**rule).values("id"))


@dataclass(frozen=True)
class SpendRow:
    key: str
    label: str
    pence: int
    query: str = ""  # the list behind the figure


@dataclass(frozen=True)
class Spend:
    total_pence: int
    micro_pence: int
    people: int
    visits: int
    by_route: list[SpendRow]
    by_category: list[SpendRow]
    by_neighbourhood: list[SpendRow]
    by_provider: list[SpendRow]

    @property
    def micro_share(self) -> int:
        """The percentage of spend that went to micro-providers (whole number)."""
        return round(100 * self.micro_pence / self.total_pence) if self.total_pence else 0

    @property
    def per_person_pence(self) -> int:
        return round(self.total_pence / self.people) if self.people else 0


TOP_PROVIDERS = 10


def spend(market: MarketFilter, *, summary: bool = False) -> Spend:
    """Five queries (live or summary): the totals, then by route, kind of support, neighbourhood, top ten providers."""
    visits = spend_facts(market, summary=summary)
    totals = visits.aggregate(
        total=Sum("spend_pence", default=0), micro=Sum("spend_pence", default=0, filter=Q(micro=True)),
        people=Count("holder", distinct=True), visits=Sum("visits", default=0),
    )
    routes = dict(FundingRoute.choices)

    def grouped(key: str, label: str, parameter: str, limit: int | None = None) -> list[SpendRow]:
        rows = visits.values(key, label).annotate(pence=Sum("spend_pence")).order_by("-pence", label)
        rows = rows[:limit] if limit else rows
        return [SpendRow(str(row[key] or ""), str(row[label] or "Not known"), row["pence"],
                         market.query(**{parameter: row[key]}) if row[key] else "") for row in rows]

    by_route = [SpendRow(row.key, routes.get(row.key, row.key), row.pence, row.query)
                for row in grouped("route", "route", "route")]
    return Spend(
        total_pence=totals["total"], micro_pence=totals["micro"], people=totals["people"], visits=totals["visits"],
        by_route=by_route,
        by_category=grouped("category__slug", "category__name", "category"),
        by_neighbourhood=grouped("neighbourhood__slug", "neighbourhood__name", "neighbourhood"),
        by_provider=grouped("provider__slug", "provider__name", "provider", TOP_PROVIDERS),
    )


def published_gaps(*, days: int, minimum_unmet: int = 1, today: datetime.date | None = None) -> list[Cell]:
    """The gaps of the last `days` days with at least `minimum_unmet` unmet demand, most first: what the public
    gaps page shows. From the market view's summary once built (a public page must stay cheap), else live."""
    today = today or timezone.localdate()
    grid = gap_grid(MarketFilter(start=today - datetime.timedelta(days=max(days, 1) - 1), end=today),
                    summary=summary_state().built)
    return [cell for cell in grid.gaps if cell.unmet_demand >= max(minimum_unmet, 1)]
