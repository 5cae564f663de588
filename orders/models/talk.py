"""Messages on an order, reviews of providers, and concerns about them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .order import Order, Visit


class OrderMessage(models.Model):
    """A message on an order between the holder's side and the provider. Both sides already have each
    other's contact details once they have an order together; this keeps the conversation with the order."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_side = models.CharField(max_length=10, choices=[("holder", "Holder's side"), ("provider", "Provider")])
    body = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="order_message_not_empty")]

    def __str__(self):
        return f"Message on order {self.order_id} by {self.author}"


class Review(models.Model):
    """A rating and review of a completed order. The provider may reply once; a commissioner may hide it
    with a reason (it stays in the database, hidden from the storefront)."""

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="review")
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on_behalf_of = models.ForeignKey("accounts.Person", on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField()
    body = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    reply = models.TextField(max_length=2000, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hidden_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"),
            models.CheckConstraint(
                condition=(Q(replied_at__isnull=True) & Q(reply="")) | (Q(replied_at__isnull=False) & ~Q(reply="")),
                name="review_reply_has_time",
            ),
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""), name="review_hidden_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.rating}/5 for {self.provider}"


class ConcernStatus(models.TextChoices):
    OPEN = "open", "Waiting to be looked at"
    IN_HAND = "in_hand", "Being looked into"
    CLOSED = "closed", "Closed"


class Concern(models.Model):
    """Anyone signed in may raise a concern about a provider or a visit. A safeguarding concern is urgent:
    it goes to the top of the commissioners' queue at once (Care Act 2014, section 42)."""

    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="concerns")
    visit = models.ForeignKey(Visit, null=True, blank=True, on_delete=models.PROTECT, related_name="concerns")
    is_safeguarding = models.BooleanField(default=False)
    body = models.TextField(max_length=4000)
    status = models.CharField(max_length=8, choices=ConcernStatus.choices, default=ConcernStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_safeguarding", "created_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="concern_not_empty")]

    def __str__(self):
        return f"{'Safeguarding c' if self.is_safeguarding else 'C'}oncern about {self.provider}"
