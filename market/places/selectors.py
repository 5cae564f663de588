"""Reads about places."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg

from .models import Neighbourhood, Postcode
from .postcodes import normalise_postcode_or_district


@dataclass(frozen=True)
class Place:
    label: str
    district: str
    latitude: float
    longitude: float
    neighbourhood: Neighbourhood | None


class UnknownPostcode(LookupError):
    """A well-formed postcode that is not in our postcode table (outside the area, or new)."""


def place_for_postcode(value: str) -> Place:
    """Where a postcode (or a district like 'WN1') is. Raises ValidationError if malformed,
    UnknownPostcode if it is not in the table."""
    normalised = normalise_postcode_or_district(value)
    if " " in normalised:
        row = Postcode.objects.select_related("neighbourhood").filter(postcode=normalised).first()
        if row is None:
            raise UnknownPostcode(normalised)
        return Place(normalised, row.district, row.latitude, row.longitude, row.neighbourhood)
    centre = Postcode.objects.filter(district=normalised).aggregate(lat=Avg("latitude"), lng=Avg("longitude"))
    if centre["lat"] is None:
        raise UnknownPostcode(normalised)
    return Place(normalised, normalised, centre["lat"], centre["lng"], None)
