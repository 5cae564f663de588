"""The Open Referral UK feed's tests: the directory's small borough, and the profile's schemas to check against."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tests.directory import conftest as directory

# The directory's small borough and its categories (tests/directory/conftest.py).
borough, listed = directory.borough, directory.listed
companionship, gardening, personal_care = directory.companionship, directory.gardening, directory.personal_care

STANDARD = Path(__file__).resolve().parents[2] / "oruk" / "standard"
REMOTE = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"
SCHEMA_FILES = {
    "service": "compiled/service.json",
    "service_list": "compiled/service_list.json",
    "service_at_location": "compiled/service_at_location.json",
    "service_at_location_list": "compiled/service_at_location_list.json",
    "taxonomy": "taxonomy.json",
    "taxonomy_term": "taxonomy_term.json",
}


def _registry() -> Registry:
    resources = []
    for path in sorted(STANDARD.rglob("*.json")):
        relative = path.relative_to(STANDARD).as_posix()
        resources.append((REMOTE + relative, DRAFT202012.create_resource(json.loads(path.read_text()))))
    return Registry().with_resources(resources)


REGISTRY = _registry()
OPENAPI = json.loads((STANDARD / "openapi.json").read_text())


def validator(name: str) -> Draft202012Validator:
    """A validator for one of the profile's schemas, formats checked (uuid, uri, email, date-time)."""
    return Draft202012Validator({"$ref": REMOTE + SCHEMA_FILES[name]}, registry=REGISTRY,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def page_validator(item: str) -> Draft202012Validator:
    """The openapi's paging envelope, with `contents` of one of the profile's schemas."""
    schema = {
        "allOf": [OPENAPI["components"]["schemas"]["Page"]],
        "properties": {"contents": {"type": "array", "items": {"$ref": REMOTE + SCHEMA_FILES[item]}}},
        "required": ["total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty",
                     "contents"],
    }
    return Draft202012Validator(schema, registry=REGISTRY, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture
def catalogue(listed, borough, gardening, personal_care):
    """Edge cases: a free service with no availability, one in many areas with a week of slots and needs, one that
    travels a radius, regulated care; and one service that is not listed (a draft)."""
    from providers.models import CheckType, ServiceAvailability
    from tests.factories import NeedFactory, ProviderCheckFactory, ServiceFactory

    free = listed(title="Free coffee morning", price_pence=0, unit="free", provider__phone="01942 000000",
                  description="Drop in for a coffee and a chat.", accessibility_notes="Step-free access.")
    busy = listed(title="Tea dance", price_pence=1000, unit="per_session", neighbourhoods=["centre", "pemberton",
                                                                                            "standish"],
                  languages=["English", "Urdu"], description="Dancing, music and cake at the church hall.")
    busy.needs.set([NeedFactory(name="Getting out"), NeedFactory(name="Feeling less lonely")])
    for weekday in range(7):
        ServiceAvailability.objects.create(service=busy, weekday=weekday, starts_at="18:00", ends_at="21:30")
    far = listed(title="Hedge trimming", category=gardening, price_pence=2000, neighbourhoods=[], travel_radius_km=8,
                 provider__postcode="WN6 0QQ", description="Hedges, lawns and borders kept tidy.")
    care = listed(title="Help getting up", category=personal_care, price_pence=2250,
                  description="Washing and dressing in the morning.")
    ServiceAvailability.objects.create(service=care, weekday=0, starts_at="07:00", ends_at="09:30")
    ProviderCheckFactory(provider=care.provider, check_type=CheckType.objects.get(slug="cqc-registration"))
    draft = ServiceFactory(title="Not yet live", status="draft", category=gardening)
    return {"free": free, "busy": busy, "far": far, "care": care, "draft": draft}


def assert_valid(validator_: Draft202012Validator, document: dict) -> None:
    errors = [f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
              for error in validator_.iter_errors(document)]
    assert errors == []
