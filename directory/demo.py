"""Demo searches, so the commissioners' views of demand and unmet need have something to show.

Recorded through the same service as real searches (search_record_create), with the result counts the real
search gives today. Only added to an empty table, so loading the demo twice changes nothing.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from market.places.selectors import UnknownPostcode, place_for_postcode
from market.taxonomy.models import Category, Need

from .models import SearchRecord
from .search import SearchCriteria
from .selectors import search_page
from .services import search_record_create

# postcode or district, category slug, need slug, weekday, time of day, free text
DEMO_SEARCHES = [
    ("WN1 3AD", "companionship", None, None, None, ""),
    ("WN1", None, "feeling-less-lonely", None, None, ""),
    ("WN2", "personal-care", None, 6, "evening", ""),        # personal care on a Sunday evening: likely unmet
    ("WN1 3AS", None, None, None, None, "gardening"),
    ("WN7", "transport", None, None, None, ""),               # nothing in Leigh yet: unmet need
    ("WN1", "meals", None, 2, "morning", ""),
    ("WN6", None, "having-a-break-from-caring", None, None, ""),
]


def load_searches() -> None:
    if SearchRecord.objects.exists():
        return
    today = timezone.localdate()
    for postcode, category, need, weekday, period, text in DEMO_SEARCHES:
        try:
            place = place_for_postcode(postcode)
        except (UnknownPostcode, ValidationError):  # a demo postcode missing from the table: search anywhere
            place = None
        criteria = SearchCriteria(
            place=place,
            category=Category.objects.filter(slug=category).first() if category else None,
            need=Need.objects.filter(slug=need).first() if need else None,
            weekday=weekday, period=period, text=text,
        )
        search_record_create(criteria=criteria, result_count=search_page(criteria, number=1, today=today).total)
