"""Reads about places."""

from __future__ import annotations

from dataclasses import dataclass

from market.core.compiled import run_prepared

from .models import Neighbourhood
from .postcodes import normalise_postcode_or_district


@dataclass(frozen=True)
class Place:
    label: str
    district: str
    latitude: float
    longitude: float
    neighbourhood: Neighbourhood | None
    #: The neighbourhoods the place is in: its postcode's, or every one with postcodes in a district.
    neighbourhood_ids: tuple[int, ...] = ()


class UnknownPostcode(LookupError):
    """A well-formed postcode that is not in our postcode table (outside the area, or new)."""


_POSTCODE = """
    SELECT pc.district, pc.latitude, pc.longitude, n.id, n.name, n.slug, n.ward_codes, n.latitude, n.longitude
      FROM places_postcode pc LEFT JOIN places_neighbourhood n ON n.id = pc.neighbourhood_id
     WHERE pc.postcode = %s
"""
_DISTRICT = """
    SELECT avg(latitude), avg(longitude),
           coalesce(array_agg(DISTINCT neighbourhood_id) FILTER (WHERE neighbourhood_id IS NOT NULL), '{}')
      FROM places_postcode WHERE district = %s
"""


def place_for_postcode(value: str) -> Place:
    """Where a postcode (or a district like 'WN1') is. Raises ValidationError if malformed,
    UnknownPostcode if it is not in the table. One query (a prepared statement: every search asks)."""
    normalised = normalise_postcode_or_district(value)
    if " " in normalised:
        found = run_prepared(_POSTCODE, [normalised])
        if not found:
            raise UnknownPostcode(normalised)
        district, latitude, longitude, area_id, *area = found[0]
        if area_id is None:
            return Place(normalised, district, latitude, longitude, None)
        neighbourhood = Neighbourhood(id=area_id, name=area[0], slug=area[1], ward_codes=area[2],
                                      latitude=area[3], longitude=area[4])
        return Place(normalised, district, latitude, longitude, neighbourhood, (area_id,))
    latitude, longitude, areas = run_prepared(_DISTRICT, [normalised])[0]
    if latitude is None:
        raise UnknownPostcode(normalised)
    return Place(normalised, normalised, latitude, longitude, None, tuple(sorted(areas)))


_ALL_POSTCODES = (
    "SELECT pc.postcode, pc.district, pc.latitude, pc.longitude, pc.neighbourhood_id FROM places_postcode pc"
)
_ALL_DISTRICTS = """
    SELECT district, avg(latitude), avg(longitude),
           coalesce(array_agg(DISTINCT neighbourhood_id) FILTER (WHERE neighbourhood_id IS NOT NULL), '{}')
      FROM places_postcode GROUP BY district
"""
_ALL_NEIGHBOURHOODS = "SELECT n.id, n.name, n.slug, n.ward_codes, n.latitude, n.longitude FROM places_neighbourhood n"


class Places:
    """Every postcode and district in memory, answering place_for_postcode() without a query. Read whole (a
    borough's postcodes: a few MB); whoever keeps one reads it again when postcodes change (the directory's
    index does, through its change log)."""

    def __init__(self):
        neighbourhoods = {
            pk: Neighbourhood(id=pk, name=name, slug=slug, ward_codes=wards, latitude=lat, longitude=lng)
            for pk, name, slug, wards, lat, lng in run_prepared(_ALL_NEIGHBOURHOODS, [])
        }
        self._postcodes = {
            postcode: Place(postcode, district, lat, lng, neighbourhoods.get(area), (area,) if area else ())
            for postcode, district, lat, lng, area in run_prepared(_ALL_POSTCODES, [])
        }
        self._districts = {
            district: Place(district, district, lat, lng, None, tuple(sorted(areas)))
            for district, lat, lng, areas in run_prepared(_ALL_DISTRICTS, [])
        }

    def place_for(self, value: str) -> Place:
        """As place_for_postcode(): ValidationError if malformed, UnknownPostcode if not known."""
        normalised = normalise_postcode_or_district(value)
        found = (self._postcodes if " " in normalised else self._districts).get(normalised)
        if found is None:
            raise UnknownPostcode(normalised)
        return found
