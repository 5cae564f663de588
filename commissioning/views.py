"""The commissioner's pages: her home (/commissioners/), the market view (/commissioners/market/), the list behind each
of its numbers, and the reference rates she sets. Commissioners and platform admins only."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from market.core.exceptions import DomainError
from market.core.forms import add_refusal, posted
from providers.permissions import require_commissioner

from . import charts, exports, services
from .forms import MarketFilterForm, ReferenceRateForm
from .selectors import home_counts
from .selectors import lists as market_lists
from .selectors import market as selectors


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
    spend = selectors.spend(market_filter)
    prices = selectors.price_spreads(market_filter)
    return render(request, "commissioning/market.html", {
        "form": form, "market": market_filter, "query": market_filter.query(),
        "presets": [(label, market_filter.query(start=start, end=end))
                    for label, start, end in selectors.period_presets()],
        "supply": selectors.supply(market_filter), "demand": selectors.demand(market_filter),
        "typed": selectors.typed_words(market_filter),
        "grid": selectors.gap_grid(market_filter), "spend": spend, "prices": prices,
        "above_reference": sum(spread.above_reference for spread in prices),
        "quality": selectors.quality(market_filter), "counts": home_counts(),
        "route_chart": charts.bar_chart([(row.label, row.pence) for row in spend.by_route]),
        "category_chart": charts.bar_chart([(row.label, row.pence) for row in spend.by_category]),
        "price_chart": charts.box_plot(prices),
    })


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
        "form": form, "rates": selectors.reference_rates(),
    })
