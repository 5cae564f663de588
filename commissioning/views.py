"""The commissioner's pages: her home (/commissioners/), the market view (/commissioners/market/), the list behind each
of its numbers, and the reference rates she sets. Commissioners and platform admins only."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from market.core.exceptions import DomainError
from market.core.forms import add_refusal, posted
from market.core.redirects import redirect_to_next
from market.outbox.tasks_queue import enqueue
from providers.permissions import require_commissioner

from . import charts, exports, services
from .forms import MarketFilterForm, ReferenceRateForm
from .freshness import SUMMARY_TASK
from .selectors import community, home_counts
from .selectors import lists as market_lists
from .selectors import market as selectors
from .selectors import prices as price_selectors
from .selectors import quality as quality_selectors
from .selectors.summary import summary_state


def home(request):
    require_commissioner(request.user)
    return render(request, "commissioning/home.html", {"counts": home_counts()})


def _filter(request):
    neighbourhoods, categories = selectors.filter_choices()
    data = request.GET.copy()
    if not data.get("start") and not data.get("end"):  # the default period, shown in the form
        start, end = selectors.default_period()
        data["start"], data["end"] = start.isoformat(), end.isoformat()
    form = MarketFilterForm(data, neighbourhoods=neighbourhoods, categories=categories)
    return form, form.market_filter()


def market(request):
    require_commissioner(request.user)
    form, market_filter = _filter(request)
    # Demand, the gaps and spend come from the summary the worker keeps (never from the live tables: at ten boroughs
    # that took up to 18 s); until it is first built the page says so and offers to build it.
    state = summary_state()
    built = state.built
    spend = selectors.spend(market_filter, summary=True) if built else None
    prices = price_selectors.price_spreads(market_filter)
    return render(request, "commissioning/market.html", {
        "form": form, "market": market_filter, "query": market_filter.query(), "summary": state,
        "presets": [(label, market_filter.query(start=start, end=end))
                    for label, start, end in selectors.period_presets()],
        "supply": selectors.supply(market_filter),
        "community": community.community_supply(market_filter),
        "credits": community.community_credits(market_filter),
        "demand": selectors.demand(market_filter, summary=True) if built else None,
        "typed": selectors.typed_words(market_filter),
        "grid": selectors.gap_grid(market_filter, summary=True) if built else None, "spend": spend, "prices": prices,
        "above_reference": sum(spread.above_reference for spread in prices),
        "quality": quality_selectors.quality(market_filter), "counts": home_counts(),
        "route_chart": charts.bar_chart([(row.label, row.pence) for row in spend.by_route]) if spend else "",
        "category_chart": charts.bar_chart([(row.label, row.pence) for row in spend.by_category]) if spend else "",
        "price_chart": charts.box_plot(prices),
    })


@require_POST
def market_refresh(request):
    """Ask the worker to rebuild the market view's figures now, then back to the page (the same filter)."""
    require_commissioner(request.user)
    enqueue(SUMMARY_TASK)
    messages.success(request, "The figures are being brought up to date: reload the page in a minute.")
    return redirect_to_next(request, reverse("commissioning:market"))


def market_list(request, name: str):
    require_commissioner(request.user)
    form, market_filter = _filter(request)
    provider = request.GET.get("provider", "")[:120]
    download = request.GET.get("format") if request.GET.get("format") in exports.FORMATS else None
    limit = market_lists.EXPORT_LIMIT if download else market_lists.LIST_LIMIT
    found = market_lists.market_list(name, market_filter, provider_slug=provider, limit=limit,
                                     word=request.GET.get("word", "")[:40])
    if found is None:
        raise Http404("No such list.")
    if download:
        return exports.list_download(found, market_filter, download)
    return render(request, "commissioning/market_list.html", {
        "form": form, "market": market_filter, "list": found, "provider": provider,
        "back_query": market_filter.query(),
    })


def reference_rates(request):
    require_commissioner(request.user)
    categories = selectors.filter_choices()[1]
    form = ReferenceRateForm(posted(request), categories=categories)
    if form.is_valid():
        category = form.categories[form.cleaned_data["category"]]
        try:
            services.reference_rate_set(category=category, hourly_pence=form.cleaned_data["hourly_rate"],
                                        by=request.user)
        except DomainError as error:
            add_refusal(form, error.field, error.message)
        else:
            messages.success(request, f"The reference rate for {category.name} is saved.")
            return redirect("commissioning:reference-rates")
    return render(request, "commissioning/reference_rates.html", {
        "form": form, "rates": price_selectors.reference_rates(),
    })
