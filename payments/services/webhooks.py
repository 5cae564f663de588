"""Stripe's webhooks: verify, store raw under the event id (unique: processed once), answer fast; a task processes
the event through one table of event type to handler. A failure keeps its traceback; finance staff can replay it."""

from __future__ import annotations

import json
import traceback

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from market.accounts.permissions import require_role
from market.core.audit import audit_record
from market.core.exceptions import DomainError
from market.outbox.tasks_queue import enqueue

from .. import stripe_api
from ..exceptions import PaymentRefused
from ..models import Endpoint, EventStatus, WebhookEvent
from . import accounts, cards, transfers

PROCESS_TASK = "payments.tasks.process_webhook"
#: The longest event id, type or account name stored (the columns' length).
MAX_NAME_LENGTH = 100

#: Every event we act on, and what acts on it (each takes the event's object and the whole event).
HANDLERS = {
    "checkout.session.completed": cards.checkout_session_paid,
    "checkout.session.async_payment_succeeded": cards.checkout_session_paid,
    "checkout.session.async_payment_failed": cards.checkout_session_async_failed,
    "payment_intent.succeeded": cards.payment_intent_succeeded,
    "payment_intent.payment_failed": cards.payment_intent_failed,
    "charge.refunded": cards.charge_refunded,
    "charge.dispute.created": cards.charge_disputed,
    "account.updated": accounts.account_update_from_stripe,
    "transfer.reversed": transfers.transfer_reversed,
    "payout.failed": accounts.payout_failed,
}


class WebhookRefused(DomainError):
    """A webhook request we do not accept (bad signature, stale, wrong mode): answered 400, nothing stored."""


def _secrets(endpoint: str) -> list[str]:
    if endpoint == Endpoint.CONNECT:
        return list(settings.STRIPE_CONNECT_WEBHOOK_SECRETS)
    return list(settings.STRIPE_WEBHOOK_SECRETS)


def webhook_receive(*, endpoint: str, payload: bytes, signature: str) -> tuple[WebhookEvent, bool]:
    """Verify and store one webhook request, and queue its processing. Returns the stored event and whether it is
    new (False: Stripe sent it again; it is processed once). Raises WebhookRefused."""
    try:
        event = stripe_api.webhook_event(payload=payload, signature=signature, secrets=_secrets(endpoint))
    except stripe_api.BadSignature as error:
        raise WebhookRefused(f"The signature does not verify: {error}") from None
    if bool(event.get("livemode")) != stripe_api.live_mode():
        raise WebhookRefused("The event's mode (live or test) is not this site's.")
    event_id, event_type, account = event.get("id"), event.get("type"), event.get("account") or ""
    if not all(isinstance(text, str) for text in (event_id, event_type, account)) or not event_id or not event_type:
        raise WebhookRefused("The event has no id or type.")
    if max(len(event_id), len(event_type), len(account)) > MAX_NAME_LENGTH:
        raise WebhookRefused(f"The event's id, type or account is longer than {MAX_NAME_LENGTH} characters.")
    created = event.get("created")
    try:
        with transaction.atomic():
            stored = WebhookEvent.objects.create(
                event_id=event_id, endpoint=endpoint, type=event_type, livemode=bool(event.get("livemode")),
                account=account, created=created if isinstance(created, int) and 0 <= created < 2**62 else 0,
                body=payload.decode("utf-8"))
            enqueue(PROCESS_TASK, stored.pk)
    except IntegrityError:
        return WebhookEvent.objects.get(event_id=event["id"]), False
    return stored, True


def webhook_process(*, event_id: int) -> str:
    """Process one stored event, once (the row is locked while it runs; a processed one is left alone). The handler
    runs in a savepoint: if it fails, its changes are undone and the traceback is kept for a replay."""
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update().filter(pk=event_id).first()
        if event is None or event.status in (EventStatus.PROCESSED, EventStatus.IGNORED):
            return "done before"
        event.attempts += 1
        handler = HANDLERS.get(event.type)
        if handler is None:
            event.status, event.processed_at = EventStatus.IGNORED, timezone.now()
            event.save(update_fields=["attempts", "status", "processed_at"])
            return "ignored"
        data = json.loads(event.body)
        try:
            with transaction.atomic():
                outcome = handler(data["data"]["object"], event=data)
        except Exception:  # kept for staff to see and replay (dj-stripe's pattern), not retried blindly
            event.status, event.error = EventStatus.FAILED, traceback.format_exc()[-5000:]
            event.save(update_fields=["attempts", "status", "error"])
            return "failed"
        event.status, event.error, event.processed_at = EventStatus.PROCESSED, "", timezone.now()
        event.save(update_fields=["attempts", "status", "error", "processed_at"])
    return outcome


def webhook_replay(*, event: WebhookEvent, actor) -> WebhookEvent:
    """Finance staff process a failed event again (after whatever made it fail is put right)."""
    require_role(actor, *transfers.FINANCE_ROLES)
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update().get(pk=event.pk)
        if event.status != EventStatus.FAILED:
            raise PaymentRefused("Only a failed event can be replayed.")
        event.status = EventStatus.RECEIVED
        event.save(update_fields=["status"])
        audit_record(action="payments.webhook_replayed", actor=actor, target=event,
                     summary=f"{actor} replayed Stripe event {event.event_id} ({event.type})")
        enqueue(PROCESS_TASK, event.pk)
    return event
