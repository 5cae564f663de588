"""Payments: providers' connected accounts, card payments of invoices, refunds, transfers to providers, and Stripe's
webhook events as received. Money is integer pence. Stripe ids are stored with the fields we filter on; the rest of a
Stripe object is kept as JSON (`raw`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class AccountStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    PENDING = "pending", "Pending: Stripe is waiting for your details"
    RESTRICTED = "restricted", "Restricted: Stripe needs more information"
    ACTIVE = "active", "Active: you are paid by transfer"


class ConnectedAccount(models.Model):
    """A provider's Stripe Express account. Its status comes from `account.updated` webhooks only."""

    provider = models.OneToOneField("providers.Provider", on_delete=models.PROTECT, related_name="stripe_account")
    stripe_id = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=12, choices=AccountStatus.choices, default=AccountStatus.PENDING)
    requirements = models.JSONField(default=list, blank=True, help_text="What Stripe still needs (field names).")
    disabled_reason = models.CharField(max_length=100, blank=True)
    last_event_created = models.BigIntegerField(
        default=0, help_text="When the last account.updated applied was created (Unix time): older ones are ignored.")
    payout_failure = models.CharField(max_length=300, blank=True, help_text="The last failed payout, if any.")
    raw = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.stripe_id} ({self.get_status_display()})"


class CardPaymentStatus(models.TextChoices):
    OPEN = "open", "Waiting for the card payment"
    PROCESSING = "processing", "Processing (the bank has not confirmed yet)"
    PAID = "paid", "Paid"
    FAILED = "failed", "Failed"


#: How far each status has got: a status only moves forward, so an event that arrives late changes nothing.
CARD_PAYMENT_ORDER = {CardPaymentStatus.OPEN: 0, CardPaymentStatus.PROCESSING: 1, CardPaymentStatus.FAILED: 2,
                      CardPaymentStatus.PAID: 3}


class CardPayment(models.Model):
    """One attempt to pay an invoice by card through Stripe Checkout. Paid only when a webhook says so."""

    invoice = models.ForeignKey("invoicing.Invoice", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("accounts.Person", on_delete=models.PROTECT, related_name="+")
    amount_pence = models.PositiveBigIntegerField()
    status = models.CharField(max_length=12, choices=CardPaymentStatus.choices, default=CardPaymentStatus.OPEN)
    checkout_session_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    checkout_url = models.URLField(max_length=2000, blank=True)
    payment_intent_id = models.CharField(max_length=100, blank=True, db_index=True)
    refunded_pence = models.PositiveBigIntegerField(default=0)
    disputed = models.BooleanField(default=False)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(refunded_pence__lte=models.F("amount_pence")),
                                   name="card_payment_refund_within_amount"),
        ]

    def __str__(self):
        return f"Card payment {self.pk} of invoice {self.invoice_id}"

    @property
    def refundable_pence(self) -> int:
        return self.amount_pence - self.refunded_pence if self.status == CardPaymentStatus.PAID else 0


class Refund(models.Model):
    card_payment = models.ForeignKey(CardPayment, on_delete=models.PROTECT, related_name="refunds")
    amount_pence = models.PositiveBigIntegerField()
    reason = models.CharField(max_length=300)
    stripe_id = models.CharField(max_length=100, unique=True)
    stripe_status = models.CharField(max_length=30)
    to_budget_pence = models.PositiveBigIntegerField(default=0, help_text="What went back into the budget ledger.")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount_pence__gt=0), name="refund_amount_positive")]

    def __str__(self):
        return f"Refund {self.stripe_id}: {self.amount_pence}p"


class TransferStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for the provider's Stripe account"
    DUE = "due", "Due to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed: needs a look"
    REVERSED = "reversed", "Reversed"


class Transfer(models.Model):
    """The provider's share of one paid invoice, sent to its connected account once (one row per invoice; the
    idempotency key is made from the invoice's id)."""

    invoice = models.OneToOneField("invoicing.Invoice", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="+")
    amount_pence = models.PositiveBigIntegerField(help_text="What the provider gets: the invoice less the fee.")
    fee_pence = models.PositiveBigIntegerField(default=0, help_text="The platform's fee.")
    status = models.CharField(max_length=10, choices=TransferStatus.choices)
    stripe_id = models.CharField(max_length=100, blank=True)
    reversed_pence = models.PositiveBigIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    due_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "due_at"], name="transfer_status_due_idx")]

    def __str__(self):
        return f"Transfer for invoice {self.invoice_id}: {self.amount_pence}p ({self.status})"

    @property
    def idempotency_key(self) -> str:
        return f"transfer-invoice-{self.invoice_id}"

    @property
    def transfer_group(self) -> str:
        return f"invoice-{self.invoice_id}"


class Endpoint(models.TextChoices):
    PLATFORM = "platform", "Platform"
    CONNECT = "connect", "Connect"


class EventStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    PROCESSED = "processed", "Processed"
    IGNORED = "ignored", "Not one we act on"
    FAILED = "failed", "Failed"


class WebhookEvent(models.Model):
    """A Stripe event as received: stored raw first (unique by event id, so it is processed once), then processed by
    a task. A failure keeps its traceback, for staff to replay."""

    event_id = models.CharField(max_length=100, unique=True)
    endpoint = models.CharField(max_length=10, choices=Endpoint.choices)
    type = models.CharField(max_length=100)
    livemode = models.BooleanField(default=False)
    account = models.CharField(max_length=100, blank=True, help_text="The connected account, for Connect events.")
    created = models.BigIntegerField(help_text="When Stripe created the event (Unix time).")
    body = models.TextField(help_text="The raw request body, as signed.")
    status = models.CharField(max_length=10, choices=EventStatus.choices, default=EventStatus.RECEIVED)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "received_at"], name="webhook_status_idx")]

    def __str__(self):
        return f"{self.type} {self.event_id} ({self.status})"
