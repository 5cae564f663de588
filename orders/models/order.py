"""Orders and their visits, each with its status and the append-only record of every change of it."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from market.accounts.models import FundingRoute

from .budgets import Budget


class OrderKind(models.TextChoices):
    ONE_OFF = "one_off", "One visit"
    WEEKLY = "weekly", "A weekly arrangement"
    BLOCK = "block", "A block of hours to use as needed"


class OrderStatus(models.TextChoices):
    PLACED = "placed", "Waiting for the provider"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined by the provider"
    CHANGES_PROPOSED = "changes_proposed", "Provider proposed a change"
    ACTIVE = "active", "Under way"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    DISPUTED = "disputed", "A visit is disputed"


WEEKDAYS = [(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday"), (5, "Saturday"),
            (6, "Sunday")]


class Order(models.Model):
    """Support bought from one service against one budget: one visit, or a weekly arrangement.

    The price is a snapshot taken from the service when the order is placed (never from the form).
    The status only changes through `orders.services` and the table in `orders.transitions`.
    """

    holder = models.ForeignKey("accounts.Person", on_delete=models.PROTECT, related_name="orders")
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="orders")
    funding_route = models.CharField(
        max_length=32, choices=FundingRoute.choices, help_text="Copied from the budget: how it will be paid."
    )
    service = models.ForeignKey("providers.Service", on_delete=models.PROTECT, related_name="orders")
    # No index of its own: order_provider_status (provider, status) serves every lookup by provider.
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="orders",
                                 db_index=False)
    kind = models.CharField(max_length=10, choices=OrderKind.choices)
    status = models.CharField(max_length=20, choices=OrderStatus.choices, default=OrderStatus.PLACED)
    first_visit_on = models.DateField()
    last_visit_on = models.DateField()
    weekdays = ArrayField(models.PositiveSmallIntegerField(choices=WEEKDAYS), default=list, blank=True)
    visit_starts_at = models.TimeField(help_text="Local time each visit starts.")
    duration_minutes = models.PositiveIntegerField()
    items_per_visit = models.PositiveSmallIntegerField(default=1)
    unit = models.CharField(max_length=12)
    unit_price_pence = models.PositiveBigIntegerField()
    visit_count = models.PositiveIntegerField(help_text="Visits booked in advance (none for a block of hours).")
    block_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="A block of hours: the minutes bought, used as the provider records visits."
    )
    total_pence = models.PositiveBigIntegerField()
    notes = models.TextField(blank=True, max_length=2000, help_text="Anything the provider should know.")
    pays_household_relative = models.BooleanField(default=False)
    idempotency_key = models.UUIDField(unique=True)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_as = models.CharField(max_length=12, help_text="The capacity they acted in (self, supporter...).")
    proposed_unit_price_pence = models.PositiveBigIntegerField(null=True, blank=True)
    proposed_first_visit_on = models.DateField(null=True, blank=True)
    proposed_visit_starts_at = models.TimeField(null=True, blank=True)
    proposal_note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    provider_told_at = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="When the provider was emailed about the new order (by a task after placing; sent once).",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["provider", "status"], name="order_provider_status"),
            # The outbox of new-order emails (orders.notifications.new_orders_tell_providers): small, as it only
            # holds orders whose provider has not been told yet.
            models.Index(fields=["created_at"], name="order_provider_untold",
                         condition=Q(provider_told_at__isnull=True)),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values), name="order_status_known"),
            models.CheckConstraint(condition=Q(kind__in=OrderKind.values), name="order_kind_known"),
            models.CheckConstraint(
                condition=Q(last_visit_on__gte=models.F("first_visit_on")), name="order_last_after_first"
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=720), name="order_duration_sane"
            ),
            models.CheckConstraint(condition=Q(visit_count__gte=1) | Q(kind="block"), name="order_has_visits"),
            models.CheckConstraint(
                condition=(Q(kind="block") & Q(block_minutes__gte=60) & Q(visit_count=0))
                | (~Q(kind="block") & Q(block_minutes__isnull=True)),
                name="order_block_has_minutes",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["weekly", "block"])
                | (Q(visit_count=1) & Q(last_visit_on=models.F("first_visit_on"))),
                name="order_one_off_is_one_visit",
            ),
            models.CheckConstraint(
                condition=~Q(kind="weekly") | Q(weekdays__len__gt=0), name="order_weekly_has_days"
            ),
        ]

    def __str__(self):
        return f"Order {self.pk}: {self.service} for {self.holder}"

    @property
    def reference(self) -> str:
        return f"ORD-{self.pk:06d}"

    @property
    def weekday_names(self) -> list[str]:
        names = dict(WEEKDAYS)
        return [names[day] for day in sorted(self.weekdays)]


class OrderTransition(models.Model):
    """Every change of an order's status: who, acting for whom and in what capacity, when, and why.
    Append-only (a database trigger refuses updates and deletes); written only by the SQL function
    orders_order_transition_record (orders/sql/transitions.sql), which order placement calls too."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="transitions")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        "accounts.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    capacity = models.CharField(max_length=12)
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.order_id}: {self.from_status or 'new'} -> {self.to_status}"


class VisitStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Booked"
    DELIVERED = "delivered", "Waiting for confirmation"
    CONFIRMED = "confirmed", "Confirmed"
    DISPUTED = "disputed", "Disputed"
    NOT_PAID = "not_paid", "Dispute upheld: not paid"
    CANCELLED = "cancelled", "Cancelled"


class Visit(models.Model):
    """One occurrence of an accepted order: booked, then recorded by the provider, then confirmed (or
    disputed) by the holder's side. Confirming turns the visit's reserved money into spend.

    The status only changes through `orders.services` and the visit table in `orders.transitions`, each change
    recorded as a VisitTransition."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="visits")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    cost_pence = models.PositiveBigIntegerField()
    status = models.CharField(max_length=12, choices=VisitStatus.choices, default=VisitStatus.SCHEDULED)
    actual_starts_at = models.DateTimeField(null=True, blank=True)
    actual_ends_at = models.DateTimeField(null=True, blank=True)
    delivery_notes = models.TextField(blank=True, max_length=2000)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    delivered_at = models.DateTimeField(null=True, blank=True)
    confirm_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    confirmed_automatically = models.BooleanField(default=False)
    dispute_reason = models.TextField(blank=True, max_length=2000)
    resolution_note = models.TextField(blank=True, max_length=2000)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="visit_ends_after_start"),
            models.CheckConstraint(condition=Q(status__in=VisitStatus.values), name="visit_status_known"),
            models.CheckConstraint(
                condition=Q(status__in=["scheduled", "cancelled"])
                | (Q(actual_starts_at__isnull=False) & Q(actual_ends_at__gt=models.F("actual_starts_at"))),
                name="visit_delivery_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(status="delivered") | Q(confirm_due_at__isnull=False),
                name="visit_delivered_has_due_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="disputed") | ~Q(dispute_reason=""), name="visit_dispute_has_reason"
            ),
        ]

    def __str__(self):
        return f"Visit {self.pk} on {self.starts_at:%Y-%m-%d %H:%M}"


class VisitTransition(models.Model):
    """Every change of a visit's status (its booking included, from ""): who, acting for whom and in what capacity,
    when, and why. Append-only (a database trigger refuses updates and deletes); written only by the SQL function
    orders_visit_transitions_record (orders/sql/transitions.sql), as order transitions are."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="transitions")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        "accounts.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    capacity = models.CharField(max_length=12)
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"visit {self.visit_id}: {self.from_status or 'new'} -> {self.to_status}"
