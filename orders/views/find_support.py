"""Find support: the directory's search, and the same search made for one person (`?for=<person id>`, issue 18).

Searching for a person needs what only this layer knows (who may order for them, their plans), so the search's
address is mounted here (market/urls.py) and hands every request to directory.views.search. A request without
`for=` (the anonymous hot path) goes straight through; with it, a signed-in user who may order for the person
searches in their area and within their plan, and anyone else gets the ordinary search, with nothing about them.
"""

from __future__ import annotations

from django.urls import reverse
from django.views.decorators.http import require_GET

from directory import views as directory_views
from directory.searching_for import SearchingFor
from market.accounts.models import ConsentScope
from market.accounts.permissions import capacity_for
from market.core.numbers import id_from

from .. import selectors


@require_GET
def find_support(request):
    if "for" not in request.GET:
        return directory_views.search(request)
    return directory_views.search(request, searching_for=_searching_for(request))


def _searching_for(request) -> SearchingFor | None:
    """The person the search is for, if the user may order for them; else None (the ordinary search)."""
    person_id = id_from(request.GET.get("for", ""))
    if not request.user.is_authenticated or person_id is None:
        return None
    person = selectors.person_get(person_id)
    if person is None or capacity_for(request.user, person, ConsentScope.ORDER) is None:
        return None
    return selectors.searching_for(
        person, book_url=lambda service_id: f"{reverse('orders:new', args=[service_id])}?for={person.pk}")
