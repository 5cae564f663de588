"""Hardening, the second sweep: the probes of test_probes.py tried again on what was added since (the ORUK feed, the
Stripe webhooks, the commissioner's market view, community pages, searching for a person, the finance and
coordinator roles). Each is a real request through the test client and answers a clear 4xx or its normal page,
never a 500, and changes nothing."""

from __future__ import annotations

import json
from http import HTTPStatus

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from market.accounts.models import Role, User
from payments.models import WebhookEvent
from tests.directory.conftest import borough, companionship, listed  # noqa: F401
from tests.factories import PASSWORD, CommissionerFactory, CoordinatorFactory, UserFactory
from tests.payments.conftest import fake_stripe  # noqa: F401

pytestmark = pytest.mark.django_db

ENDPOINTS = ["/payments/webhooks/stripe/", "/payments/webhooks/stripe-connect/"]


# --- the Stripe webhooks: bodies that are not a Stripe event ----------------------------------------------------

def _signed(fake, body: bytes, endpoint: str) -> str:
    import hashlib
    import hmac
    import time

    secret = fake.secrets["connect" if "connect" in endpoint else "platform"]
    timestamp = int(time.time())
    return f"t={timestamp},v1={hmac.new(secret.encode(), f'{timestamp}.'.encode() + body, hashlib.sha256).hexdigest()}"


NOT_EVENTS = [b"not json at all", b"\xff\xfe\x00garbage", b"[1, 2, 3]", b'"a string"', b"null", b"42", b"{}",
              b'{"id": "evt_1"}', b'{"id": ["a"], "type": {"b": 1}, "livemode": false}',
              json.dumps({"id": "evt_" + "x" * 500, "type": "charge.refunded", "livemode": False}).encode(),
              json.dumps({"id": "evt_2", "type": "t" * 500, "livemode": False}).encode(),
              json.dumps({"id": "evt_3", "type": "charge.refunded", "livemode": False, "account": "a" * 500}).encode()]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("body", NOT_EVENTS, ids=lambda body: body[:20].decode("latin-1"))
def test_a_signed_body_that_is_not_a_stripe_event_is_a_400_with_json_and_nothing_stored(client, fake_stripe,  # noqa: F811
                                                                                        endpoint, body):
    response = client.post(endpoint, data=body, content_type="application/json",
                           HTTP_STRIPE_SIGNATURE=_signed(fake_stripe, body, endpoint))

    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    assert "error" in response.json()
    assert WebhookEvent.objects.count() == 0


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_an_unsigned_or_oversized_webhook_body_is_refused_with_json(client, fake_stripe, settings,  # noqa: F811
                                                                    endpoint):
    unsigned = client.post(endpoint, data=b"{not json", content_type="application/json")
    huge_body = b'{"id": "evt_9", "pad": "' + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + b'"}'
    huge = client.post(endpoint, data=huge_body, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=_signed(fake_stripe, huge_body, endpoint))

    assert unsigned.status_code == HTTPStatus.BAD_REQUEST and "error" in unsigned.json()
    assert huge.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE and "error" in huge.json()
    assert WebhookEvent.objects.count() == 0


def test_the_same_event_sent_twice_is_stored_once(client, fake_stripe):  # noqa: F811
    event = {"id": "evt_twice", "object": "event", "type": "customer.created", "livemode": False,
             "created": 1_700_000_000, "data": {"object": {"id": "cus_1"}}}

    answers = [fake_stripe.deliver(client, event).json() for _ in range(2)]

    assert [answer["duplicate"] for answer in answers] == [False, True]
    assert WebhookEvent.objects.filter(event_id="evt_twice").count() == 1


# --- the ORUK feed: long query strings, page numbers ------------------------------------------------------------

@pytest.mark.parametrize(("query", "parameter"), [
    ({"page": "-1"}, "page"), ({"page": "0"}, "page"), ({"page": "abc"}, "page"), ({"page": "1e9"}, "page"),
    ({"page": "\uff12"}, "page"), ({"page": "+2"}, "page"), ({"page": "2.0"}, "page"), ({"page": "9" * 5000}, "page"),
    ({"page": "999999999999999999999"}, "page"), ({"per_page": "1_0"}, "per_page"),
    ({"per_page": "100000"}, "per_page"),
    ({"search": "care " * 5000}, "search"), ({"postcode": "W" * 5000}, "postcode"),
    ({"taxonomy_id": "x" * 5000}, "taxonomy_id"), ({"proximity": "1e400", "postcode": "WN1"}, "proximity"),
    ({"day": "D" * 5000}, "day"), ({"start_time": "1" * 5000}, "start_time"),
])
def test_a_bad_or_very_long_feed_parameter_is_a_400_naming_it(client, query, parameter):
    for path in ("/oruk/services", "/oruk/service_at_locations"):
        response = client.get(path, query)

        assert response.status_code == HTTPStatus.BAD_REQUEST, (path, response.content[:200])
        assert response["Content-Type"] == "application/json"
        assert response.json()["parameter"] == parameter


def test_a_feed_page_far_past_the_end_is_an_empty_page(client, listed):  # noqa: F811
    listed(title="Knit and natter")

    response = client.get("/oruk/services", {"page": "100000", "per_page": "100"})

    assert response.status_code == HTTPStatus.OK
    assert (response.json()["contents"], response.json()["total_items"]) == ([], 1)


