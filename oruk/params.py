"""The feed's query parameters, checked: a bad one raises BadParameter naming it and saying why (a 400 answer).

Parameters the feed does not know (`full`, `format`, a harvester's own) are ignored, as the profile allows.
"""

from __future__ import annotations

import datetime
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from market.core.numbers import digits_only, whole_number
from market.places.postcodes import normalise_postcode_or_district

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
MAX_PAGE = 100_000
MAX_SEARCH_LENGTH = 200
MAX_PROXIMITY_M = 100_000
DAYS = {
    "MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6,
    "MONDAY": 0, "TUESDAY": 1, "WEDNESDAY": 2, "THURSDAY": 3, "FRIDAY": 4, "SATURDAY": 5, "SUNDAY": 6,
}


class BadParameter(ValueError):
    def __init__(self, parameter: str, reason: str):
        super().__init__(f"{parameter}: {reason}")
        self.parameter = parameter
        self.reason = reason


@dataclass(frozen=True)
class Paging:
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class ServiceQuery:
    """What a list of services (or of services at locations) asks for."""

    paging: Paging = Paging()
    search: str = ""
    taxonomy_term_id: str | None = None
    taxonomy_id: str | None = None
    minimum_age: float | None = None
    maximum_age: float | None = None
    day: int | None = None
    #: (from hour, until hour exclusive), local time, from start_time and end_time.
    hours: tuple[int, int] | None = None
    postcode: str | None = None
    proximity_m: float | None = None


def _present(params: Mapping[str, str], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    return value.strip()


def _integer(params: Mapping[str, str], name: str, *, default: int, lowest: int, highest: int) -> int:
    raw = _present(params, name)
    if raw is None or raw == "":
        return default
    # ASCII digits only (int() would also take "+2", "2_0" and other scripts' digits); a minus sign or too many
    # digits is out of range.
    value = whole_number(raw, max_digits=len(str(highest)))
    if value is None:
        if digits_only(raw.removeprefix("-")):
            raise BadParameter(name, f"must be from {lowest} to {highest}")
        raise BadParameter(name, f"must be a whole number, not {raw[:40]!r}")
    if not lowest <= value <= highest:
        raise BadParameter(name, f"must be from {lowest} to {highest}")
    return value


def _number(params: Mapping[str, str], name: str, *, lowest: float, highest: float) -> float | None:
    raw = _present(params, name)
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise BadParameter(name, f"must be a number, not {raw[:40]!r}") from None
    if not math.isfinite(value) or not lowest <= value <= highest:
        raise BadParameter(name, f"must be a number from {lowest:g} to {highest:g}")
    return value


def _time(params: Mapping[str, str], name: str) -> datetime.time | None:
    raw = _present(params, name)
    if raw is None or raw == "":
        return None
    try:
        if len(raw) not in (5, 8):
            raise ValueError
        return datetime.time.fromisoformat(raw)
    except ValueError:
        raise BadParameter(name, f"must be a time of day as HH:MM or HH:MM:SS, not {raw[:40]!r}") from None


def _uuid(params: Mapping[str, str], name: str) -> str | None:
    raw = _present(params, name)
    if raw is None or raw == "":
        return None
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise BadParameter(name, f"must be a UUID, not {raw[:40]!r}") from None


def paging(params: Mapping[str, str]) -> Paging:
    return Paging(
        page=_integer(params, "page", default=1, lowest=1, highest=MAX_PAGE),
        per_page=_integer(params, "per_page", default=DEFAULT_PER_PAGE, lowest=1, highest=MAX_PER_PAGE),
    )


def service_query(params: Mapping[str, str]) -> ServiceQuery:
    search = _present(params, "search") or ""
    if len(search) > MAX_SEARCH_LENGTH:
        raise BadParameter("search", f"must be at most {MAX_SEARCH_LENGTH} characters")
    if "\x00" in search:
        raise BadParameter("search", "must not contain a NUL character")
    minimum_age = _number(params, "minimum_age", lowest=0, highest=150)
    maximum_age = _number(params, "maximum_age", lowest=0, highest=150)
    if minimum_age is not None and maximum_age is not None and minimum_age > maximum_age:
        raise BadParameter("maximum_age", "must not be below minimum_age")
    return ServiceQuery(
        paging=paging(params),
        search=search,
        taxonomy_term_id=_uuid(params, "taxonomy_term_id"),
        taxonomy_id=_uuid(params, "taxonomy_id"),
        minimum_age=minimum_age,
        maximum_age=maximum_age,
        day=_day(params),
        hours=_hours(params),
        postcode=_postcode(params),
        proximity_m=_proximity(params),
    )


def _day(params: Mapping[str, str]) -> int | None:
    raw = _present(params, "day")
    if raw is None or raw == "":
        return None
    day = DAYS.get(raw.upper())
    if day is None:
        raise BadParameter("day", f"must be a day of the week (Monday or MO ... Sunday or SU), not {raw[:40]!r}")
    return day


def _hours(params: Mapping[str, str]) -> tuple[int, int] | None:
    start, end = _time(params, "start_time"), _time(params, "end_time")
    if start is None and end is None:
        return None
    if start is not None and end is not None and end <= start:
        raise BadParameter("end_time", "must be after start_time")
    from_hour = start.hour if start is not None else 0
    until_hour = 24 if end is None else end.hour + (1 if (end.minute or end.second) else 0)
    return from_hour, max(until_hour, from_hour + 1)


def _postcode(params: Mapping[str, str]) -> str | None:
    raw = _present(params, "postcode")
    if raw is None or raw == "":
        return None
    try:
        return normalise_postcode_or_district(raw)
    except ValidationError:
        raise BadParameter("postcode", f"must be a UK postcode like WN1 2AB, or a district like WN1, not "
                                       f"{raw[:40]!r}") from None


def _proximity(params: Mapping[str, str]) -> float | None:
    proximity = _number(params, "proximity", lowest=0, highest=MAX_PROXIMITY_M)
    if proximity is not None and not _present(params, "postcode"):
        raise BadParameter("proximity", "needs a postcode to measure from")
    return proximity
