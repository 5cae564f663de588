"""A directory search made for one person (issue 18 item 1): their area and their plan, as the directory applies
them (directory.searching_for). Read only when a search names a person (`?for=`)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.utils import timezone

from directory.searching_for import SearchingFor
from market.accounts.models import Person
from market.places.selectors import Place, UnknownPostcode, place_for_neighbourhood, place_for_postcode

from ..models import Budget


@dataclass(frozen=True)
class PlanKinds:
    """The kinds of support a person's current plans allow: ids and names, or None when a plan allows any kind (a
    self-funded budget) or there is no current plan."""

    category_ids: frozenset[int] | None
    names: tuple[str, ...]
    slugs: tuple[str, ...]


def plan_kinds(person: Person, *, on: datetime.date | None = None) -> PlanKinds:
    """The union of the kinds of support the person's budgets current on the day allow. One query."""
    on = on or timezone.localdate()
    plans = Budget.objects.filter(holder=person, starts_on__lte=on, ends_on__gte=on).prefetch_related(
        "allowed_categories")
    kinds = {}
    open_plan = False
    for budget in plans:
        allowed = list(budget.allowed_categories.all())
        open_plan = open_plan or not allowed
        kinds.update({category.pk: (category.name, category.slug) for category in allowed})
    if open_plan or not kinds:
        return PlanKinds(None, (), ())
    ordered = sorted(kinds.items(), key=lambda item: item[1][0])
    return PlanKinds(frozenset(kinds), tuple(name for _, (name, _) in ordered),
                     tuple(slug for _, (_, slug) in ordered))


def person_place(person: Person) -> Place | None:
    """Where the person lives: their postcode's place, else their neighbourhood's; None if neither is known."""
    if person.postcode:
        try:
            return place_for_postcode(person.postcode)
        except (UnknownPostcode, ValidationError):
            pass
    if person.neighbourhood_id is not None:
        return place_for_neighbourhood(person.neighbourhood)
    return None


def searching_for(person: Person, *, book_url: Callable[[int], str], on: datetime.date | None = None) -> SearchingFor:
    """What the directory needs to search for the person. The caller has checked that the user may order for them."""
    place = person_place(person)
    if person.neighbourhood_id is not None:
        area = person.neighbourhood.name
    elif place is not None:
        area = place.neighbourhood.name if place.neighbourhood is not None else place.label
    else:
        area = ""
    kinds = plan_kinds(person, on=on)
    return SearchingFor(person_id=person.pk, name=person.full_name, place=place, area=area,
                        category_ids=kinds.category_ids, plan_kinds=kinds.names, book_url=book_url)


def person_search(person: Person, *, on: datetime.date | None = None) -> dict:
    """The person's page's link to a search made for them (`?for=`) and the kinds their plans allow (empty: any)."""
    return {"search_query": urlencode({"for": person.pk}), "plan_kinds": list(plan_kinds(person, on=on).names)}
