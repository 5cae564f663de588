"""Households (people who may share support) and shared bookings: one booking split between two people's budgets
as two orders, each carrying its share of the cost (docs/adr/0010-households.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from .order import Order


class Household(models.Model):
    """People who live together and may share support (two adult sons sharing a support worker's hours). Recorded
    by a coordinator working with each of them."""

    name = models.CharField(max_length=150, help_text="How the family is known, e.g. 'The Okafor household'.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.name


class HouseholdMember(models.Model):
    """A person in a household; a person is in one household at most."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    person = models.OneToOneField("accounts.Person", on_delete=models.PROTECT, related_name="household_membership")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.person} in {self.household}"


class SharedBooking(models.Model):
    """One booking shared by two people of a household: two orders of the same service and times, one against each
    person's budget, each carrying its share of the cost. Placed, answered, cancelled and recorded together."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="shared_bookings")
    first_order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="shared_as_first")
    second_order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="shared_as_second")
    first_percent = models.PositiveSmallIntegerField(help_text="The first person's share, in whole percent.")
    idempotency_key = models.UUIDField(unique=True)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(first_percent__gte=1, first_percent__lte=99),
                                   name="shared_booking_share_between"),
            models.CheckConstraint(condition=~Q(first_order=F("second_order")), name="shared_booking_two_orders"),
        ]

    def __str__(self):
        return f"Shared booking {self.pk}: orders {self.first_order_id} and {self.second_order_id}"

    @property
    def second_percent(self) -> int:
        return 100 - self.first_percent

    @property
    def orders(self) -> list[Order]:
        return [self.first_order, self.second_order]

    def partner_of(self, order: Order) -> Order:
        return self.second_order if order.pk == self.first_order_id else self.first_order
