"""A group's activities as an iCalendar (RFC 5545) feed: one weekly repeating event per weekly time of each listed
activity at a venue, in the council's local time zone. Plain text, built here (no library needed)."""

from __future__ import annotations

import datetime

from django.conf import settings

from providers.models import Provider, Service

_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def _escape(text: str) -> str:
    """RFC 5545 TEXT: backslash, semicolon, comma and newlines escaped."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets are folded: continued on the next line after one space."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            out.append(current)
            current = " " + char
        else:
            current += char
    out.append(current)
    return out


def _first_on_or_after(day: datetime.date, weekday: int) -> datetime.date:
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


def group_calendar(group: Provider, activities: list[Service], *, now: datetime.datetime) -> str:
    stamp = now.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    today = now.date()
    zone = settings.TIME_ZONE
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Wigan Care Market//Community activities//EN",
        "CALSCALE:GREGORIAN", f"X-WR-CALNAME:{_escape(group.name)}", f"X-WR-TIMEZONE:{zone}",
    ]
    for service in activities:
        where = ", ".join(part for part in (service.venue_name, service.venue_address, service.venue_postcode) if part)
        details = "\n\n".join(part for part in (service.description, service.come_along, service.accessibility_notes)
                              if part)
        for slot in service.availability.all():
            first = _first_on_or_after(today, slot.weekday)
            lines += [
                "BEGIN:VEVENT",
                f"UID:service-{service.pk}-slot-{slot.pk}@care-market",
                f"DTSTAMP:{stamp}",
                f"DTSTART;TZID={zone}:{first:%Y%m%d}T{slot.starts_at:%H%M%S}",
                f"DTEND;TZID={zone}:{first:%Y%m%d}T{slot.ends_at:%H%M%S}",
                f"RRULE:FREQ=WEEKLY;BYDAY={_DAYS[slot.weekday]}",
                f"SUMMARY:{_escape(service.title)}",
                f"LOCATION:{_escape(where)}",
                f"DESCRIPTION:{_escape(details)}",
                "END:VEVENT",
            ]
    lines.append("END:VCALENDAR")
    return "".join(f"{folded}\r\n" for line in lines for folded in _fold(line))
