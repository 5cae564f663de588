"""Invoices: one per provider per payer per run, for confirmed visits not invoiced before. Integer pence. Numbers are
gapless and sequential per provider and year (JOS-2026-0007). Corrections are credit notes, never edits."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from providers.storage import private_storage


class Payer(models.TextChoices):
    COUNCIL = "council", "The council"
    PERSON = "person", "The person"


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", "Invoice"
    CREDIT_NOTE = "credit_note", "Credit note"


class InvoiceStatus(models.TextChoices):
    ISSUED = "issued", "Issued"
    PAID = "paid", "Paid"
    CREDITED = "credited", "Credited"


class InvoiceSequence(models.Model):
    """The last number used by a provider in a year; locked while a number is taken, so numbers have no gaps."""

    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "year"], name="invoice_sequence_provider_year")]

    def __str__(self):
        return f"{self.provider_id}/{self.year}: {self.last_number}"


def invoice_pdf_upload_to(invoice: Invoice, filename: str) -> str:
    return f"invoices/{invoice.provider_id}/{invoice.number}.pdf"


class Invoice(models.Model):
    number = models.CharField(max_length=40, unique=True)
    kind = models.CharField(max_length=12, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="invoices")
    payer = models.CharField(max_length=8, choices=Payer.choices)
    person = models.ForeignKey("accounts.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="invoices",
                               help_text="For a person payer: who pays (empty for the council).")
    funding_route = models.CharField(max_length=32)
    period_start = models.DateField()
    period_end = models.DateField()
    issued_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField()
    vat_rate_percent = models.PositiveSmallIntegerField(default=0)
    subtotal_pence = models.BigIntegerField()
    vat_pence = models.BigIntegerField(default=0)
    total_pence = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.ISSUED)
    paid_on = models.DateField(null=True, blank=True)
    payment_reference = models.CharField(max_length=100, blank=True)
    credits = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="credit_note", help_text="For a credit note: the invoice it cancels.")
    reason = models.CharField(max_length=300, blank=True, help_text="For a credit note: why.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    pdf = models.FileField(upload_to=invoice_pdf_upload_to, storage=private_storage, max_length=200, blank=True,
                           help_text="The invoice as a PDF, made once by the worker; private (no public URL).")

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["provider", "-issued_at"], name="invoice_provider_idx"),
                   models.Index(fields=["status", "due_on"], name="invoice_status_due_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(total_pence=models.F("subtotal_pence") + models.F("vat_pence")),
                                   name="invoice_total_adds_up"),
            models.CheckConstraint(condition=Q(kind="invoice") | Q(credits__isnull=False),
                                   name="invoice_credit_note_credits_one"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    @property
    def is_overdue(self) -> bool:
        return (self.kind == InvoiceKind.INVOICE and self.status == InvoiceStatus.ISSUED
                and self.due_on < timezone.localdate())


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    visit = models.ForeignKey("orders.Visit", on_delete=models.PROTECT, related_name="+")
    on = models.DateField()
    person_name = models.CharField(max_length=200, help_text="Whose visit it was.")
    description = models.CharField(max_length=200)
    minutes = models.PositiveIntegerField()
    unit = models.CharField(max_length=12)
    unit_price_pence = models.BigIntegerField()
    amount_pence = models.BigIntegerField()

    class Meta:
        ordering = ["on", "id"]

    def __str__(self):
        return f"{self.on} {self.description}: {self.amount_pence}p"

    @property
    def unit_label(self) -> str:
        return self.unit.replace("_", " ")


class InvoicedVisit(models.Model):
    """A visit on a live invoice: at most one (the primary key). A credit note removes its visits' rows, so they can
    be invoiced again, corrected."""

    visit = models.OneToOneField("orders.Visit", primary_key=True, on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="+")

    def __str__(self):
        return f"visit {self.visit_id} on invoice {self.invoice_id}"
