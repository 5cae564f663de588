"""Paying an invoice by card through Stripe Checkout, and refunds.

A card payment is paid when a webhook says so (`checkout.session.completed` with the payment made, or the async
success, or `payment_intent.succeeded`), never because the browser came back. Its status only moves forward, so
events twice or out of order have one effect. Refunds go to Stripe first, then into the budget ledger.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from invoicing.exceptions import InvoicingRefused
from invoicing.models import InvoiceKind, InvoiceLine, InvoiceStatus, Payer
from invoicing.services import invoice_settle
from market.accounts.models import ConsentScope
from market.accounts.permissions import capacity_for
from market.core.audit import audit_record
from market.core.links import absolute_url
from market.outbox.services import outbox_enqueue
from orders.money import format_pence
from orders.selectors import visit_refundable_pence
from orders.services import budget_refund

from .. import stripe_api
from ..exceptions import PaymentRefused
from ..models import CARD_PAYMENT_ORDER, CardPayment, CardPaymentStatus, Refund
from ..selectors import may_refund

#: A Checkout session lasts 24 hours; one younger than this is offered again rather than a new one made.
REUSE_SESSION_FOR = datetime.timedelta(hours=23)


def card_checkout_start(*, invoice, user) -> CardPayment:
    """The Checkout session for paying `invoice` by card, by the person or someone acting for them (a supporter
    with consent to order, their coordinator). Refused for an invoice the council pays or one not due."""
    if invoice.payer != Payer.PERSON or invoice.person is None:
        raise PaymentRefused("The council pays this invoice: there is nothing to pay by card.")
    if capacity_for(user, invoice.person, ConsentScope.ORDER) is None:
        raise PaymentRefused("Only the person, or someone acting for them, can pay this invoice.")
    if invoice.kind != InvoiceKind.INVOICE or invoice.status != InvoiceStatus.ISSUED:
        raise PaymentRefused(f"This invoice is {invoice.get_status_display().lower()}: no payment is due.")
    if not stripe_api.is_set_up():
        raise stripe_api.PaymentsNotSetUp()
    with transaction.atomic():
        earlier = list(CardPayment.objects.select_for_update().filter(invoice=invoice).order_by("-created_at"))
        if any(payment.status in (CardPaymentStatus.PAID, CardPaymentStatus.PROCESSING) for payment in earlier):
            raise PaymentRefused("This invoice has been paid by card already, or the payment is being processed.")
        for payment in earlier:
            if (payment.status == CardPaymentStatus.OPEN and payment.checkout_url
                    and payment.created_at > timezone.now() - REUSE_SESSION_FOR):
                return payment
        payment = CardPayment.objects.create(invoice=invoice, person=invoice.person, amount_pence=invoice.total_pence,
                                             started_by=user)
        paid_page = absolute_url(reverse("payments:paid", args=[invoice.pk]))
        session = stripe_api.checkout_session_create(
            card_payment_id=payment.pk, invoice_id=invoice.pk, amount_pence=invoice.total_pence,
            description=f"Invoice {invoice.number} from {invoice.provider.name}",
            email=invoice.person.user.email if invoice.person.user_id else "",
            success_url=f"{paid_page}?session_id={{CHECKOUT_SESSION_ID}}",
            cancel_url=absolute_url(reverse("payments:pay", args=[invoice.pk])))
        payment.checkout_session_id, payment.checkout_url, payment.raw = session["id"], session["url"], session
        payment.save(update_fields=["checkout_session_id", "checkout_url", "raw"])
        audit_record(action="payments.checkout_started", actor=user, on_behalf_of=invoice.person, target=payment,
                     summary=f"Card payment of invoice {invoice.number} started ({format_pence(invoice.total_pence)})")
    return payment


def _locked_payment(*, session_id: str | None = None, metadata: dict | None = None,
                    payment_intent: str | None = None) -> CardPayment | None:
    payments = CardPayment.objects.select_for_update(of=("self",)).select_related("invoice", "person")
    if session_id:
        found = payments.filter(checkout_session_id=session_id).first()
        if found is not None:
            return found
    payment_id = (metadata or {}).get("card_payment_id")
    if payment_id and str(payment_id).isdigit():
        found = payments.filter(pk=int(payment_id)).first()
        if found is not None:
            return found
    if payment_intent:
        return payments.filter(payment_intent_id=payment_intent).first()
    return None


def _advance(payment: CardPayment, status: str, **fields: Any) -> bool:
    """Move the payment's status forward only; False (and nothing changed) if it is there already or beyond."""
    if CARD_PAYMENT_ORDER[status] <= CARD_PAYMENT_ORDER[payment.status]:
        return False
    payment.status = status
    for name, value in fields.items():
        setattr(payment, name, value)
    payment.save(update_fields=["status", *fields])
    return True


