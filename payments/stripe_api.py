"""Every call to Stripe, through the official library's StripeClient. Nothing else in the product imports `stripe`.

The base address comes from settings (`STRIPE_API_BASE`), so tests point it at the fake server of the test suite.
The library retries nothing (`max_network_retries=0`): retries are ours, each with the same idempotency key made from
our own ids, so a retry can never move money twice (docs/adr/0008-payments.md).
"""

from __future__ import annotations

from typing import Any

import stripe
from django.conf import settings

from market.core.exceptions import DomainError


class PaymentsNotSetUp(DomainError):
    """No Stripe key: payments are not set up on this site."""

    def __init__(self):
        super().__init__("Card payments and payouts are not set up on this site yet.")


class StripeUnavailable(Exception):
    """Stripe did not answer, timed out, or answered with a server error or rate limit: try again later, with the
    same idempotency key."""


class StripeRefused(DomainError):
    """Stripe refused the request (bad parameters, a card declined, an amount too large): trying again will not help."""


def is_set_up() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def live_mode() -> bool:
    """Whether the key is a live one (`sk_live_...`, `rk_live_...`): events must then be live too."""
    return "_live_" in settings.STRIPE_SECRET_KEY


def _client() -> stripe.StripeClient:
    if not is_set_up():
        raise PaymentsNotSetUp()
    base = settings.STRIPE_API_BASE.rstrip("/")
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": base, "connect": base, "files": base},
        max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS),
    )


def _options(idempotency_key: str | None) -> dict[str, Any]:
    return {"idempotency_key": idempotency_key} if idempotency_key else {}


def _call(method, params: dict[str, Any], *, idempotency_key: str | None = None) -> dict[str, Any]:
    """Call one library method and return the object as a plain dict; errors become ours."""
    try:
        result = method(params, _options(idempotency_key))
    except (stripe.APIConnectionError, stripe.RateLimitError) as error:
        raise StripeUnavailable(f"{type(error).__name__}: {error.user_message or error}") from error
    except stripe.APIError as error:
        raise StripeUnavailable(f"Stripe answered {error.http_status}: {error.user_message or error}") from error
    except stripe.StripeError as error:
        if error.http_status and error.http_status >= 500:
            raise StripeUnavailable(f"Stripe answered {error.http_status}: {error}") from error
        raise StripeRefused(f"Stripe refused it: {error.user_message or error}") from error
    return result.to_dict()


def account_create(*, provider_id: int, email: str, name: str) -> dict[str, Any]:
    """An Express connected account for a provider: Stripe's hosted onboarding, payouts by transfer."""
    client = _client()
    return _call(client.v1.accounts.create, {
        "type": "express", "country": "GB", "email": email,
        "capabilities": {"transfers": {"requested": True}},
        "business_profile": {"name": name},
        "metadata": {"provider_id": str(provider_id)},
    }, idempotency_key=f"account-provider-{provider_id}")


def account_link_create(*, account_id: str, refresh_url: str, return_url: str) -> dict[str, Any]:
    """A one-use onboarding link (it expires within minutes: a fresh one is made each time)."""
    client = _client()
    return _call(client.v1.account_links.create, {
        "account": account_id, "refresh_url": refresh_url, "return_url": return_url, "type": "account_onboarding",
    })


def checkout_session_create(*, card_payment_id: int, invoice_id: int, amount_pence: int, description: str,
                            email: str, success_url: str, cancel_url: str) -> dict[str, Any]:
    """A Checkout session on the platform's account for one invoice (separate charges and transfers)."""
    client = _client()
    metadata = {"card_payment_id": str(card_payment_id), "invoice_id": str(invoice_id)}
    params: dict[str, Any] = {
        "mode": "payment",
        "line_items": [{"quantity": 1, "price_data": {
            "currency": "gbp", "unit_amount": amount_pence, "product_data": {"name": description}}}],
        "payment_intent_data": {"transfer_group": f"invoice-{invoice_id}", "metadata": metadata},
        "metadata": metadata,
        "client_reference_id": f"card-payment-{card_payment_id}",
        "success_url": success_url, "cancel_url": cancel_url,
    }
    if email:
        params["customer_email"] = email
    return _call(client.v1.checkout.sessions.create, params, idempotency_key=f"checkout-{card_payment_id}")


def transfer_create(*, amount_pence: int, destination: str, transfer_group: str, idempotency_key: str,
                    metadata: dict[str, str]) -> dict[str, Any]:
    client = _client()
    return _call(client.v1.transfers.create, {
        "amount": amount_pence, "currency": "gbp", "destination": destination, "transfer_group": transfer_group,
        "metadata": metadata,
    }, idempotency_key=idempotency_key)


def transfer_find(*, transfer_group: str, transfer_id: int) -> dict[str, Any] | None:
    """Our transfer, if Stripe has it already: asked before a retry, so a transfer whose answer was lost is never made
    again, even after Stripe has forgotten the idempotency key (24 hours)."""
    client = _client()
    found = _call(client.v1.transfers.list, {"transfer_group": transfer_group, "limit": 100})
    for transfer in found.get("data") or []:
        if (transfer.get("metadata") or {}).get("transfer_id") == str(transfer_id):
            return transfer
    return None


def refund_create(*, payment_intent: str, amount_pence: int, idempotency_key: str,
                  metadata: dict[str, str]) -> dict[str, Any]:
    client = _client()
    return _call(client.v1.refunds.create, {
        "payment_intent": payment_intent, "amount": amount_pence, "reason": "requested_by_customer",
        "metadata": metadata,
    }, idempotency_key=idempotency_key)


class BadSignature(Exception):
    """A webhook whose signature does not verify (forged, stale, or signed with another secret)."""


def webhook_event(*, payload: bytes, signature: str, secrets: list[str]) -> dict[str, Any]:
    """The event in a webhook request, verified with the library against each configured secret (two while one is
    being rotated). Raises BadSignature."""
    last_error: Exception | None = None
    for secret in secrets:
        try:
            event = stripe.Webhook.construct_event(payload, signature, secret,
                                                   tolerance=settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS)
        except stripe.SignatureVerificationError as error:
            last_error = error
            continue
        except (ValueError, TypeError, AttributeError) as error:  # not JSON, not UTF-8, or JSON but not an object
            raise BadSignature(f"The body is not a Stripe event: {error}") from error
        return event.to_dict()
    raise BadSignature(str(last_error) if last_error else "No webhook secret is configured.")
