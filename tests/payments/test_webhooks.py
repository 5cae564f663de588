"""Stripe's webhook endpoints: verified with the stripe library (tolerance, two secrets while rotating), livemode
checked, stored raw once per event id, processed once by a task, failures kept for finance staff to replay."""

from __future__ import annotations

import json
import time
from http import HTTPStatus

import pytest
from django.urls import reverse

from market.outbox.models import QueuedTask
from payments.models import EventStatus, WebhookEvent
from tests.fake_stripe import PLATFORM_SECRET

from .helpers import deliver, run_queued, stored

pytestmark = pytest.mark.django_db


def _an_event(fake):
    return fake.event("customer.created", {"id": "cus_1", "object": "customer"})


@pytest.mark.parametrize("signing", [
    {"secret": "whsec_forged"},  # forged: another secret
    {"timestamp": int(time.time()) - 301},  # stale: older than the 300 s tolerance
], ids=["forged", "stale"])
def test_a_forged_or_stale_signature_is_refused_and_nothing_is_stored(client, fake_stripe, signing):
    response = fake_stripe.deliver(client, _an_event(fake_stripe), **signing)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "signature" in response.json()["error"]
    assert (WebhookEvent.objects.count(), QueuedTask.objects.count()) == (0, 0)


def test_a_tampered_body_is_refused(client, fake_stripe):
    body, header = fake_stripe.signed(_an_event(fake_stripe))
    tampered = body.replace(b"cus_1", b"cus_2")

    response = client.post("/payments/webhooks/stripe/", data=tampered, content_type="application/json",
                           HTTP_STRIPE_SIGNATURE=header)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not WebhookEvent.objects.exists()


def test_no_signature_header_is_refused(client, fake_stripe):
    response = client.post("/payments/webhooks/stripe/", data=b"{}", content_type="application/json")
    assert response.status_code == HTTPStatus.BAD_REQUEST and "error" in response.json()


def test_during_rotation_both_secrets_are_accepted(client, fake_stripe, settings):
    settings.STRIPE_WEBHOOK_SECRETS = ["whsec_new", PLATFORM_SECRET]
    old = fake_stripe.deliver(client, _an_event(fake_stripe), secret=PLATFORM_SECRET)
    new = fake_stripe.deliver(client, _an_event(fake_stripe), secret="whsec_new")

    assert (old.status_code, new.status_code) == (HTTPStatus.OK, HTTPStatus.OK)
    assert WebhookEvent.objects.count() == 2


def test_a_platform_event_at_the_connect_endpoint_is_refused(client, fake_stripe):
    body, header = fake_stripe.signed(_an_event(fake_stripe))  # signed with the platform secret
    response = client.post("/payments/webhooks/stripe-connect/", data=body, content_type="application/json",
                           HTTP_STRIPE_SIGNATURE=header)
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_a_live_event_is_refused_with_test_keys(client, fake_stripe):
    fake_stripe.livemode = True
    response = fake_stripe.deliver(client, _an_event(fake_stripe))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "mode" in response.json()["error"]
    assert not WebhookEvent.objects.exists()


def test_the_same_event_twice_is_stored_and_processed_once(client, fake_stripe):
    event = _an_event(fake_stripe)
    first = fake_stripe.deliver(client, event)
    again = fake_stripe.deliver(client, event)

    assert (first.json()["duplicate"], again.json()["duplicate"]) == (False, True)
    assert WebhookEvent.objects.count() == 1
    assert list(QueuedTask.objects.values_list("task", "args")) == [
        ("payments.tasks.process_webhook", [stored(event).pk])]
    assert json.loads(stored(event).body) == event  # the raw body, as signed


def test_an_event_we_do_not_act_on_is_marked_ignored_once(client, fake_stripe):
    event = _an_event(fake_stripe)
    assert deliver(client, fake_stripe, event) == ["ignored"]
    from payments.services import webhook_process

    assert webhook_process(event_id=stored(event).pk) == "done before"
    assert (stored(event).status, stored(event).attempts) == (EventStatus.IGNORED, 1)


def test_a_failing_event_keeps_its_error_and_finance_staff_can_replay_it(client, fake_stripe, finance,
                                                                        verified_client):
    # An account.updated whose account has no id: the handler fails.
    event = fake_stripe.event("account.updated", {"object": "account"}, account="acct_broken")
    assert deliver(client, fake_stripe, event) == ["failed"]
    failed = stored(event)
    assert failed.status == EventStatus.FAILED and "KeyError: 'id'" in failed.error

    staff = verified_client(finance)
    page = staff.get(reverse("payments-finance:events"), {"status": "failed"}).content.decode()
    assert event["id"] in page and "KeyError" in page
    staff.post(reverse("payments-finance:event-replay", args=[failed.pk]))
    assert stored(event).status == EventStatus.RECEIVED
    assert run_queued("payments.tasks.process_webhook") == ["failed"]
    assert stored(event).attempts == 2

    # Only a failed event can be replayed.
    done = _an_event(fake_stripe)
    deliver(client, fake_stripe, done)
    staff.post(reverse("payments-finance:event-replay", args=[stored(done).pk]))
    assert stored(done).status == EventStatus.IGNORED
    assert not QueuedTask.objects.filter(sent_at=None).exists()


def test_only_finance_staff_see_the_events_page(client, fake_stripe, holder):
    client.force_login(holder.user)
    assert client.get(reverse("payments-finance:events")).status_code == HTTPStatus.FORBIDDEN


def test_without_stripe_keys_the_endpoints_say_payments_are_not_set_up(client, db, settings):
    settings.STRIPE_SECRET_KEY = ""
    response = client.post("/payments/webhooks/stripe/", data=b"{}", content_type="application/json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"error": "Payments are not set up on this site."}
    assert client.get("/payments/webhooks/stripe/").status_code == HTTPStatus.METHOD_NOT_ALLOWED
