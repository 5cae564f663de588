"""Issue 18, item 1: dead ends are said before the first question (area, plan, minimum), only lengths the service
accepts are offered, and a coordinator or supporter can search for a person with their area and plan applied."""

from __future__ import annotations

from http import HTTPStatus

from django.urls import reverse

from orders.forms import VisitTimeForm
from tests import factories

from .helpers import make_budget, make_service


def _person(coordinator, **kwargs):
    pemberton = factories.NeighbourhoodFactory(name="Pemberton")
    return factories.CaseloadFactory(coordinator=coordinator, person__neighbourhood=pemberton,
                                     person__full_name="Jane Ashworth", person__user=None, **kwargs).person


def test_a_service_that_does_not_cover_the_persons_area_is_said_before_any_question(client, coordinator):
    jane = _person(coordinator)
    make_budget(holder=jane, created_by=coordinator)
    service = make_service(neighbourhood=factories.NeighbourhoodFactory(name="Standish"))
    client.force_login(coordinator)

    response = client.get(f"{reverse('orders:new', args=[service.pk])}?for={jane.pk}")

    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert f"<h1>{service} cannot be booked for Jane Ashworth</h1>" in body
    assert f"{service.provider} does not cover Pemberton." in body
    assert "support plan does not include" not in body
    assert not any(key.startswith("order-draft:") for key, _value in client.session.items())


def test_a_service_outside_the_persons_plan_is_said_before_any_question(client, coordinator):
    jane = _person(coordinator)
    gardening = factories.CategoryFactory(name="Gardening")
    make_budget(holder=jane, created_by=coordinator, categories=[gardening])
    companionship = factories.CategoryFactory(name="Companionship")
    service = make_service(neighbourhood=jane.neighbourhood, category=companionship)
    client.force_login(coordinator)

    body = client.get(f"{reverse('orders:new', args=[service.pk])}?for={jane.pk}").content.decode()

    assert "Jane Ashworth's support plan does not include companionship." in body
    assert "does not cover" not in body


def test_a_bookable_service_says_what_fits_and_its_minimum_on_the_first_question(client, coordinator):
    jane = _person(coordinator)
    make_budget(holder=jane, created_by=coordinator)
    service = make_service(neighbourhood=jane.neighbourhood, minimum_units=2)
    client.force_login(coordinator)

    response = client.get(f"{reverse('orders:new', args=[service.pk])}?for={jane.pk}", follow=True)

    body = response.content.decode()
    assert "How often do you want this support?" in body
    assert '<h2 id="fit-heading">Before you start</h2>' in body
    assert f"{service.provider} covers Pemberton." in body
    assert f"Jane Ashworth's support plan includes {service.category.name.lower()}." in body
    assert "Smallest booking: 2 hours." in body


def test_only_lengths_the_service_accepts_are_offered(db):
    service = factories.ServiceFactory(unit="per_hour", minimum_units=2)

    choices = [minutes for minutes, _label in VisitTimeForm(service=service).fields["duration_minutes"].choices]

    assert choices[0] == 120
    assert 15 not in choices and 90 not in choices
    assert VisitTimeForm(service=service).fields["duration_minutes"].initial == 120
    refused = VisitTimeForm({"visit_starts_at": "10:00", "duration_minutes": "15"}, service=service)
    assert not refused.is_valid()
    assert refused.errors["duration_minutes"] == ["Choose one of the lengths listed"]
    assert VisitTimeForm(service=factories.ServiceFactory(unit="per_hour", minimum_units=1)).fields[
        "duration_minutes"].choices[0][0] == 15


def test_a_coordinator_searches_for_a_person_with_their_area_and_plan(client, coordinator):
    jane = _person(coordinator)
    jane.postcode = "WN5 9XX"
    jane.save()
    gardening = factories.CategoryFactory(name="Gardening", slug="gardening")
    make_budget(holder=jane, created_by=coordinator, categories=[gardening])
    client.force_login(coordinator)

    body = client.get(reverse("orders:person-orders", args=[jane.pk])).content.decode()

    assert f'href="/find-support/?for={jane.pk}">Find support for Jane Ashworth</a>' in body
    assert "support plan includes: gardening" in body
