"""The public directory search. Thin: the form checks, selectors read, a service records the search."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from market.core.numbers import whole_number

from .forms import SearchForm
from .searching_for import SearchingFor
from .selectors import search_page
from .services import search_record_create

#: The query-string keys of the form (anything else, like utm_source, does not make a request a search).
FORM_KEYS = frozenset(SearchForm.base_fields) | {"page"}
#: No search has more pages than this: a bigger number is read as this one (and then as the last page).
MAX_PAGE_NUMBER = 10_000


def _page_number(raw: str | None) -> tuple[int, str]:
    if raw in (None, ""):
        return 1, ""
    text = raw.strip()
    number = whole_number(text.removeprefix("-"), max_digits=30)  # ASCII digits only: not "+2", "2.0", a fullwidth 2
    if number is None:
        return 1, "That page number was not a number, so here is the first page."
    if text.startswith("-") or number < 1:
        return 1, "Pages start at 1, so here is the first page."
    # Far past any real last page (the count stops at 1,000 results); the search shows its last page.
    return min(number, MAX_PAGE_NUMBER), ""


@require_GET
def search(request, *, searching_for: SearchingFor | None = None):
    """The search. `searching_for` (orders.views.find_support, for `?for=<person>`) searches for one person: it
    searches at once, in their area and within their plan, and each result books for them."""
    searched = searching_for is not None or bool(FORM_KEYS.intersection(request.GET))
    form = SearchForm(request.GET if searched else None, searching_for=searching_for)
    context = {"form": form, "searched": searched, "searching_for": searching_for}
    if searching_for is not None:
        everyone = request.GET.copy()
        for key in ("for", "page"):
            everyone.pop(key, None)
        context["everyone_url"] = request.path + (f"?{everyone.urlencode()}" if everyone else "")
    if searched and form.is_valid():
        criteria = form.criteria()
        number, page_message = _page_number(request.GET.get("page"))
        page = search_page(criteria, number=number)
        if "page" not in request.GET:  # paging through results is not a new search
            search_record_create(criteria=criteria, result_count=page.total)
        query = request.GET.copy()
        query.pop("page", None)
        context.update(criteria=criteria, page=page, page_message=page.message or page_message,
                       query_string=query.urlencode())
    return render(request, "directory/search.html", context)
