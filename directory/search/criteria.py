"""What a person asked the directory for: the search form's answers, checked, as one value every engine reads."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from market.places.selectors import Place
from market.taxonomy.models import Category, Need

PERIODS = {
    "morning": ("Morning (8am to 12 noon)", datetime.time(8), datetime.time(12)),
    "afternoon": ("Afternoon (12 noon to 5pm)", datetime.time(12), datetime.time(17)),
    "evening": ("Evening (5pm to 10pm)", datetime.time(17), datetime.time(22)),
}
SORTS = {"distance": "Distance (nearest first)", "price": "Price (lowest first)", "newest": "Newest first"}


@dataclass(frozen=True)
class SearchCriteria:
    place: Place | None = None
    text: str = ""
    category: Category | None = None
    need: Need | None = None
    weekday: int | None = None
    period: str | None = None
    max_price_pence: int | None = None
    language: str = ""
    regulated: str = ""  # "", "only" or "exclude"
    council_budget: bool = False
    sort: str = "best"
    #: Only services whose provider is based at most this many metres from the place (needs a place).
    within_m: float | None = None
    #: Hours of the day asked for, (from, until): from the hour `from` up to the hour `until` (exclusive), local
    #: time. Used when no period is given (the Open Referral API asks by start and end time).
    hours: tuple[int, int] | None = None
    #: Only services that meet some need (the needs taxonomy's services).
    has_need: bool = False
    #: Only services of these kinds of support (a person's plan, when searching for them); None for any kind.
    category_ids: frozenset[int] | None = None

    @property
    def slot_cells(self) -> list[int] | None:
        """The weekday * 24 + hour cells asked for (the search table's slot_hours), None if no day or time was."""
        if self.weekday is None and not self.period and self.hours is None:
            return None
        days = [self.weekday] if self.weekday is not None else range(7)
        if self.period:
            _, starts, ends = PERIODS[self.period]
            hours = range(starts.hour, ends.hour)  # the periods start and end on the hour
        elif self.hours is not None:
            hours = range(*self.hours)
        else:
            hours = range(24)
        return [day * 24 + hour for day in days for hour in hours]

    @property
    def effective_sort(self) -> str:
        """"Best match" is relevance when words were typed, else distance from a place, else newest."""
        if self.sort != "best":
            return self.sort
        if self.text:
            return "relevance"
        return "distance" if self.place else "newest"

    def record_filters(self) -> dict:
        """The filters, as stored in an anonymous SearchRecord (no free text, no full postcode)."""
        filters = {
            "weekday": self.weekday,
            "period": self.period,
            "max_price_pence": self.max_price_pence,
            "language": self.language or None,
            "regulated": self.regulated or None,
            "council_budget": self.council_budget or None,
            "has_text": bool(self.text) or None,
            "sort": self.sort if self.sort != "best" else None,
            "category": self.category.slug if self.category else None,
            "need": self.need.slug if self.need else None,
        }
        return {key: value for key, value in filters.items() if value is not None}
