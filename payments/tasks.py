"""Payments in the worker: processing a stored webhook event, sending a transfer, and the frequent sweep of
transfers whose retry time has come."""

from __future__ import annotations

from market.core.background import background_task
from market.core.runs import recorded

from .services import transfer_send, transfers_send_due, webhook_process


@background_task(name="payments.tasks.process_webhook")
def process_webhook(event_id: int) -> str:
    """Process one stored Stripe event (once: a processed one is left alone)."""
    return webhook_process(event_id=event_id)


@background_task(name="payments.tasks.send_transfer")
def send_transfer(transfer_id: int) -> str:
    """Send one transfer now, if it is due (the idempotency key makes a second send harmless)."""
    return transfer_send(transfer_id=transfer_id)


@background_task(name="payments.tasks.send_due_transfers", frequent=True)
@recorded
def send_due_transfers() -> int:
    """Every 10 seconds: transfers due, including those retried after a Stripe fault."""
    return transfers_send_due()