def _tell_finance(subject: str, body: str, key: str) -> None:
    outbox_enqueue(to=[settings.COUNCIL_FINANCE_EMAIL], subject=f"[{settings.SITE_NAME}] {subject}", body=body,
                   key=key)


def _paid(payment: CardPayment | None, *, payment_intent: str | None) -> str:
    if payment is None:
        return "unknown payment"
    if not _advance(payment, CardPaymentStatus.PAID, paid_at=timezone.now(),
                    payment_intent_id=payment_intent or payment.payment_intent_id):
        return "already paid"
    audit_record(action="payments.card_paid", on_behalf_of=payment.person, target=payment,
                 summary=f"Invoice {payment.invoice.number} paid by card ({format_pence(payment.amount_pence)})",
                 data={"payment_intent": payment.payment_intent_id})
    try:
        invoice_settle(invoice=payment.invoice, paid_on=timezone.localdate(),
                       reference=f"Card {payment.payment_intent_id}"[:100])
    except InvoicingRefused as refusal:
        # Paid twice, or paid after the invoice was credited: kept as paid (the money arrived), shown as not
        # matching in the reconciliation, and finance staff are told so they can refund it.
        _tell_finance(f"A card payment of invoice {payment.invoice.number} needs a refund",
                      f"Card payment {payment.pk} ({format_pence(payment.amount_pence)}) arrived for invoice "
                      f"{payment.invoice.number}, but {refusal.message[0].lower()}{refusal.message[1:]}",
                      key=f"card-unmatched:{payment.pk}")
        return "paid, not matched"
    return "paid"


def checkout_session_paid(session: dict, *, event: dict) -> str:
    """`checkout.session.completed` and `checkout.session.async_payment_succeeded`."""
    with transaction.atomic():
        payment = _locked_payment(session_id=session.get("id"), metadata=session.get("metadata"))
        if session.get("payment_status") in ("paid", "no_payment_required"):
            return _paid(payment, payment_intent=session.get("payment_intent"))
        if payment is None:
            return "unknown payment"
        _advance(payment, CardPaymentStatus.PROCESSING, payment_intent_id=session.get("payment_intent") or "")
        return payment.status


def checkout_session_async_failed(session: dict, *, event: dict) -> str:
    with transaction.atomic():
        payment = _locked_payment(session_id=session.get("id"), metadata=session.get("metadata"))
        if payment is None:
            return "unknown payment"
        _advance(payment, CardPaymentStatus.FAILED)
        return payment.status


def payment_intent_succeeded(intent: dict, *, event: dict) -> str:
    with transaction.atomic():
        payment = _locked_payment(metadata=intent.get("metadata"), payment_intent=intent.get("id"))
        return _paid(payment, payment_intent=intent.get("id"))


def payment_intent_failed(intent: dict, *, event: dict) -> str:
    with transaction.atomic():
        payment = _locked_payment(metadata=intent.get("metadata"), payment_intent=intent.get("id"))
        if payment is None:
            return "unknown payment"
        _advance(payment, CardPaymentStatus.FAILED)
        return payment.status


def _into_ledger(payment: CardPayment, amount_pence: int, *, reason: str, actor) -> int:
    """Put a refund back into the budget ledger, against the invoice's visits, latest first; returns what went in
    (a VAT part has no ledger spend to go back to)."""
    left = amount_pence
    lines = InvoiceLine.objects.filter(invoice=payment.invoice).select_related("visit", "visit__order",
                                                                                 "visit__order__budget")
    for line in lines.order_by("-on", "-id"):
        if left <= 0:
            break
        budget = line.visit.order.budget
        part = min(left, visit_refundable_pence(budget=budget, visit=line.visit))
        if part > 0:
            budget_refund(budget=budget, amount_pence=part, visit=line.visit, actor=actor,
                          reason=f"Card refund of invoice {payment.invoice.number}: {reason}")
            left -= part
    return amount_pence - left


