"""`/providers/<slug>/` for anonymous visitors: the page Wagtail last rendered, re-checked in one query.

Wagtail stays the source of truth. Its `ProviderPage.serve` renders a storefront and, for an anonymous GET,
keeps the HTML for `ProviderPage.cache_seconds` under the request's host, path and date, together with the
page's id, publication time and URL path (`reused_storefront_set`). This view, ahead of Wagtail's catch-all,
answers an anonymous GET from that HTML only after one query confirms, for that page id, that it is still
live, published at the same moment, at the same URL path, under no view restriction, and that its provider
is listed today (`providers.selectors.listed_providers`, the same rule the Wagtail path checks). Anything
else (nothing kept, any check failing, a signed-in visitor, a POST, a preview) goes to Wagtail's own
`serve`, which routes, checks, renders and keeps the page again, or shows the "not available" page.

What this skips is Wagtail's routing (site lookup, one page query per path segment, `specific()`, view
restriction and alias checks): 8 of the 9 queries a reused storefront cost.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import CharField, Exists, ExpressionWrapper, F, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from wagtail.models import PageViewRestriction
from wagtail.views import serve as wagtail_serve

from market.core.compiled import CompiledQuery
from providers.selectors import listed_providers

from .models import ProviderPage


@dataclass(frozen=True)
class ReusedStorefront:
    page_id: int
    published: float
    url_path: str
    html: bytes

    def matches(self, page) -> bool:
        return (self.page_id == page.pk and self.published == _published(page.last_published_at)
                and self.url_path == page.url_path)


def _published(moment: datetime.datetime | None) -> float:
    return moment.timestamp() if moment else 0.0


def _key(request, today: datetime.date) -> str:
    return f"storefront:v2:{request.get_host()}:{request.path}:{today.isoformat()}"


def reused_storefront_get(request) -> ReusedStorefront | None:
    value = cache.get(_key(request, timezone.localdate()))
    return ReusedStorefront(*value) if value is not None else None


def reused_storefront_set(request, page, html: bytes) -> None:
    from .models import ProviderPage

    value = (page.pk, _published(page.last_published_at), page.url_path, bytes(html))
    cache.set(_key(request, timezone.localdate()), value, ProviderPage.cache_seconds)


def _page_state_query(today: datetime.date, *, page_id: int):
    # A view restriction on the page or any of its ancestors (Wagtail paths: an ancestor's is a prefix).
    restricted = PageViewRestriction.objects.annotate(
        outer_path=ExpressionWrapper(OuterRef("path"), output_field=CharField())
    ).filter(
        outer_path__startswith=F("page__path")
    )
    return (
        ProviderPage.objects.filter(pk=page_id)
        .annotate(restricted=Exists(restricted),
                  listed=Exists(listed_providers(on=today).filter(pk=OuterRef("provider_id"))))
        .values_list("live", "last_published_at", "url_path", "restricted", "listed")
    )


#: Compiled once a day (the listing rule's date), run as a prepared statement with the page id.
_PAGE_STATE = CompiledQuery(_page_state_query, "page_id")


def still_servable(reused: ReusedStorefront, *, today: datetime.date | None = None) -> bool:
    """One query: the kept page is live, unchanged, unrestricted and its provider is listed today."""
    rows = _PAGE_STATE.rows(today or timezone.localdate(), page_id=reused.page_id)
    if not rows:
        return False
    live, published, url_path, restricted, listed = rows[0]
    return (live and not restricted and listed and _published(published) == reused.published
            and url_path == reused.url_path)


def storefront(request, slug: str):
    if request.method == "GET" and not request.user.is_authenticated:
        reused = reused_storefront_get(request)
        if reused is not None and still_servable(reused):
            return HttpResponse(reused.html)
    return wagtail_serve(request, request.path_info[1:])


@login_required
def storefront_edit(request, slug: str):
    """A provider member's way into the Wagtail editor of their own storefront (linked from their dashboard)."""
    page = ProviderPage.objects.filter(slug=slug, provider__memberships__user=request.user).first()
    if page is None:
        raise Http404("You can only edit your own storefront.")
    return redirect("wagtailadmin_pages:edit", page.pk)
