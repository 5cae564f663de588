"""`/providers/<slug>/`: an anonymous visitor gets the storefront Wagtail last rendered, re-checked in one query.

Wagtail stays the source of truth: it routes, checks and renders every storefront (ProviderPage.serve). When it
renders one for an anonymous GET, this view keeps the HTML for STOREFRONT_REUSE_SECONDS under the request's host,
path and day, with the page's id, publication time and URL path. The next anonymous GET gets that HTML only after
one query confirms the page is still live, published at the same moment, at the same URL path, under no view
restriction, and that its provider is listed today (cms.selectors.storefront_page_state). Anything else (nothing
kept, a check failing, a signed-in visitor, a POST, a preview, the cache unreachable) goes to Wagtail.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from wagtail.views import serve as wagtail_serve

from market.core.cache import cache_get, cache_set

from .selectors import storefront_for_member, storefront_page_state

#: How long an anonymous visitor's rendered storefront is reused. Whether the provider may be shown at all is
#: checked on every request; only the page's content (services, prices, times) may lag an edit by this.
STOREFRONT_REUSE_SECONDS = 60


@dataclass(frozen=True)
class KeptStorefront:
    page_id: int
    published: float
    url_path: str
    html: bytes


def _published(moment: datetime.datetime | None) -> float:
    return moment.timestamp() if moment else 0.0


def _key(request) -> str:
    return f"storefront:v3:{request.get_host()}:{request.path}:{timezone.localdate().isoformat()}"


def _still_servable(kept: KeptStorefront) -> bool:
    state = storefront_page_state(page_id=kept.page_id)
    return (state is not None and state.live and not state.restricted and state.provider_listed
            and _published(state.last_published_at) == kept.published and state.url_path == kept.url_path)


def storefront(request, slug: str):
    anonymous_get = request.method == "GET" and not request.user.is_authenticated
    if anonymous_get:
        kept = cache_get(_key(request))
        if kept is not None and _still_servable(KeptStorefront(*kept)):
            return HttpResponse(kept[3])
    response = wagtail_serve(request, request.path_info[1:])
    page = (getattr(response, "context_data", None) or {}).get("page")
    if anonymous_get and response.status_code == 200 and getattr(page, "provider_id", None):
        response.render()
        cache_set(_key(request), (page.pk, _published(page.last_published_at), page.url_path, bytes(response.content)),
                  STOREFRONT_REUSE_SECONDS)
    return response


@login_required
def storefront_edit(request, slug: str):
    """A provider member's way into the Wagtail editor of their own storefront (linked from their dashboard)."""
    page = storefront_for_member(slug=slug, user=request.user)
    if page is None:
        raise Http404("You can only edit your own storefront.")
    return redirect("wagtailadmin_pages:edit", page.pk)
