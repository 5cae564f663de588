"""The public community page: the council's picks, then every community group's listing, featured first."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors


@require_GET
def community_page(request):
    return render(request, "curation/community.html", {
        "picks": selectors.council_picks(),
        "listings": list(selectors.community_listings()),
    })
