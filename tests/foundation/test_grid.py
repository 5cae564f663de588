"""Postcodes on the National Grid (market/places/sql/grid.sql): the projection the directory measures distances on."""

from __future__ import annotations

import math

import pytest
from django.db import connection

from tests.factories import PostcodeFactory

pytestmark = pytest.mark.django_db


def _grid(latitude: float, longitude: float) -> tuple[float, float]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT places_grid(%s, %s)", [latitude, longitude])
        return tuple(cursor.fetchone()[0])


def test_the_ordnance_surveys_worked_example():
    # "A guide to coordinate systems in Great Britain", annex C: 52°39'27.2531"N 1°43'4.5177"E
    latitude = 52 + 39 / 60 + 27.2531 / 3600
    longitude = 1 + 43 / 60 + 4.5177 / 3600

    easting, northing = _grid(latitude, longitude)

    assert easting == pytest.approx(651409.903, abs=0.01)
    assert northing == pytest.approx(313177.270, abs=0.01)


def test_a_postcode_keeps_its_grid_position_and_distances_are_true():
    # Wigan town centre and Standish: about 5 km apart on the ground (great circle)
    centre = PostcodeFactory(postcode="WN1 1AA", latitude=53.5450, longitude=-2.6320)
    standish = PostcodeFactory(postcode="WN6 0QQ", latitude=53.5870, longitude=-2.6600)
    centre.refresh_from_db()
    standish.refresh_from_db()

    metres = math.dist((centre.easting, centre.northing), (standish.easting, standish.northing))

    lat1, lat2 = math.radians(53.5450), math.radians(53.5870)
    dlat, dlon = lat2 - lat1, math.radians(-2.6600 + 2.6320)
    great_circle = 2 * 6371008.8 * math.asin(math.sqrt(
        math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2))
    assert metres == pytest.approx(great_circle, rel=0.002)
