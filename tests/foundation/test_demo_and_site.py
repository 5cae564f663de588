from http import HTTPStatus

from django.apps import apps
from django.core.management import call_command

from cms.models import HomePage
from market.accounts.models import FundingRoute, Person, User
from market.demo_accounts import DEMO_LOGINS, DEMO_PASSWORD
from providers.models import LegalForm, Provider


def snapshot() -> dict[str, list]:
    """Every row of every project and Wagtail model, so a second load can be compared exactly."""
    labels = ("accounts", "core", "places", "taxonomy", "providers", "orders", "community", "cms", "wagtailcore",
              "otp_totp")
    return {
        model._meta.label: sorted(model.objects.values_list("pk", flat=True))
        for model in apps.get_models()
        if model._meta.app_label in labels
    }


def test_load_demo_twice_changes_nothing(db):
    call_command("load_demo", verbosity=0)
    first = snapshot()
    call_command("load_demo", verbosity=0)
    assert snapshot() == first


def test_demo_covers_every_funding_route_role_and_provider_kind(db):
    call_command("load_demo", verbosity=0)
    assert set(Person.objects.values_list("funding_route", flat=True)) == set(FundingRoute.values)
    assert {LegalForm.SOLE_TRADER, LegalForm.COOPERATIVE, LegalForm.COMMUNITY_GROUP} <= set(
        Provider.objects.values_list("legal_form", flat=True)
    )
    margaret = Person.objects.get(full_name="Margaret Hughes")
    assert margaret.consents.active().get().supporter.email == "susan@demo.example"
    for _label, email in DEMO_LOGINS:
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD), email


def test_demo_logins_work(client, db):
    call_command("load_demo", verbosity=0)
    response = client.post("/account/sign-in/", {"username": "margaret@demo.example", "password": DEMO_PASSWORD})
    assert response.status_code == HTTPStatus.FOUND
    assert "Margaret Hughes" in client.get("/account/").content.decode()


def test_home_page_is_served_by_wagtail_with_the_main_navigation(client, db):
    call_command("load_demo", verbosity=0)
    response = client.get("/")
    assert response.status_code == HTTPStatus.OK
    assert isinstance(response.context["page"].specific, HomePage)
    page = response.content.decode()
    assert '<html lang="en-GB">' in page
    assert 'href="#main"' in page
    assert '<nav class="site-nav" aria-label="Main">' in page
    assert page.count("<h1") == 1
    assert client.get("/how-it-works/").status_code == HTTPStatus.OK


def test_missing_page_is_a_friendly_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "Page not found" in response.content.decode()
