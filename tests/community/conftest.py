"""Community groups in Pemberton (WN5), a paid provider beside them, and a person in a coordinator's caseload."""

from __future__ import annotations

import pytest

from providers.models import ProviderKind
from tests.factories import (
    CaseloadFactory,
    CategoryFactory,
    ListedServiceFactory,
    NeighbourhoodFactory,
    PostcodeFactory,
    ProviderFactory,
    ProviderMembershipFactory,
    ServiceFactory,
)


@pytest.fixture
def pemberton(db):
    neighbourhood = NeighbourhoodFactory(name="Pemberton", latitude=53.5390, longitude=-2.6900)
    PostcodeFactory(postcode="WN5 9XX", latitude=53.5390, longitude=-2.6900, neighbourhood=neighbourhood)
    return neighbourhood


@pytest.fixture
def activities_category(db):
    return CategoryFactory(name="Activities and groups")


@pytest.fixture
def group(pemberton):
    """A community group with no checks at all: it only runs activities at a venue."""
    provider = ProviderFactory(name="Pemberton Stitchers", kind=ProviderKind.COMMUNITY_GROUP,
                               legal_form="community_group", postcode="WN5 9XX")
    provider.neighbourhoods.add(pemberton)
    provider.owner = ProviderMembershipFactory(provider=provider).user
    return provider


@pytest.fixture
def activity(group, activities_category):
    """make(**fields) -> a live activity of the group (free unless told)."""

    def make(**fields):
        fields.setdefault("title", "Stitching group")
        fields.setdefault("price_pence", 0)
        fields.setdefault("unit", "free")
        return ServiceFactory(provider=group, category=activities_category, delivery="at_venue",
                              venue_name="St John's Hall", schedule_note="Tuesdays, 10am to 12 noon", **fields)

    return make


@pytest.fixture
def home_service(pemberton):
    service = ListedServiceFactory(title="Companionship at home", price_pence=1800, unit="per_hour",
                                   provider__postcode="WN5 9XX")
    service.provider.neighbourhoods.add(pemberton)
    service.owner = ProviderMembershipFactory(provider=service.provider).user
    return service


@pytest.fixture
def caseload(holder):
    """The holder in a coordinator's caseload: returns the coordinator."""
    return CaseloadFactory(person=holder).coordinator
