"""Writes for payments, by concern (callers read `payments.services.<name>`):

- `accounts`: a provider's connected account, onboarding links, `account.updated`, failed payouts;
- `cards`: paying an invoice by card through Checkout, what the webhooks say of it, refunds, disputes;
- `transfers`: the provider's share of each paid invoice, sent once, retried on Stripe's faults;
- `webhooks`: receiving, verifying and storing an event, processing it once, replaying a failure.
"""

from .accounts import account_link_for, account_onboarding_start, account_update_from_stripe, payout_failed
from .cards import (
    card_checkout_start,
    card_payment_refund,
    charge_disputed,
    charge_refunded,
    checkout_session_async_failed,
    checkout_session_paid,
    payment_intent_failed,
    payment_intent_succeeded,
)
from .transfers import (
    platform_fee_pence,
    transfer_for_paid_invoice,
    transfer_retry,
    transfer_reversed,
    transfer_send,
    transfers_release_for,
    transfers_send_due,
)
from .webhooks import HANDLERS, WebhookRefused, webhook_process, webhook_receive, webhook_replay

__all__ = [
    "HANDLERS",
    "WebhookRefused",
    "account_link_for",
    "account_onboarding_start",
    "account_update_from_stripe",
    "card_checkout_start",
    "card_payment_refund",
    "charge_disputed",
    "charge_refunded",
    "checkout_session_async_failed",
    "checkout_session_paid",
    "payment_intent_failed",
    "payment_intent_succeeded",
    "payout_failed",
    "platform_fee_pence",
    "transfer_for_paid_invoice",
    "transfer_retry",
    "transfer_reversed",
    "transfer_send",
    "transfers_release_for",
    "transfers_send_due",
    "webhook_process",
    "webhook_receive",
    "webhook_replay",
]
