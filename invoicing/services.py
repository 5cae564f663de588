"""Invoicing a period, crediting an invoice, recording a payment. Money is integer pence."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail import hooks

from market.accounts.models import FundingRoute, Role
from market.accounts.permissions import require_role
from market.core.audit import audit_record
from market.outbox.services import outbox_enqueue
from orders.money import format_pence
from orders.selectors import shares_of_orders
from providers.models import Provider

from .documents import invoice_pdf_bytes
from .exceptions import InvoicingRefused
from .models import Invoice, InvoicedVisit, InvoiceKind, InvoiceLine, InvoiceSequence, InvoiceStatus, Payer
from .selectors import uninvoiced_groups, uninvoiced_visits

FINANCE_ROLES = (Role.FINANCE, Role.PLATFORM_ADMIN)
#: Who pays, by funding route: the council for the budgets it holds, the person for their own money.
PAYER_BY_ROUTE = {
    FundingRoute.COUNCIL_MANAGED: Payer.COUNCIL,
    FundingRoute.INDIVIDUAL_SERVICE_FUND: Payer.COUNCIL,
    FundingRoute.DIRECT_PAYMENT: Payer.PERSON,
    FundingRoute.SELF_FUNDED: Payer.PERSON,
}


def _next_number(provider: Provider, year: int) -> str:
    """The provider's next number for the year, taken under a row lock in the caller's transaction: if the
    transaction rolls back, so does the number, so there are never gaps."""
    sequence, _ = InvoiceSequence.objects.get_or_create(provider=provider, year=year)
    sequence = InvoiceSequence.objects.select_for_update().get(pk=sequence.pk)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{provider.slug[:3].upper()}{provider.pk}-{year}-{sequence.last_number:04d}"


def _vat(provider: Provider, subtotal: int) -> tuple[int, int]:
    if not provider.vat_number:
        return 0, 0
    rate = settings.VAT_RATE_PERCENT
    return rate, (subtotal * rate + 50) // 100  # half up, whole pence


def _tell(invoice: Invoice, subject: str, body: str, *, key: str, with_pdf: bool = False) -> None:
    person = invoice.person
    payer_addresses = ([settings.COUNCIL_FINANCE_EMAIL] if invoice.payer == Payer.COUNCIL
                       else [person.user.email] if person is not None and person.user_id else [])
    provider_addresses = [invoice.provider.email]
    attachment = {"attachment": invoice.pdf.name, "attachment_filename": f"{invoice.number}.pdf"} if with_pdf else {}
    outbox_enqueue(to=[*payer_addresses, *provider_addresses], subject=f"[{settings.SITE_NAME}] {subject}",
                   body=body, key=key, **attachment)


def _tell_issued(invoice: Invoice) -> None:
    """The payer and the provider get the invoice or credit note, its PDF attached, once it is made."""
    total = format_pence(abs(invoice.total_pence))
    if invoice.kind == InvoiceKind.CREDIT_NOTE:
        credited = invoice.credits
        subject = f"Credit note {invoice.number} cancels invoice {credited.number}"
        body = (f"Credit note {invoice.number} from {invoice.provider} cancels invoice {credited.number} ({total}). "
                f"Reason: {invoice.reason}")
    else:
        subject = f"Invoice {invoice.number} from {invoice.provider}"
        body = (f"Invoice {invoice.number} from {invoice.provider}: {invoice.lines.count()} visit(s) between "
                f"{invoice.period_start:%-d %B} and {invoice.period_end:%-d %B %Y}, {total}, due by "
                f"{invoice.due_on:%-d %B %Y}.")
    _tell(invoice, subject, f"{body}\n\nThe {invoice.get_kind_display().lower()} is attached as a PDF.",
          key=f"invoice:{invoice.number}:issued", with_pdf=True)


@dataclass
class RunResult:
    invoices: int = 0
    visits: int = 0
    skipped_groups: int = 0


def invoicing_run(*, period_start: datetime.date, period_end: datetime.date, actor=None, progress=None) -> RunResult:
    """One invoice per provider per payer (the council, or the person) for the confirmed visits in the period not
    invoiced before. Each invoice is its own transaction; a visit can be on one live invoice only (a primary key),
    so running twice, or two runs at once, creates nothing twice. `progress(done, total)` is told as it goes."""
    if period_end < period_start:
        raise InvoicingRefused("The period must end on or after its first day.", field="period_end")
    groups = uninvoiced_groups(period_start=period_start, period_end=period_end)
    result = RunResult()
    for done, group in enumerate(groups, start=1):
        try:
            with transaction.atomic():
                invoice = _invoice_group(group, period_start=period_start, period_end=period_end, actor=actor)
        except IntegrityError:
            result.skipped_groups += 1  # another run invoiced these visits first
            invoice = None
        if invoice is not None:
            result.invoices += 1
            result.visits += invoice.line_count
        if progress is not None:
            progress(done, len(groups))
    return result


def _invoice_group(group, *, period_start, period_end, actor) -> Invoice | None:
    provider = Provider.objects.get(pk=group.provider_id)
    visits = uninvoiced_visits(group, period_start=period_start, period_end=period_end)
    if not visits:
        return None
    subtotal = sum(visit.cost_pence for visit in visits)
    rate, vat = _vat(provider, subtotal)
    today = timezone.localdate()
    invoice = Invoice.objects.create(
        number=_next_number(provider, today.year), provider=provider, payer=PAYER_BY_ROUTE[group.funding_route],
        person_id=group.person_id, funding_route=group.funding_route, period_start=period_start,
        period_end=period_end, due_on=today + datetime.timedelta(days=settings.INVOICE_TERMS_DAYS),
        vat_rate_percent=rate, subtotal_pence=subtotal, vat_pence=vat, total_pence=subtotal + vat, created_by=actor,
    )
    shares = shares_of_orders({visit.order_id for visit in visits})
    InvoiceLine.objects.bulk_create(InvoiceLine(
        invoice=invoice, visit=visit, on=timezone.localtime(visit.starts_at).date(),
        person_name=visit.order.holder.display_name, description=_line_description(visit.order, shares),
        minutes=visit.order.duration_minutes, unit=visit.order.unit, unit_price_pence=visit.order.unit_price_pence,
        amount_pence=visit.cost_pence) for visit in visits)
    InvoicedVisit.objects.bulk_create(InvoicedVisit(visit=visit, invoice=invoice) for visit in visits)
    invoice.line_count = len(visits)
    audit_record(action="invoice.issued", actor=actor, target=invoice, summary=f"Invoice {invoice.number} issued",
                 data={"total_pence": invoice.total_pence, "visits": len(visits)})
    return invoice  # the payer and the provider are told once its PDF is made (_pdf_make)


def _line_description(order, shares) -> str:
    """What a line says it is for; a shared booking's line says with whom, and that its amount is this share."""
    share = shares.get(order.pk)
    if share is None:
        return str(order.service)
    return f"{order.service} (shared with {share.partner_name}: {share.percent}% of the cost)"


