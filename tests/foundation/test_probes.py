"""Hardening: the probes an attacker would try next. Each answers with a clear 4xx (or a normal page), never a 500,
and changes nothing."""

from http import HTTPStatus

from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from market.accounts.models import User
from tests.factories import PASSWORD, HolderUserFactory


def test_a_form_body_far_above_the_limit_is_refused(client, db, settings):
    user = HolderUserFactory(email="big@example.org")
    huge = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = client.post(reverse("accounts:sign-in"), {"username": user.email, "password": huge})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert SESSION_KEY not in client.session


def test_too_many_fields_in_one_request_are_refused(client, db, settings):
    fields = {f"f{number}": "1" for number in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}

    response = client.post(reverse("accounts:sign-in"), fields)

    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_a_very_long_search_query_string_gets_messages_not_an_error(client, db):
    params = {"q": "care " * 5000, "postcode": "W" * 5000, "page": "9" * 400, "utm": "x" * 5000}

    response = client.get("/find-support/", params)

    assert response.status_code == HTTPStatus.OK
    assert set(response.context["form"].errors) == {"q", "postcode"}


def test_a_page_number_far_past_the_end_is_the_last_page_not_an_error(client, db):
    for page in ("999999999999999999999", "-1", "0", "1e9", "\uff12"):
        response = client.get("/find-support/", {"q": "walks", "page": page})
        assert response.status_code == HTTPStatus.OK, page


def test_a_session_stops_working_once_the_password_is_changed(client, db):
    user = HolderUserFactory(email="reuse@example.org")
    client.post(reverse("accounts:sign-in"), {"username": user.email, "password": PASSWORD})
    assert client.get(reverse("accounts:dashboard")).status_code == HTTPStatus.OK

    # The password is changed elsewhere (a reset from another device, say)...
    user = User.objects.get(pk=user.pk)
    user.set_password("a-new-long-passphrase-2026")
    user.save()

    # ...and the old session is signed out at its next request.
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == HTTPStatus.FOUND
    assert reverse("accounts:sign-in") in response["Location"]


def test_a_visit_number_that_is_a_digit_but_not_a_number_is_ignored(client, holder):
    from tests.factories import ListedServiceFactory

    provider = ListedServiceFactory().provider
    client.force_login(holder.user)
    for visit in ("abc", "\u00b2", "-1", ""):
        response = client.get(reverse("orders:concern-raise", args=[provider.pk]), {"visit": visit})
        assert response.status_code == HTTPStatus.OK, visit