def card_payment_refund(*, payment: CardPayment, amount_pence: int, reason: str, actor, token: str) -> Refund:
    """Refund part or all of a paid card payment, with a reason, by finance staff or the person's coordinator.
    Stripe first (idempotency key from the payment and the form's token, so sending the form twice refunds once),
    then the budget ledger, in one transaction."""
    reason = (reason or "").strip()
    if not may_refund(actor, payment):
        raise PaymentRefused("Only finance staff or the person's coordinator can refund a payment.")
    if not reason:
        raise PaymentRefused("Give the reason for the refund.", field="reason")
    if not isinstance(amount_pence, int) or amount_pence <= 0:
        raise PaymentRefused("Enter an amount above £0.", field="amount_pence")
    key = f"refund-{payment.pk}-{token}"
    with transaction.atomic():
        payment = _locked_payment(session_id=payment.checkout_session_id, metadata={"card_payment_id": payment.pk})
        if payment.status != CardPaymentStatus.PAID:
            raise PaymentRefused("Only a paid card payment can be refunded.")
        if amount_pence > payment.refundable_pence:
            raise PaymentRefused(f"That is more than was paid and not yet refunded: at most "
                                 f"{format_pence(payment.refundable_pence)} can be refunded.", field="amount_pence")
        try:
            result = stripe_api.refund_create(payment_intent=payment.payment_intent_id, amount_pence=amount_pence,
                                              idempotency_key=key, metadata={"card_payment_id": str(payment.pk)})
        except stripe_api.StripeUnavailable:
            raise PaymentRefused("Stripe did not answer, so the refund may not have been made. Send the form again: "
                                 "it will not refund twice.") from None
        existing = Refund.objects.filter(stripe_id=result["id"]).first()
        if existing is not None:
            return existing  # the same form sent twice: Stripe answered with the refund it made the first time
        refund = Refund.objects.create(card_payment=payment, amount_pence=amount_pence, reason=reason,
                                       stripe_id=result["id"], stripe_status=result.get("status", ""), actor=actor)
        payment.refunded_pence += amount_pence
        payment.save(update_fields=["refunded_pence"])
        refund.to_budget_pence = _into_ledger(payment, amount_pence, reason=reason, actor=actor)
        refund.save(update_fields=["to_budget_pence"])
        audit_record(action="payments.refunded", actor=actor, on_behalf_of=payment.person, target=refund,
                     summary=f"{format_pence(amount_pence)} of invoice {payment.invoice.number} refunded: {reason}",
                     data={"stripe_id": refund.stripe_id, "to_budget_pence": refund.to_budget_pence})
    return refund


def charge_refunded(charge: dict, *, event: dict) -> str:
    """`charge.refunded`: our refunds' final status; a refund made in Stripe's dashboard (not through us) is recorded
    too, with nothing put back in the ledger, so the reconciliation shows it as not matching."""
    with transaction.atomic():
        payment = _locked_payment(metadata=charge.get("metadata"), payment_intent=charge.get("payment_intent"))
        if payment is None:
            return "unknown payment"
        for data in (charge.get("refunds") or {}).get("data") or []:
            known = Refund.objects.filter(stripe_id=data["id"]).first()
            if known is not None:
                if known.stripe_status != data.get("status"):
                    known.stripe_status = data.get("status", "")
                    known.save(update_fields=["stripe_status"])
                continue
            amount = min(int(data["amount"]), payment.amount_pence - payment.refunded_pence)
            if amount <= 0:
                continue
            Refund.objects.create(card_payment=payment, amount_pence=amount, stripe_id=data["id"],
                                  stripe_status=data.get("status", ""), reason="Refunded in Stripe's dashboard")
            payment.refunded_pence += amount
            payment.save(update_fields=["refunded_pence"])
        return "recorded"


def charge_disputed(dispute: dict, *, event: dict) -> str:
    """`charge.dispute.created`: the card holder disputes the payment; finance staff are told at once."""
    with transaction.atomic():
        payment = _locked_payment(payment_intent=dispute.get("payment_intent"))
        if payment is None:
            return "unknown payment"
        if not payment.disputed:
            payment.disputed = True
            payment.save(update_fields=["disputed"])
            _tell_finance(f"A card payment of invoice {payment.invoice.number} is disputed",
                          f"The card holder disputes card payment {payment.pk} ({format_pence(payment.amount_pence)}),"
                          f" reason: {dispute.get('reason', 'not given')}. Answer it in Stripe's dashboard.",
                          key=f"dispute:{dispute.get('id')}")
        return "recorded"