def invoice_credit(*, invoice: Invoice, actor, reason: str) -> Invoice:
    """Cancel an issued invoice with a credit note for its whole amount (never an edit). Its visits can then be
    invoiced again, corrected, by the next run."""
    require_role(actor, *FINANCE_ROLES)
    if not reason.strip():
        raise InvoicingRefused("Give the reason for the credit note.", field="reason")
    with transaction.atomic():
        invoices = Invoice.objects.select_for_update(of=("self",)).select_related("provider", "person")
        invoice = invoices.get(pk=invoice.pk)
        if invoice.kind != InvoiceKind.INVOICE or invoice.status != InvoiceStatus.ISSUED:
            raise InvoicingRefused(
                f"Only an unpaid invoice can be credited; this one is {invoice.get_status_display().lower()}.")
        note = Invoice.objects.create(
            number=_next_number(invoice.provider, timezone.localdate().year), kind=InvoiceKind.CREDIT_NOTE,
            provider=invoice.provider, payer=invoice.payer, person=invoice.person, funding_route=invoice.funding_route,
            period_start=invoice.period_start, period_end=invoice.period_end, due_on=timezone.localdate(),
            vat_rate_percent=invoice.vat_rate_percent, subtotal_pence=-invoice.subtotal_pence,
            vat_pence=-invoice.vat_pence, total_pence=-invoice.total_pence, credits=invoice, reason=reason.strip(),
            created_by=actor,
        )
        InvoiceLine.objects.bulk_create(InvoiceLine(
            invoice=note, visit_id=line.visit_id, on=line.on, person_name=line.person_name,
            description=line.description, minutes=line.minutes,
            unit=line.unit, unit_price_pence=line.unit_price_pence, amount_pence=-line.amount_pence)
            for line in invoice.lines.all())
        InvoicedVisit.objects.filter(invoice=invoice).delete()
        invoice.status = InvoiceStatus.CREDITED
        invoice.save(update_fields=["status"])
        audit_record(action="invoice.credited", actor=actor, target=invoice,
                     summary=f"Invoice {invoice.number} credited by {note.number}", data={"reason": note.reason})
    return note  # told with its PDF, as an invoice is


