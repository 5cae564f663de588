"""Reads for payments: a provider's payouts, a person's invoices to pay, finance staff's lists."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Sum

from invoicing.models import Invoice, InvoiceKind, InvoiceStatus, Payer
from market.accounts.models import Role
from orders.selectors import may_manage_budget

from .models import (
    AccountStatus,
    CardPayment,
    CardPaymentStatus,
    ConnectedAccount,
    EventStatus,
    Transfer,
    TransferStatus,
    WebhookEvent,
)


@dataclass(frozen=True)
class Payouts:
    account: ConnectedAccount | None
    status: str
    status_label: str
    transfers: list[Transfer]
    waiting_pence: int
    sent_pence: int


def provider_payouts(provider) -> Payouts:
    account = ConnectedAccount.objects.filter(provider=provider).first()
    status = account.status if account else AccountStatus.NOT_STARTED
    transfers = list(Transfer.objects.filter(provider=provider).select_related("invoice").order_by("-created_at")[:50])
    totals = dict(Transfer.objects.filter(provider=provider).values_list("status").annotate(total=Sum("amount_pence")))
    return Payouts(account=account, status=status, status_label=AccountStatus(status).label, transfers=transfers,
                   waiting_pence=(totals.get(TransferStatus.WAITING) or 0) + (totals.get(TransferStatus.DUE) or 0),
                   sent_pence=totals.get(TransferStatus.SENT) or 0)


def invoice_get(invoice_id: int) -> Invoice | None:
    return Invoice.objects.select_related("provider", "person", "person__user").filter(pk=invoice_id).first()


def invoices_to_pay(people) -> list[Invoice]:
    """The card-payable invoices of these people (the person pays), newest first."""
    return list(Invoice.objects.filter(person__in=people, payer=Payer.PERSON, kind=InvoiceKind.INVOICE)
                .exclude(status=InvoiceStatus.CREDITED).select_related("provider", "person")
                .order_by("-issued_at", "-id")[:100])


def card_payments_of(invoice) -> list[CardPayment]:
    return list(CardPayment.objects.filter(invoice=invoice).order_by("-created_at"))


def card_payment_get(payment_id: int) -> CardPayment | None:
    return (CardPayment.objects.select_related("invoice", "invoice__provider", "person")
            .prefetch_related("refunds").filter(pk=payment_id).first())


def card_payments_recent(*, limit: int = 100) -> list[CardPayment]:
    return list(CardPayment.objects.exclude(status=CardPaymentStatus.OPEN)
                .select_related("invoice", "invoice__provider", "person").order_by("-created_at")[:limit])


def transfers_needing_attention(*, limit: int = 200) -> list[Transfer]:
    return list(Transfer.objects.exclude(status=TransferStatus.SENT).select_related("invoice", "provider")
                .order_by("status", "-created_at")[:limit])


def transfer_get(transfer_id: int) -> Transfer | None:
    return Transfer.objects.filter(pk=transfer_id).first()


def webhook_events(status: str | None = None, *, limit: int = 200) -> list[WebhookEvent]:
    events = WebhookEvent.objects.defer("body")
    if status in EventStatus.values:
        events = events.filter(status=status)
    return list(events.order_by("-received_at", "-id")[:limit])


def webhook_event_get(event_id: int) -> WebhookEvent | None:
    return WebhookEvent.objects.filter(pk=event_id).first()


def webhook_counts() -> dict[str, int]:
    return dict(WebhookEvent.objects.values_list("status").annotate(count=Count("id")))


def may_refund(user, payment: CardPayment) -> bool:
    """Finance staff and platform admins, or a coordinator working with the person who paid."""
    if not user.is_authenticated:
        return False
    if user.has_role(Role.FINANCE) or user.has_role(Role.PLATFORM_ADMIN):
        return True
    return user.has_role(Role.COORDINATOR) and may_manage_budget(user, payment.person)
