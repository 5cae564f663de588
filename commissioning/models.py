"""What commissioners set to shape the market: the reference (fair) hourly rate for each kind of support."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ReferenceRate(models.Model):
    """The hourly rate the council considers fair for a kind of support, shown beside the local price spread.
    One per category; changing it is audited (commissioning.services.reference_rate_set)."""

    category = models.OneToOneField("taxonomy.Category", on_delete=models.CASCADE, related_name="reference_rate")
    hourly_pence = models.PositiveBigIntegerField(help_text="In pence per hour.")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        ordering = ["category__sort_order", "category__name"]
        constraints = [models.CheckConstraint(condition=Q(hourly_pence__gt=0), name="reference_rate_positive")]

    def __str__(self):
        return f"{self.category}: {self.hourly_pence}p an hour"
