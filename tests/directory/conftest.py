"""A small borough for directory tests: three neighbourhoods, a few postcodes, listed services."""

from __future__ import annotations

import pytest

from tests.factories import CategoryFactory, ListedServiceFactory, NeighbourhoodFactory, PostcodeFactory


@pytest.fixture
def borough(db):
    """Wigan centre (WN1), Pemberton (WN5, 4 km west) and Standish (WN6, 5 km north)."""
    centre = NeighbourhoodFactory(name="Wigan Centre", latitude=53.5450, longitude=-2.6320)
    pemberton = NeighbourhoodFactory(name="Pemberton", latitude=53.5390, longitude=-2.6900)
    standish = NeighbourhoodFactory(name="Standish", latitude=53.5870, longitude=-2.6600)
    postcodes = {
        "WN1 1AA": PostcodeFactory(postcode="WN1 1AA", latitude=53.5450, longitude=-2.6320, neighbourhood=centre),
        "WN1 2BB": PostcodeFactory(postcode="WN1 2BB", latitude=53.5480, longitude=-2.6280, neighbourhood=centre),
        "WN5 9XX": PostcodeFactory(postcode="WN5 9XX", latitude=53.5390, longitude=-2.6900, neighbourhood=pemberton),
        "WN6 0QQ": PostcodeFactory(postcode="WN6 0QQ", latitude=53.5870, longitude=-2.6600, neighbourhood=standish),
    }
    return {"centre": centre, "pemberton": pemberton, "standish": standish, "postcodes": postcodes}


@pytest.fixture
def gardening(db):
    return CategoryFactory(name="Gardening", sort_order=2)


@pytest.fixture
def companionship(db):
    return CategoryFactory(name="Companionship", sort_order=1)


@pytest.fixture
def personal_care(db):
    return CategoryFactory(name="Personal care", is_regulated_personal_care=True, sort_order=0)


@pytest.fixture
def listed(borough, companionship):
    """make(title=..., neighbourhoods=[...], provider__postcode=..., **service fields) -> a listed service."""

    def make(*, neighbourhoods=("centre",), **kwargs):
        kwargs.setdefault("category", companionship)
        kwargs.setdefault("provider__postcode", "WN1 2BB")
        service = ListedServiceFactory(**kwargs)
        service.neighbourhoods.set([borough[name] for name in neighbourhoods])
        return service

    return make

