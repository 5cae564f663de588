"""The public directory search. Thin: the form checks, selectors read, a service records the search."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from .forms import SearchForm
from .selectors import search_page
from .services import search_record_create

#: The query-string keys of the form (anything else, like utm_source, does not make a request a search).
FORM_KEYS = frozenset(SearchForm.base_fields) | {"page"}
#: No search has more pages than this: a bigger number is read as this one (and then as the last page).
MAX_PAGE_NUMBER = 10_000


def _page_number(raw: str | None) -> tuple[int, str]:
    if raw in (None, ""):
        return 1, ""
    try:
        number = int(raw)
    except ValueError:
        return 1, "That page number was not a number, so here is the first page."
    if number < 1:
        return 1, "Pages start at 1, so here is the first page."
    # Far past any real last page (the count stops at 1,000 results); the search shows its last page.
    return min(number, MAX_PAGE_NUMBER), ""


@require_GET
def search(request):
    searched = bool(FORM_KEYS.intersection(request.GET))
    form = SearchForm(request.GET if searched else None)
    context = {"form": form, "searched": searched}
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
