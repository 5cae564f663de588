"""Issue 18 item 7: the sign-up's first service asks, for visits at home, the usual times (which days, from and
until), saves them as the service's weekly availability (changed later on its times page), and answers a mistake
beside the field with nothing saved."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse

from market.core.models import AuditEvent
from providers.models import Provider, Service, ServiceAvailability
from tests.factories import CategoryFactory

from .test_onboarding import SIGN_UP, _step

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_service_step(client):
    category = CategoryFactory(name="Companionship")
    client.post(reverse("providers:sign-up"), SIGN_UP)
    provider = Provider.objects.get()
    Provider.objects.filter(pk=provider.pk).update(onboarding_step=4)
    base = {"title": "Companionship visits", "description": "A cuppa and a chat.", "category": category.pk,
            "unit": "per_hour", "price_pence": "17.50", "minimum_units": "1", "languages": "English",
            "delivery": "at_home"}
    return provider, base


def _slots(service) -> list[tuple[int, datetime.time, datetime.time]]:
    return list(ServiceAvailability.objects.filter(service=service).values_list("weekday", "starts_at", "ends_at"))


def test_the_usual_times_of_home_visits_become_the_services_weekly_availability(client, at_service_step):
    provider, base = at_service_step
    page = client.get(_step(provider, "service")).content.decode()
    assert "Which days do you usually visit people? (for visits at home)" in page
    # Asked just after how people get it.
    assert page.index('name="delivery"') < page.index('name="usual_days"') < page.index('name="venue_name"')

    response = client.post(_step(provider, "service"), {**base, "usual_days": ["0", "2", "4"],
                                                         "usual_from": "09:00", "usual_until": "13:30"})

    assert response["Location"] == _step(provider, "submit")
    service = Service.objects.get()
    nine, half_one = datetime.time(9), datetime.time(13, 30)
    assert _slots(service) == [(0, nine, half_one), (2, nine, half_one), (4, nine, half_one)]
    created = AuditEvent.objects.get(action="service.created")
    assert created.data["usual_times"] == ["Monday 09:00-13:30", "Wednesday 09:00-13:30", "Friday 09:00-13:30"]

    # Editable later: the service's times page lists them, and one can be removed or another added.
    times_url = reverse("providers:service-availability", args=[provider.slug, service.pk])
    times = client.get(times_url).content.decode()
    assert times.count("09:00 to 13:30") == 3
    slot = ServiceAvailability.objects.get(service=service, weekday=2)
    client.post(reverse("providers:availability-remove", args=[provider.slug, service.pk, slot.pk]))
    client.post(times_url, {"add_slot": "", "slot-weekday": "5", "slot-starts_at": "10:00", "slot-ends_at": "12:00"})
    assert _slots(service) == [(0, nine, half_one), (4, nine, half_one), (5, datetime.time(10), datetime.time(12))]


@pytest.mark.parametrize(
    ("answers", "errors"),
    [
        ({"usual_from": "09:00", "usual_until": "17:00"},
         {"usual_days": ["Choose at least one day you usually visit people."]}),
        ({"usual_days": ["1"], "usual_from": "17:00", "usual_until": "09:00"},
         {"usual_until": ["The time you finish must be after the time you start."]}),
        ({"usual_days": ["1"], "usual_from": "09:00", "usual_until": "09:00"},
         {"usual_until": ["The time you finish must be after the time you start."]}),
        ({"usual_days": ["1"]}, {"usual_from": ["Enter the time you usually start, like 09:00."],
                                 "usual_until": ["Enter the time you usually finish, like 17:00."]}),
        ({"usual_days": ["1"], "usual_from": "nine", "usual_until": "17:00"},
         {"usual_from": ["Enter a time, like 09:00."]}),
        ({"usual_days": ["8"], "usual_from": "09:00", "usual_until": "17:00"},
         {"usual_days": ["Choose days from the list."]}),
    ],
)
def test_a_mistake_in_the_usual_times_is_shown_beside_the_field_and_nothing_is_saved(client, at_service_step,
                                                                                  answers, errors):
    provider, base = at_service_step

    response = client.post(_step(provider, "service"), {**base, **answers})

    assert response.status_code == HTTPStatus.OK
    assert {name: response.context["form"].errors[name] for name in errors} == errors
    body = response.content.decode()
    for name, messages in errors.items():
        assert f'id="id_{name}_error"' in body and messages[0] in body
    assert Service.objects.count() == 0 and ServiceAvailability.objects.count() == 0


def test_an_activity_at_a_venue_is_not_asked_usual_times(client, at_service_step):
    provider, base = at_service_step

    response = client.post(_step(provider, "service"), {
        **base, "delivery": "at_venue", "venue_name": "St John's Hall", "schedule_note": "Every Tuesday, 10am",
        "usual_days": ["1"], "usual_from": "17:00", "usual_until": "09:00"})  # ignored for a venue

    assert response["Location"] == _step(provider, "submit")
    assert Service.objects.get().venue_name == "St John's Hall"
    assert ServiceAvailability.objects.count() == 0