def test_unknown_parameters_and_a_very_long_query_string_are_ignored_by_the_feed(client, listed):  # noqa: F811
    listed(title="Knit and natter")

    response = client.get("/oruk/services", {"utm": "x" * 20000, **{f"p{n}": "1" for n in range(500)}})

    assert response.status_code == HTTPStatus.OK
    assert response.json()["total_items"] == 1


@pytest.mark.parametrize("identifier", ["x" * 5000, "%00", "\uff11", "%2e%2e"])
def test_a_feed_record_asked_by_a_strange_id_is_a_404_with_json(client, identifier):
    for kind in ("services", "service_at_locations", "taxonomies", "taxonomy_terms"):
        response = client.get(f"/oruk/{kind}/{identifier}")
        assert response.status_code in (HTTPStatus.NOT_FOUND, HTTPStatus.BAD_REQUEST), (kind, identifier)
        assert response["Content-Type"] == "application/json"


# --- the commissioner's market view: long query strings ---------------------------------------------------------

LONG_FILTERS = {"start": "9" * 5000, "end": "2026-13-45", "neighbourhood": "n" * 5000, "category": "\x00",
                "route": "r" * 5000, "provider": "p" * 5000, "word": "w" * 5000, "format": "f" * 100, "page": "-1"}


def test_the_market_view_answers_very_long_filters_with_messages(verified_client):
    client = verified_client(CommissionerFactory())

    response = client.get(reverse("commissioning:market"), LONG_FILTERS)

    assert response.status_code == HTTPStatus.OK
    assert {"start", "end", "neighbourhood", "category", "route"} <= set(response.context["form"].errors)
    for name in ("services", "searches", "unmet-searches", "orders"):
        listing = client.get(reverse("commissioning:market-list", args=[name]), LONG_FILTERS)
        assert listing.status_code == HTTPStatus.OK, name


# --- ids in query strings and forms: digits that are not a number -----------------------------------------------

STRANGE_IDS = ["\u00b2", "\uff15", "abc", "-1", "9" * 30, "1e3", "+5"]


@pytest.mark.parametrize("person_id", STRANGE_IDS)
def test_searching_for_a_strange_person_id_is_the_ordinary_search(client, person_id):
    client.force_login(CoordinatorFactory())

    response = client.get("/find-support/", {"for": person_id})

    assert response.status_code == HTTPStatus.OK
    assert response.context.get("searching_for") is None


@pytest.mark.parametrize("person_id", STRANGE_IDS)
def test_ordering_for_a_strange_person_id_is_a_404(client, listed, person_id):  # noqa: F811
    service = listed(title="Knit and natter")
    client.force_login(CoordinatorFactory())

    response = client.get(reverse("orders:new", args=[service.pk]), {"for": person_id})

    assert response.status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("other", ["abc", "\u00b2", "9" * 30, ""])
def test_matching_a_post_with_a_strange_other_post_is_a_404(client, other):
    from community.services import posts

    author = UserFactory()
    post = posts.post_create(author=author, kind="equipment_offered", title="Shower seat to give away",
                             body="Clean.", when="", neighbourhood=None)
    client.force_login(author)

    response = client.post(reverse("community:post-act", args=[post.pk, "match"]), {"other": other})

    assert response.status_code == HTTPStatus.NOT_FOUND


# --- bodies far above the limits on the newer forms ------------------------------------------------------------

def test_a_body_far_above_the_limit_on_the_newer_forms_is_a_400(client, settings, verified_client):
    huge = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    coordinator = CoordinatorFactory()
    client.force_login(coordinator)
    for path in (reverse("community:post-new"), reverse("community:credits-spend"),
                 reverse("community:credits-claim")):
        assert client.post(path, {"title": huge, "body": huge}).status_code == HTTPStatus.BAD_REQUEST, path

    client = verified_client(CommissionerFactory())
    for path in (reverse("commissioning:reference-rates"), reverse("commissioning:market-refresh")):
        assert client.post(path, {"hourly_rate": huge, "next": huge}).status_code == HTTPStatus.BAD_REQUEST, path


# --- a session reused after a password change, for the newer roles ---------------------------------------------

@pytest.mark.parametrize(("role", "page", "second_factor"), [
    (Role.FINANCE, "/finance/invoices/", True),
    (Role.FINANCE, "/finance/payments/", True),
    (Role.COORDINATOR, "/account/", False),
    (Role.COORDINATOR, "/community/credits/", False),
    (Role.COMMISSIONER, "/commissioners/market/", True),
])
def test_a_session_of_the_newer_roles_stops_working_once_the_password_is_changed(client, verified_client, role, page,
                                                                                  second_factor):
    user = UserFactory(roles=[role])
    if second_factor:
        client = verified_client(user)
    else:
        client.post(reverse("accounts:sign-in"), {"username": user.email, "password": PASSWORD})
    assert SESSION_KEY in client.session
    assert client.get(page).status_code == HTTPStatus.OK

    # The password is changed elsewhere (a reset from another device)...
    user = User.objects.get(pk=user.pk)
    user.set_password("a-new-long-passphrase-2026")
    user.save()

    # ...and the old session no longer opens the page: it is signed out (sent to sign in, or refused).
    response = client.get(page)
    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)
    if response.status_code == HTTPStatus.FOUND:
        assert reverse("accounts:sign-in") in response["Location"]
    assert SESSION_KEY not in client.session
