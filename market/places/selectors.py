"""Reads about places."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Avg

from market.core.cache import cached

from .models import Neighbourhood, Postcode
from .postcodes import normalise_postcode_or_district

#: Postcodes change when the table is imported again (a few times a year); a search asks for one on every request,
#: so a place is kept in the cache this long.
PLACE_TTL_SECONDS = 600


@dataclass(frozen=True)
class Place:
    """Where a search or a person is: a postcode, or a postcode district like "WN5" (its postcodes' centre)."""

    label: str
    district: str
    latitude: float
    longitude: float
    #: Metres on the National Grid (market/places/sql/grid.sql): distances are plain geometry.
    easting: float
    northing: float
    neighbourhood: Neighbourhood | None
    #: The neighbourhoods the place is in: its postcode's, or every one with postcodes in a district.
    neighbourhood_ids: tuple[int, ...] = ()


class UnknownPostcode(LookupError):
    """A well-formed postcode that is not in our postcode table (outside the area, or new)."""


def place_for_postcode(value: str) -> Place:
    """Where a postcode (or a district like 'WN1') is, at most PLACE_TTL_SECONDS old. Raises ValidationError if
    malformed, UnknownPostcode if it is not in the table. One query, or none when cached."""
    normalised = normalise_postcode_or_district(value)
    key = "places:place:" + normalised.replace(" ", "_")
    place = cached(key, PLACE_TTL_SECONDS, lambda: _place(normalised) or False)
    if not place:
        raise UnknownPostcode(normalised)
    return place


def place_for_neighbourhood(neighbourhood: Neighbourhood) -> Place | None:
    """A neighbourhood as a place: the centre of its postcodes (None if it has none). One query."""
    centre = Postcode.objects.filter(neighbourhood=neighbourhood).aggregate(
        latitude=Avg("latitude"), longitude=Avg("longitude"), easting=Avg("easting"), northing=Avg("northing"))
    if centre["latitude"] is None:
        return None
    return Place(neighbourhood.name, "", neighbourhood=neighbourhood, neighbourhood_ids=(neighbourhood.pk,), **centre)


def _place(normalised: str) -> Place | None:
    if " " in normalised:
        postcode = Postcode.objects.select_related("neighbourhood").filter(postcode=normalised).first()
        if postcode is None:
            return None
        area = postcode.neighbourhood
        return Place(normalised, postcode.district, postcode.latitude, postcode.longitude, postcode.easting,
                     postcode.northing, area, (area.pk,) if area else ())
    centre = Postcode.objects.filter(district=normalised).aggregate(
        latitude=Avg("latitude"), longitude=Avg("longitude"), easting=Avg("easting"), northing=Avg("northing"),
        areas=ArrayAgg("neighbourhood_id", distinct=True, default=[]),
    )
    if centre["latitude"] is None:
        return None
    areas = tuple(sorted(area for area in centre.pop("areas") if area is not None))
    return Place(normalised, normalised, neighbourhood=None, neighbourhood_ids=areas, **centre)
