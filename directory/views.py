"""The public directory search. Thin: the form validates, selectors read, a service records the search."""

from __future__ import annotations

from django.db import connection
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import index as listing_index
from .cards import results_html
from .forms import SearchForm
from .selectors import search_page
from .services import search_record_create

#: The query-string keys of the form (anything else, like utm_source, does not make a request a search).
FORM_KEYS = frozenset(SearchForm.base_fields) | {"page"}


def _page_number(raw: str | None) -> tuple[int, str]:
    if raw in (None, ""):
        return 1, ""
    try:
        number = int(raw)
    except ValueError:
        return 1, "That page number was not a number, so here is the first page."
    if number < 1:
        return 1, "Pages start at 1, so here is the first page."
    return number, ""


@require_GET
def search(request):
    searched = bool(FORM_KEYS.intersection(request.GET))
    # The search table, the form's lists and the postcodes from this process's memory, brought up to date first
    # (one query); inside a transaction (tests, mostly) the search runs in SQL instead: see index.py.
    live = None if connection.in_atomic_block else listing_index.live()
    form = SearchForm(request.GET if searched else None, taxonomy=live.taxonomy if live else None,
                      places=live.places if live else None)
    context = {"form": form, "searched": searched}
    if not searched or not form.is_valid():
        return render(request, "directory/search.html", context, status=200)

    now = timezone.now()
    criteria = form.criteria()
    today = timezone.localdate(now)
    number, page_message = _page_number(request.GET.get("page"))
    page = search_page(criteria, number=number, today=today, now=now, index=live.index if live else None)
    page_message = page.message or page_message
    total = page.total
    rows = page.rows

    # A new search is recorded once (paging through its results is not a new search).
    if number == 1 and not request.GET.get("page"):
        search_record_create(criteria=criteria, result_count=total)

    query = request.GET.copy()
    query.pop("page", None)
    parts = {"criteria": criteria, "page": page, "rows": rows, "total": total, "page_message": page_message,
             "query_string": query.urlencode()}
    context.update(parts, results_html=results_html(**parts))
    return render(request, "directory/search.html", context)
