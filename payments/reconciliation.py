"""The reconciliation for a period (a read): budget ledger spend, invoices, payments by the council and by card,
refunds, fees and transfers to each provider, lined up, and every item that does not match listed with why.

Each amount is counted on the day it happened: ledger spend on its visit's day, invoice lines on theirs, a payment
on the day it was paid, a refund or transfer on the day it was made. "Not yet invoiced" and "waiting for the
provider's account" are normal states, shown but not counted as unmatched.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils import timezone

from invoicing.models import Invoice, InvoicedVisit, InvoiceKind, InvoiceLine, InvoiceStatus
from orders.models import EntryKind, LedgerEntry

from .models import CardPayment, CardPaymentStatus, Refund, Transfer, TransferStatus


@dataclass
class ProviderLine:
    name: str
    invoiced_pence: int = 0
    paid_pence: int = 0
    fee_pence: int = 0
    transferred_pence: int = 0
    waiting_pence: int = 0


@dataclass(frozen=True)
class Unmatched:
    kind: str
    reference: str
    amount_pence: int
    note: str


@dataclass
class Reconciliation:
    start: datetime.date
    end: datetime.date
    ledger_spend_pence: int = 0
    ledger_refund_pence: int = 0
    invoiced_pence: int = 0
    not_yet_invoiced_pence: int = 0
    council_paid_pence: int = 0
    card_paid_pence: int = 0
    refunded_pence: int = 0
    fees_pence: int = 0
    transferred_pence: int = 0
    waiting_pence: int = 0
    providers: list[ProviderLine] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)

    @property
    def balances(self) -> bool:
        return not self.unmatched


def _bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    first = timezone.make_aware(datetime.datetime.combine(start, datetime.time()))
    return first, timezone.make_aware(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time()))


def reconciliation_for(*, start: datetime.date, end: datetime.date) -> Reconciliation:
    result = Reconciliation(start=start, end=end)
    since, until = _bounds(start, end)
    providers: dict[str, ProviderLine] = {}

    def line_for(name: str) -> ProviderLine:
        return providers.setdefault(name, ProviderLine(name=name))

    # Budget ledger spend, per visit, against the live invoices' lines for the same visits.
    entries = LedgerEntry.objects.filter(effective_on__range=(start, end))
    spend_by_visit: dict[int, int] = defaultdict(int)
    for visit_id, amount in entries.filter(kind=EntryKind.SPEND).values_list("visit_id", "amount_pence"):
        spend_by_visit[visit_id] += amount
    result.ledger_spend_pence = sum(spend_by_visit.values())
    refunds = entries.filter(kind=EntryKind.REFUND).aggregate(total=Sum("amount_pence"))
    result.ledger_refund_pence = refunds["total"] or 0
    live_lines = (InvoiceLine.objects.filter(on__range=(start, end), invoice__kind=InvoiceKind.INVOICE)
                  .exclude(invoice__status=InvoiceStatus.CREDITED).select_related("invoice", "invoice__provider"))
    invoiced_visits = set(InvoicedVisit.objects.filter(visit_id__in=list(spend_by_visit))
                          .values_list("visit_id", flat=True))
    for line in live_lines:
        result.invoiced_pence += line.amount_pence
        line_for(line.invoice.provider.name).invoiced_pence += line.amount_pence
        spent = spend_by_visit.get(line.visit_id, 0)
        if spent != line.amount_pence:
            result.unmatched.append(Unmatched("invoice line", line.invoice.number, line.amount_pence,
                                              f"Visit of {line.on:%-d %b %Y} invoiced at {line.amount_pence}p but "
                                              f"{spent}p was spent from the budget."))
    result.not_yet_invoiced_pence = sum(amount for visit, amount in spend_by_visit.items()
                                        if visit not in invoiced_visits)

    # Payments: invoices paid in the period, by the council or by card.
    card_paid = list(CardPayment.objects.filter(status=CardPaymentStatus.PAID, paid_at__gte=since, paid_at__lt=until)
                     .select_related("invoice"))
    card_invoices = {payment.invoice_id for payment in card_paid}
    result.card_paid_pence = sum(payment.amount_pence for payment in card_paid)
    paid_invoices = list(Invoice.objects.filter(kind=InvoiceKind.INVOICE, status=InvoiceStatus.PAID,
                                                paid_on__range=(start, end)).select_related("provider"))
    owed = Transfer.objects.filter(invoice__in=[invoice.pk for invoice in paid_invoices]).select_related("provider")
    transfers = {transfer.invoice_id: transfer for transfer in owed}
    for invoice in paid_invoices:
        line_for(invoice.provider.name).paid_pence += invoice.total_pence
        if invoice.pk not in card_invoices and not invoice.payment_reference.startswith("Card "):
            result.council_paid_pence += invoice.total_pence
        if invoice.total_pence > 0 and invoice.pk not in transfers:
            result.unmatched.append(Unmatched("transfer", invoice.number, invoice.total_pence,
                                              "Paid, but no transfer to the provider is recorded."))
    seen: set[int] = set()
    for payment in card_paid:
        reference = f"card payment {payment.pk} ({payment.invoice.number})"
        if payment.invoice_id in seen:
            result.unmatched.append(Unmatched("card payment", reference, payment.amount_pence,
                                              "The invoice was paid by card more than once: refund one."))
        elif payment.invoice.status != InvoiceStatus.PAID:
            result.unmatched.append(Unmatched("card payment", reference, payment.amount_pence,
                                              f"Paid by card, but the invoice is {payment.invoice.status}."))
        elif payment.amount_pence != payment.invoice.total_pence:
            result.unmatched.append(Unmatched("card payment", reference, payment.amount_pence,
                                              f"The invoice's total is {payment.invoice.total_pence}p."))
        seen.add(payment.invoice_id)
        if payment.disputed:
            result.unmatched.append(Unmatched("card payment", reference, payment.amount_pence,
                                              "Disputed by the card holder."))

    # Refunds made in the period, each against what went back into the budget ledger.
    for refund in Refund.objects.filter(created_at__gte=since, created_at__lt=until).select_related(
            "card_payment__invoice"):
        result.refunded_pence += refund.amount_pence
        invoice = refund.card_payment.invoice
        if refund.actor_id is None or (refund.to_budget_pence < refund.amount_pence and not invoice.vat_pence):
            result.unmatched.append(Unmatched("refund", f"{refund.stripe_id} ({invoice.number})", refund.amount_pence,
                                              f"{refund.reason}: {refund.to_budget_pence}p went back to the budget."))

    # Transfers to providers: sent in the period, and what still waits for invoices paid in it.
    for transfer in Transfer.objects.filter(sent_at__gte=since, sent_at__lt=until).select_related("provider",
                                                                                                  "invoice"):
        line = line_for(transfer.provider.name)
        line.transferred_pence += transfer.amount_pence - transfer.reversed_pence
        line.fee_pence += transfer.fee_pence
        result.transferred_pence += transfer.amount_pence - transfer.reversed_pence
        result.fees_pence += transfer.fee_pence
        if transfer.amount_pence + transfer.fee_pence != transfer.invoice.total_pence:
            result.unmatched.append(Unmatched("transfer", transfer.invoice.number, transfer.amount_pence,
                                              "The transfer and fee do not add up to the invoice's total."))
        if transfer.reversed_pence:
            result.unmatched.append(Unmatched("transfer", transfer.invoice.number, transfer.reversed_pence,
                                              "Reversed in Stripe."))
    for transfer in transfers.values():
        if transfer.status in (TransferStatus.WAITING, TransferStatus.DUE):
            line_for(transfer.provider.name).waiting_pence += transfer.amount_pence
            result.waiting_pence += transfer.amount_pence
        elif transfer.status == TransferStatus.FAILED:
            result.unmatched.append(Unmatched("transfer", f"invoice {transfer.invoice_id}", transfer.amount_pence,
                                              f"Failed: {transfer.last_error}"))
    result.providers = sorted(providers.values(), key=lambda line: line.name)
    return result


def reconciliation_csv(report: Reconciliation) -> str:
    """The same report as CSV: a summary, one row per provider, then every unmatched item. Amounts in pence."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "item", "amount_pence", "note"])
    for name in ("ledger_spend_pence", "ledger_refund_pence", "invoiced_pence", "not_yet_invoiced_pence",
                 "council_paid_pence", "card_paid_pence", "refunded_pence", "fees_pence", "transferred_pence",
                 "waiting_pence"):
        writer.writerow(["summary", name.removesuffix("_pence"), getattr(report, name), ""])
    for line in report.providers:
        for name in ("invoiced_pence", "paid_pence", "fee_pence", "transferred_pence", "waiting_pence"):
            writer.writerow(["provider", f"{line.name}: {name.removesuffix('_pence')}", getattr(line, name), ""])
    for item in report.unmatched:
        writer.writerow(["unmatched", f"{item.kind} {item.reference}", item.amount_pence, item.note])
    writer.writerow(["summary", "unmatched_items", len(report.unmatched), "balances" if report.balances else ""])
    return out.getvalue()
