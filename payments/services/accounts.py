"""A provider's Stripe connected account: onboarding started by the owner, its status from `account.updated` only."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from market.core.audit import audit_record
from market.core.links import absolute_reverse
from market.outbox.services import outbox_enqueue
from providers.models import MemberRole, Provider, ProviderMembership

from .. import stripe_api
from ..exceptions import PaymentRefused
from ..models import AccountStatus, ConnectedAccount
from .transfers import transfers_release_for


def _require_owner(provider: Provider, actor) -> None:
    owner = ProviderMembership.objects.filter(provider=provider, user=actor, role=MemberRole.OWNER).exists()
    if not owner:
        raise PaymentRefused("Only the provider's owner can set up payouts.")


def account_onboarding_start(*, provider: Provider, actor) -> ConnectedAccount:
    """The provider's connected account, made at Stripe the first time (the idempotency key is the provider's id,
    so a double click or a retry makes one account)."""
    _require_owner(provider, actor)
    existing = ConnectedAccount.objects.filter(provider=provider).first()
    if existing is not None:
        return existing
    account = stripe_api.account_create(provider_id=provider.pk, email=provider.email, name=provider.name)
    with transaction.atomic():
        connected, created = ConnectedAccount.objects.get_or_create(
            provider=provider, defaults={"stripe_id": account["id"], "raw": account})
        if created:
            audit_record(action="payments.account_created", actor=actor, target=connected,
                         summary=f"{provider} started setting up payouts (Stripe account {account['id']})")
    return connected


def account_link_for(*, provider: Provider, actor) -> str:
    """A fresh onboarding address at Stripe (links are one-use and expire within minutes, so one is made each time
    the owner asks, and again when Stripe sends them back to the refresh address)."""
    connected = account_onboarding_start(provider=provider, actor=actor)
    link = stripe_api.account_link_create(
        account_id=connected.stripe_id,
        refresh_url=absolute_reverse("payouts:refresh", kwargs={"slug": provider.slug}),
        return_url=absolute_reverse("payouts:return", kwargs={"slug": provider.slug}),
    )
    return link["url"]


def _status_of(account: dict) -> tuple[str, list[str], str]:
    requirements = account.get("requirements") or {}
    needed = sorted(set(requirements.get("currently_due") or []) | set(requirements.get("past_due") or []))
    disabled = requirements.get("disabled_reason") or ""
    transfers = (account.get("capabilities") or {}).get("transfers")
    if account.get("details_submitted") and account.get("payouts_enabled") and transfers == "active" and not disabled:
        return AccountStatus.ACTIVE, needed, ""
    if disabled or (account.get("details_submitted") and needed):
        return AccountStatus.RESTRICTED, needed, disabled
    return AccountStatus.PENDING, needed, disabled


def account_update_from_stripe(account: dict, *, event: dict) -> str:
    """`account.updated`: the account's status as Stripe now says, applied only if this event is newer than the last
    one applied (events can arrive out of order). An account turning active releases the provider's waiting money."""
    with transaction.atomic():
        connected = ConnectedAccount.objects.select_for_update().filter(stripe_id=account["id"]).first()
        if connected is None:
            return "unknown account"
        if event["created"] < connected.last_event_created:
            return "older than the last update applied"
        before = connected.status
        connected.status, connected.requirements, connected.disabled_reason = _status_of(account)
        connected.last_event_created, connected.raw, connected.updated_at = event["created"], account, timezone.now()
        connected.save()
        if connected.status != before:
            audit_record(action="payments.account_status", target=connected,
                         summary=f"Stripe account of {connected.provider} is now {connected.status}",
                         data={"from": before, "to": connected.status, "requirements": connected.requirements})
        if connected.status == AccountStatus.ACTIVE and before != AccountStatus.ACTIVE:
            transfers_release_for(provider_id=connected.provider_id)
    return connected.status


def payout_failed(payout: dict, *, event: dict) -> str:
    """`payout.failed` (a Connect event): the provider's bank refused Stripe's payout. Shown on their payouts page
    and told to them; the money stays in their Stripe balance."""
    with transaction.atomic():
        connected = (ConnectedAccount.objects.select_for_update().select_related("provider")
                     .filter(stripe_id=event.get("account") or "").first())
        if connected is None:
            return "unknown account"
        message = payout.get("failure_message") or payout.get("failure_code") or "the bank refused it"
        connected.payout_failure = f"A payout of {payout.get('amount', 0) / 100:.2f} pounds failed: {message}"[:300]
        connected.save(update_fields=["payout_failure"])
        outbox_enqueue(to=[connected.provider.email], subject=f"[{settings.SITE_NAME}] A payout to your bank failed",
                       body=f"{connected.payout_failure}. Check your bank details in your Stripe dashboard: "
                            f"{absolute_reverse('payouts:page', kwargs={'slug': connected.provider.slug})}",
                       key=f"payout-failed:{payout.get('id')}")
    return "recorded"
