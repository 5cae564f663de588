"""The demo data as `load_demo` leaves it, and the site it shows. The demo is loaded once for this module
(tests/conftest.py, demo_loaded_once); each test runs in its own savepoint inside it. Loading it twice:
test_demo_and_site.py."""

from http import HTTPStatus

import pytest

from cms.models import HomePage
from market.accounts.models import FundingRoute, Person, User
from market.demo_accounts import DEMO_LOGINS, DEMO_PASSWORD
from providers.models import LegalForm, Provider

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_loaded_once")]


def test_demo_covers_every_funding_route_role_and_provider_kind():
    assert set(Person.objects.values_list("funding_route", flat=True)) == set(FundingRoute.values)
    assert {LegalForm.SOLE_TRADER, LegalForm.COOPERATIVE, LegalForm.COMMUNITY_GROUP} <= set(
        Provider.objects.values_list("legal_form", flat=True)
    )
    margaret = Person.objects.get(full_name="Margaret Hughes")
    assert margaret.consents.active().get().supporter.email == "susan@demo.example"
    for _label, email in DEMO_LOGINS:
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD), email


def test_demo_logins_work(client):
    response = client.post("/account/sign-in/", {"username": "margaret@demo.example", "password": DEMO_PASSWORD})
    assert response.status_code == HTTPStatus.FOUND
    assert "Margaret Hughes" in client.get("/account/").content.decode()


def test_home_page_is_served_by_wagtail_with_the_main_navigation(client):
    response = client.get("/")
    assert response.status_code == HTTPStatus.OK
    assert isinstance(response.context["page"].specific, HomePage)
    page = response.content.decode()
    assert '<html lang="en-GB">' in page
    assert 'href="#main"' in page
    assert '<nav class="site-nav" aria-label="Main">' in page
    assert page.count("<h1") == 1
    assert client.get("/how-it-works/").status_code == HTTPStatus.OK
