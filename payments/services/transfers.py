"""The provider's share of each paid invoice, sent once to its connected account.

A transfer is a row (one per invoice) claimed with SKIP LOCKED by the task that sends it; the Stripe call carries the
idempotency key `transfer-invoice-<id>`, so a retry after a Stripe 500 or a timeout (when Stripe may have made the
transfer and only the answer was lost) gets the transfer already made, never a second one. A fault moves the due
time on (backoff) for the frequent task to try again; a provider without an active account makes it wait.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from market.accounts.models import Role
from market.accounts.permissions import require_role
from market.core.audit import audit_record
from market.core.links import absolute_reverse
from market.outbox.services import outbox_enqueue
from market.outbox.tasks_queue import enqueue
from orders.money import format_pence

from .. import stripe_api
from ..exceptions import PaymentRefused
from ..models import AccountStatus, ConnectedAccount, Transfer, TransferStatus

FINANCE_ROLES = (Role.FINANCE, Role.PLATFORM_ADMIN)
#: Tries before a transfer is marked failed for staff: 30 s doubling to an hour, about 6 hours in all (well inside
#: the 24 hours Stripe keeps an idempotency key).
MAX_ATTEMPTS = 10
SEND_TASK = "payments.tasks.send_transfer"


def platform_fee_pence(amount_pence: int) -> int:
    """The platform's fee in whole pence, half up (PAYMENTS_PLATFORM_FEE_BASIS_POINTS; 0 by default)."""
    return (amount_pence * settings.PAYMENTS_PLATFORM_FEE_BASIS_POINTS + 5000) // 10000