#: Areas above invoicing act on a paid invoice, in the payment's own transaction, by registering a function under
#: this Wagtail hook (payments makes the provider's transfer): invoicing names no area above it.
INVOICE_PAID_HOOK = "after_invoice_paid"


def invoice_record_payment(*, invoice: Invoice, actor, paid_on: datetime.date, reference: str = "") -> Invoice:
    """Finance staff record the payer's payment (the council's bank transfer, usually)."""
    require_role(actor, *FINANCE_ROLES)
    return invoice_settle(invoice=invoice, actor=actor, paid_on=paid_on, reference=reference)


def invoice_settle(*, invoice: Invoice, paid_on: datetime.date, reference: str = "", actor=None) -> Invoice:
    """Mark an issued invoice paid, once: by finance staff's record, or (actor None) by a card payment Stripe
    confirmed. The areas registered under INVOICE_PAID_HOOK act in the same transaction."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.kind != InvoiceKind.INVOICE or invoice.status != InvoiceStatus.ISSUED:
            raise InvoicingRefused(f"This invoice is {invoice.get_status_display().lower()}: no payment is due.")
        if paid_on > timezone.localdate():
            raise InvoicingRefused("The payment date cannot be in the future.", field="paid_on")
        invoice.status, invoice.paid_on, invoice.payment_reference = InvoiceStatus.PAID, paid_on, reference.strip()
        invoice.save(update_fields=["status", "paid_on", "payment_reference"])
        audit_record(action="invoice.paid", actor=actor, target=invoice, summary=f"Invoice {invoice.number} paid",
                     data={"paid_on": paid_on.isoformat(), "reference": invoice.payment_reference})
        for hook in hooks.get_hooks(INVOICE_PAID_HOOK):
            hook(invoice=invoice)
    return invoice


def invoices_overdue_remind(*, today: datetime.date | None = None) -> int:
    """Remind the payer of each invoice unpaid past its due date, once per invoice."""
    today = today or timezone.localdate()
    overdue = Invoice.objects.filter(kind=InvoiceKind.INVOICE, status=InvoiceStatus.ISSUED, due_on__lt=today)
    count = 0
    for invoice in overdue.select_related("provider", "person", "person__user"):
        _tell(invoice, f"Invoice {invoice.number} is overdue",
              f"Invoice {invoice.number} from {invoice.provider} ({format_pence(invoice.total_pence)}) was due by "
              f"{invoice.due_on:%-d %B %Y} and is not recorded as paid.", key=f"invoice-overdue:{invoice.number}",
              with_pdf=bool(invoice.pdf))
        count += 1
    return count


def _pdf_make(invoice: Invoice) -> None:
    """Render and store the invoice's PDF (the caller holds the invoice's row lock)."""
    name = invoice.pdf.field.generate_filename(invoice, "invoice.pdf")
    storage = invoice.pdf.storage
    if storage.exists(name):
        storage.delete(name)  # left by a run that died before its commit: the same invoice, rendered again
    invoice.pdf.save(name, ContentFile(invoice_pdf_bytes(invoice)), save=False)
    Invoice.objects.filter(pk=invoice.pk).update(pdf=invoice.pdf.name)
    _tell_issued(invoice)


def invoice_pdfs_make(*, limit: int = 100) -> int:
    """Make the PDF of each invoice and credit note that has none yet (the worker, every 30 seconds), each claimed
    with SKIP LOCKED in its own transaction, so several workers share the work and none is made twice. An invoice
    never changes once issued (corrections are credit notes), so its PDF is made once and kept."""
    made = 0
    for _ in range(limit):
        with transaction.atomic():
            invoice = (Invoice.objects.filter(pdf="").order_by("id").select_for_update(skip_locked=True, of=("self",))
                       .select_related("provider", "person", "credits").first())
            if invoice is None:
                break
            _pdf_make(invoice)
        made += 1
    return made


def invoice_pdf_ensure(*, invoice: Invoice) -> Invoice:
    """The invoice with its PDF, made now if the worker has not made it yet (someone is waiting to download it)."""
    if invoice.pdf:
        return invoice
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update(of=("self",)).select_related("provider", "person", "credits") \
            .get(pk=invoice.pk)
        if not invoice.pdf:
            _pdf_make(invoice)
    return invoice
