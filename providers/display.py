"""How a service's price, times and checks read to a person, in plain English.

Plain functions with no queries, shared by the directory's result cards and the storefronts (and anywhere else a
service is shown): "£17.50 per hour", "Monday: 9am to 12 noon", "Tomorrow from 9am", "Enhanced DBS check: verified
5 November 2026".
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from .models import PriceUnit

MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December"]
WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
#: How far ahead "next available" looks.
AVAILABILITY_HORIZON_DAYS = 14

_UNIT_LABELS = dict(PriceUnit.choices)
_UNIT_NOUNS = {
    PriceUnit.PER_HOUR: "hour", PriceUnit.PER_SESSION: "session", PriceUnit.PER_VISIT: "visit",
    PriceUnit.PER_DAY: "day", PriceUnit.PER_ITEM: "item",
}


class WeeklySlot(Protocol):
    weekday: int
    starts_at: datetime.time
    ends_at: datetime.time


class Slot(NamedTuple):
    """A weekly slot read without its model (ServiceAvailability has the same three attributes)."""

    weekday: int
    starts_at: datetime.time
    ends_at: datetime.time


def long_date(day: datetime.date) -> str:
    """5 November 2026."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def format_time(value: datetime.time) -> str:
    """9am, 12 noon, midnight, 5:30pm."""
    if value.hour == 12 and value.minute == 0:
        return "12 noon"
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def price_label(price_pence: int, unit: str) -> str:
    """£17.50 per hour, £12 per visit, Free."""
    if unit == PriceUnit.FREE or price_pence == 0:
        return "Free"
    pounds, pence = divmod(price_pence, 100)
    amount = f"£{pounds:,}" if pence == 0 else f"£{pounds:,}.{pence:02d}"
    return f"{amount} {_UNIT_LABELS.get(unit, unit)}"


def minimum_label(minimum_units: int, unit: str) -> str:
    """"Smallest booking: 2 hours" when a booking has a minimum above one unit, else ""."""
    if minimum_units <= 1 or unit == PriceUnit.FREE:
        return ""
    noun = _UNIT_NOUNS.get(unit, "unit")
    return f"Smallest booking: {minimum_units} {noun if minimum_units == 1 else noun + 's'}"


def weekly_summary(slots: Iterable[WeeklySlot]) -> list[str]:
    """["Monday: 9am to 12 noon, 2pm to 5pm", ...] in weekday order."""
    by_weekday: dict[int, list[str]] = defaultdict(list)
    for slot in sorted(slots, key=lambda s: (s.weekday, s.starts_at)):
        by_weekday[slot.weekday].append(f"{format_time(slot.starts_at)} to {format_time(slot.ends_at)}")
    return [f"{WEEKDAY_NAMES[day]}: {', '.join(times)}" for day, times in sorted(by_weekday.items())]


class Opening(NamedTuple):
    starts: datetime.datetime
    ends_at: datetime.time


def next_opening(slots: Iterable[WeeklySlot], days_off: set[datetime.date], now: datetime.datetime) -> Opening | None:
    """The next weekly slot in the fortnight from `now` (local time) that has not ended, skipping days off."""
    by_weekday: dict[int, list[WeeklySlot]] = defaultdict(list)
    for slot in sorted(slots, key=lambda s: (s.weekday, s.starts_at)):
        by_weekday[slot.weekday].append(slot)
    time_now = now.time().replace(tzinfo=None)
    for offset in range(AVAILABILITY_HORIZON_DAYS + 1):
        day = now.date() + datetime.timedelta(days=offset)
        if day in days_off:
            continue
        for slot in by_weekday.get(day.weekday(), ()):
            if offset == 0 and slot.ends_at <= time_now:
                continue
            return Opening(datetime.datetime.combine(day, slot.starts_at), slot.ends_at)
    return None


def describe_opening(opening: Opening | None, now: datetime.datetime) -> str:
    """"Now, until 5pm", "Today, 2pm to 5pm", "Tomorrow, 9am to 12 noon", "Thursday 3 December, 10am to 1pm"."""
    if opening is None:
        return "No times in the next two weeks"
    today = now.date()
    starts = opening.starts
    if starts.date() == today and starts.time() <= now.time().replace(tzinfo=None):
        return f"Now, until {format_time(opening.ends_at)}"
    if starts.date() == today:
        day = "Today"
    elif starts.date() == today + datetime.timedelta(days=1):
        day = "Tomorrow"
    else:
        day = f"{WEEKDAY_NAMES[starts.weekday()]} {starts.day} {MONTH_NAMES[starts.month - 1]}"
    # The slot as the provider set it, not a clock time worked out from it: "Today, 9am to 12 noon".
    return f"{day}, {format_time(starts.time())} to {format_time(opening.ends_at)}"


@dataclass(frozen=True)
class Badge:
    """A kind of check the council verified, dated by its most recent approval."""

    label: str
    verified_on: datetime.date

    @property
    def verified_text(self) -> str:
        return long_date(self.verified_on)


def latest_badges(dated: Iterable[tuple[str, datetime.date]]) -> list[Badge]:
    """Badges from (kind's name, date) pairs in the checks' order: one per kind, its most recent date."""
    latest: dict[str, datetime.date] = {}
    for name, when in dated:
        if name not in latest or when > latest[name]:
            latest[name] = when
    return [Badge(label, when) for label, when in latest.items()]


#: The provider's history in words: an audit action -> what a commissioner reads when the event has no summary.
HISTORY_WORDS = {
    "provider.started": "Started signing up",
    "provider.details_changed": "Changed the provider's details",
    "provider.submitted": "Asked the council for approval",
    "provider.resubmitted": "Asked the council for approval again",
    "provider.approved": "Approved",
    "provider.rejected": "Not approved",
    "provider.suspended": "Suspended",
    "provider.reinstated": "Reinstated",
    "provider.member_added": "Added a member",
    "provider.member_removed": "Removed a member",
    "provider.cqc_exemption_recorded": "Recorded a CQC exemption",
    "provider.cqc_exemption_removed": "Removed the CQC exemption",
}
_DETAIL_STEPS = {"about": "who they are", "contact": "contact details", "neighbourhoods": "neighbourhoods covered"}


def history_words(action: str, summary: str, data: dict) -> str:
    """An audit event about a provider in words: its summary if it has one, else what the action means (never the
    raw code, which reads as a fault to a person)."""
    if summary:
        return summary
    if action == "provider.details_changed" and data.get("step") in _DETAIL_STEPS:
        return f"Changed the provider's details: {_DETAIL_STEPS[data['step']]}"
    if action in HISTORY_WORDS:
        return HISTORY_WORDS[action]
    return action.rsplit(".", 1)[-1].replace("_", " ").capitalize()