def retry_delay(attempts: int) -> timedelta:
    """30 s after the first failure, doubling, at most an hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def _ready(provider_id: int) -> bool:
    return stripe_api.is_set_up() and ConnectedAccount.objects.filter(
        provider_id=provider_id, status=AccountStatus.ACTIVE).exists()


def transfer_for_paid_invoice(*, invoice) -> Transfer | None:
    """Called in the transaction that marks an invoice paid (invoicing's INVOICE_PAID_HOOK): the provider's share,
    due now if its account is active, else waiting (visibly) until it is."""
    if invoice.total_pence <= 0:
        return None
    fee = platform_fee_pence(invoice.total_pence)
    ready = _ready(invoice.provider_id)
    transfer, created = Transfer.objects.get_or_create(invoice=invoice, defaults={
        "provider_id": invoice.provider_id, "amount_pence": invoice.total_pence - fee, "fee_pence": fee,
        "status": TransferStatus.DUE if ready else TransferStatus.WAITING})
    if created and ready:
        enqueue(SEND_TASK, transfer.pk)
    return transfer


def transfers_release_for(*, provider_id: int) -> int:
    """The provider's account became active: its waiting money is due now."""
    waiting = list(Transfer.objects.select_for_update().filter(provider_id=provider_id,
                                                              status=TransferStatus.WAITING))
    for transfer in waiting:
        transfer.status, transfer.due_at = TransferStatus.DUE, timezone.now()
        transfer.save(update_fields=["status", "due_at"])
        enqueue(SEND_TASK, transfer.pk)
    return len(waiting)


def transfer_send(*, transfer_id: int, now=None) -> str:
    """Send one due transfer, holding its row lock during the Stripe call (a second sender skips it). What happened,
    in a word: sent, waiting, retry, failed, or skipped (not due, or another sender has it)."""
    now = now or timezone.now()
    with transaction.atomic():
        transfer = (Transfer.objects.select_for_update(skip_locked=True, of=("self",)).select_related("provider")
                    .filter(pk=transfer_id, status=TransferStatus.DUE, due_at__lte=now).first())
        if transfer is None:
            return "skipped"
        account = ConnectedAccount.objects.filter(provider_id=transfer.provider_id).first()
        if not stripe_api.is_set_up() or account is None or account.status != AccountStatus.ACTIVE:
            transfer.status = TransferStatus.WAITING
            transfer.save(update_fields=["status"])
            return "waiting"
        transfer.attempts += 1
        try:
            # A retry first asks Stripe whether an earlier try made it (its answer may have been lost).
            result = None if transfer.attempts == 1 else stripe_api.transfer_find(
                transfer_group=transfer.transfer_group, transfer_id=transfer.pk)
            result = result or stripe_api.transfer_create(
                amount_pence=transfer.amount_pence, destination=account.stripe_id,
                transfer_group=transfer.transfer_group, idempotency_key=transfer.idempotency_key,
                metadata={"invoice_id": str(transfer.invoice_id), "transfer_id": str(transfer.pk)})
        except stripe_api.StripeUnavailable as error:
            transfer.last_error = str(error)[:2000]
            if transfer.attempts >= MAX_ATTEMPTS:
                transfer.status = TransferStatus.FAILED
            else:
                transfer.due_at = now + retry_delay(transfer.attempts)
            transfer.save(update_fields=["attempts", "last_error", "status", "due_at"])
            return "failed" if transfer.status == TransferStatus.FAILED else "retry"
        except stripe_api.StripeRefused as error:
            transfer.status, transfer.last_error = TransferStatus.FAILED, error.message[:2000]
            transfer.save(update_fields=["attempts", "last_error", "status"])
            return "failed"
        transfer.status, transfer.stripe_id, transfer.sent_at, transfer.last_error = (
            TransferStatus.SENT, result["id"], now, "")
        transfer.save(update_fields=["attempts", "status", "stripe_id", "sent_at", "last_error"])
        audit_record(action="payments.transfer_sent", target=transfer,
                     summary=f"{format_pence(transfer.amount_pence)} sent to {transfer.provider} ({result['id']})",
                     data={"invoice": transfer.invoice_id, "fee_pence": transfer.fee_pence})
        outbox_enqueue(to=[transfer.provider.email], subject=f"[{settings.SITE_NAME}] Payment on its way",
                       body=f"{format_pence(transfer.amount_pence)} for your invoice has been sent to your Stripe "
                            f"account; Stripe pays it to your bank. "
                            f"{absolute_reverse('payouts:page', kwargs={'slug': transfer.provider.slug})}",
                       key=f"transfer-sent:{transfer.pk}")
    return "sent"


def transfers_send_due(*, limit: int = 100, now=None) -> int:
    """Every 10 seconds: send each transfer that is due (new, or a retry whose time has come). Returns how many
    went."""
    now = now or timezone.now()
    due = Transfer.objects.filter(status=TransferStatus.DUE, due_at__lte=now).order_by("due_at", "pk")
    ids = list(due.values_list("pk", flat=True)[:limit])
    return sum(transfer_send(transfer_id=pk, now=now) == "sent" for pk in ids)


def transfer_retry(*, transfer: Transfer, actor) -> Transfer:
    """Finance staff send a failed transfer again: Stripe is asked first whether an earlier try made it, then the
    same idempotency key is used. One more failure marks it failed again."""
    require_role(actor, *FINANCE_ROLES)
    with transaction.atomic():
        transfer = Transfer.objects.select_for_update(of=("self",)).select_related("provider").get(pk=transfer.pk)
        if transfer.status == TransferStatus.WAITING:
            raise PaymentRefused(f"{transfer.provider}'s Stripe account is not active yet, so nothing can be sent to "
                                 "it: the money waits and goes as soon as the account is active.")
        if transfer.status != TransferStatus.FAILED:
            raise PaymentRefused(f"This transfer is {transfer.get_status_display().lower()}: only a failed one can be "
                                 "sent again.")
        transfer.status, transfer.due_at = TransferStatus.DUE, timezone.now()
        transfer.save(update_fields=["status", "due_at"])
        audit_record(action="payments.transfer_retried", actor=actor, target=transfer,
                     summary=f"{actor} asked for transfer {transfer.pk} to be sent again")
        enqueue(SEND_TASK, transfer.pk)
    return transfer


def transfer_reversed(stripe_transfer: dict, *, event: dict) -> str:
    """`transfer.reversed`: money taken back from the provider (in Stripe's dashboard). Recorded, and shown as not
    matching in the reconciliation until finance staff settle it."""
    with transaction.atomic():
        transfer = Transfer.objects.select_for_update().filter(stripe_id=stripe_transfer["id"]).first()
        if transfer is None:
            return "unknown transfer"
        reversed_pence = int(stripe_transfer.get("amount_reversed") or 0)
        if reversed_pence > transfer.reversed_pence:  # only forward: an older event changes nothing
            transfer.reversed_pence, transfer.status = reversed_pence, TransferStatus.REVERSED
            transfer.save(update_fields=["reversed_pence", "status"])
            audit_record(action="payments.transfer_reversed", target=transfer,
                         summary=f"{format_pence(reversed_pence)} of transfer {transfer.stripe_id} reversed")
    return "recorded"
