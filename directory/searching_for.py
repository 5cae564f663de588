"""A search made for one person (issue 18): who it is for, as the layer that knows their plan tells the directory.

orders.views.find_support builds it for a signed-in user who may order for the person; the directory applies it to
the one search (their area replaces the postcode, their plan's kinds of support become a criterion) and links each
result to booking for them. Without `?for=` nothing of this runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from market.places.selectors import Place


@dataclass(frozen=True)
class SearchingFor:
    person_id: int
    name: str
    #: Where the person lives (their postcode's place, else their neighbourhood's); None if neither is recorded.
    place: Place | None
    #: Their area as the banner names it ("Pemberton", or the postcode), "" if none is recorded.
    area: str
    #: The kinds of support their current plans allow; None when a plan allows any kind (or there is no plan).
    category_ids: frozenset[int] | None
    #: Those kinds' names, for the banner.
    plan_kinds: tuple[str, ...]
    #: The address that books a service for the person.
    book_url: Callable[[int], str]
