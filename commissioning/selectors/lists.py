"""The list behind each number of the market view: the same querysets the figures count, shown a page at a time.
No person's identity: orders and visits show a reference, the provider, the neighbourhood and the route only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from market.accounts.models import FundingRoute
from orders.money import format_pence
from providers.display import price_label
from providers.models import Provider

from . import community as c
from . import market as m
from . import prices as p
from . import quality as q

LIST_LIMIT = 500
EXPORT_LIMIT = 100_000


@dataclass(frozen=True)
class ListCell:
    text: str
    provider_slug: str = ""  # links to the provider's verification page


@dataclass(frozen=True)
class MarketList:
    name: str
    title: str
    columns: list[str]
    rows: list[list[ListCell]]
    total: int

    @property
    def truncated(self) -> bool:
        return self.total > len(self.rows)


def _when(value) -> str:
    return f"{timezone.localtime(value):%d %b %Y %H:%M}" if value else ""


def _route(value: str) -> str:
    return dict(FundingRoute.choices).get(value, value)


def _services(services: QuerySet) -> tuple[list[str], QuerySet, Callable]:
    return (["Service", "Provider", "Kind of support", "Price"],
            services.select_related("provider", "category").order_by("category__name", "-price_pence", "pk"),
            lambda s: [ListCell(s.title), ListCell(s.provider.name, s.provider.slug), ListCell(s.category.name),
                       ListCell(price_label(s.price_pence, s.unit))])


def _providers(providers: QuerySet) -> tuple[list[str], QuerySet, Callable]:
    return (["Provider", "Legal form", "Approved"],
            providers.order_by("name", "pk"),
            lambda p: [ListCell(p.name, p.slug), ListCell(p.get_legal_form_display()),
                       ListCell(_when(p.approved_at))])


def _searches(records: QuerySet) -> tuple[list[str], QuerySet, Callable]:
    return (["When", "District", "Neighbourhood", "Kind of support", "Need", "Words typed", "Most they would pay",
             "Results"],
            records.select_related("neighbourhood", "category", "need").order_by("-searched_at", "-pk"),
            lambda r: [ListCell(_when(r.searched_at)), ListCell(r.district or "None given"),
                       ListCell(r.neighbourhood.name if r.neighbourhood else "Not known"),
                       ListCell(r.category.name if r.category else "Any"), ListCell(r.need.name if r.need else ""),
                       ListCell(_typed(r.filters)),
                       ListCell(format_pence(r.filters.get("max_price_pence")) or "No limit"),
                       ListCell(str(r.result_count))])


def _typed(filters: dict) -> str:
    words = list(filters.get("words") or [])
    if filters.get("other_words"):
        words.append(f"{filters['other_words']} other")
    return ", ".join(words)


def _orders(orders: QuerySet) -> tuple[list[str], QuerySet, Callable]:
    return (["Order", "Placed", "Provider", "Service", "Neighbourhood", "Funding route", "Status", "Total"],
            orders.select_related("provider", "service", "holder__neighbourhood").order_by("-created_at", "-pk"),
            lambda o: [ListCell(o.reference), ListCell(_when(o.created_at)), ListCell(o.provider.name, o.provider.slug),
                       ListCell(o.service.title),
                       ListCell(o.holder.neighbourhood.name if o.holder.neighbourhood else "Not known"),
                       ListCell(_route(o.funding_route)), ListCell(o.get_status_display()),
                       ListCell(format_pence(o.total_pence))])


def _visits(visits: QuerySet) -> tuple[list[str], QuerySet, Callable]:
    return (["Visit", "Order", "Provider", "Service", "Neighbourhood", "Funding route", "Status", "Cost"],
            visits.select_related("order__provider", "order__service", "order__holder__neighbourhood")
            .order_by("-starts_at", "-pk"),
            lambda v: [ListCell(_when(v.starts_at)), ListCell(v.order.reference),
                       ListCell(v.order.provider.name, v.order.provider.slug), ListCell(v.order.service.title),
                       ListCell(v.order.holder.neighbourhood.name if v.order.holder.neighbourhood else "Not known"),
                       ListCell(_route(v.order.funding_route)), ListCell(v.get_status_display()),
                       ListCell(format_pence(v.cost_pence))])


def _micro(queryset: QuerySet, field: str) -> QuerySet:
    return queryset.filter(**{f"{field}__in": m.micro_provider_ids()})


#: name: (title, builder of (columns, queryset, row) for a filter)
LISTS: dict[str, tuple[str, Callable]] = {
    "services": ("Services listed today", lambda f: _services(m.supplied_services(f))),
    "providers": ("Providers listed today", lambda f: _providers(
        Provider.objects.filter(pk__in=m.supplied_services(f).values("provider")))),
    "micro-providers": ("Micro-providers listed today (fewer than 5 on the team)", lambda f: _providers(
        _micro(Provider.objects.filter(pk__in=m.supplied_services(f).values("provider")), "pk"))),
    "new-providers": ("Providers approved in the period", lambda f: _providers(m.new_providers_in(f))),
    "community-groups": ("Community groups listed today", lambda f: _providers(c.community_groups(f))),
    "activities": ("Activities at a venue listed today", lambda f: _services(c.activities(f))),
    "free-activities": ("Free activities listed today", lambda f: _services(c.free_activities(f))),
    "searches": ("Searches", lambda f: _searches(m.searches_in(f))),
    "unmet-searches": ("Searches that found nothing", lambda f: _searches(m.searches_in(f, unmet_searches=1))),
    "unmet-priced-searches": ("Searches with a price limit that found nothing", lambda f: _searches(
        m.searches_in(f, unmet_priced_searches=1))),
    "other-words-searches": ("Searches with typed words outside the vocabulary (the words are not kept)",
                             lambda f: _searches(m.searches_in(f, other_words_searches=1))),
    "searches-no-area": ("Searches with no neighbourhood (a district across several, or no postcode)",
                         lambda f: _searches(m.searches_in(f, searches_no_area=1))),
    "searches-no-kind": ("Searches that chose no kind of support",
                         lambda f: _searches(m.searches_in(f, searches_no_kind=1))),
    "orders": ("Orders placed", lambda f: _orders(m.orders_in(f))),
    "declined-orders": ("Orders declined by the provider", lambda f: _orders(m.orders_in(f, declined_orders=1))),
    "spend": ("Confirmed visits (spend)", lambda f: _visits(m.spend_visits(f))),
    "micro-spend": ("Confirmed visits with micro-providers", lambda f: _visits(m.spend_visits(f, micro=True))),
    "above-reference": ("Hourly services priced above the reference rate",
                        lambda f: _services(p.services_above_reference(f))),
    "hourly-services": ("Services priced by the hour", lambda f: _services(p.hourly_services(f))),
    "disputed-visits": ("Disputed visits", lambda f: _visits(q.disputed_visits(f))),
}


def market_list(name: str, market: m.MarketFilter, *, provider_slug: str = "", word: str = "",
                limit: int = LIST_LIMIT) -> MarketList | None:
    """The list `name` for the filter (None for an unknown list), at most `limit` rows. Two queries."""
    if name not in LISTS:
        return None
    title, build = LISTS[name]
    columns, queryset, row = build(market)
    if provider_slug:
        queryset = queryset.filter(_provider_q(queryset, provider_slug))
    if word and queryset.model.__name__ == "SearchRecord":
        queryset = queryset.filter(filters__words__contains=[word])
        title = f"{title} with the word “{word}”"
    total = queryset.count()
    return MarketList(name, title, columns, [row(item) for item in queryset[:limit]], total)


def _provider_q(queryset: QuerySet, slug: str) -> Q:
    model = queryset.model.__name__
    if model == "SearchRecord":  # searches know no provider
        return Q()
    if model == "Provider":
        return Q(slug=slug)
    if model in ("Visit",):
        return Q(order__provider__slug=slug)
    return Q(provider__slug=slug)
