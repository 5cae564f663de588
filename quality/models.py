"""A quality flag: something about a provider a commissioner should look at, with the evidence, raised by the nightly
quality checks (quality/rules.py) and worked through (open, acknowledged, resolved with a note)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class FlagKind(models.TextChoices):
    PRICE_FAR_FROM_MEDIAN = "price", "Prices far from the local median"
    MANY_DECLINES = "declines", "Declines many orders"
    SLOW_ANSWERS = "slow", "Slow to answer orders"
    DISPUTED_VISITS = "disputes", "Visits often disputed"
    LOW_RATINGS = "ratings", "Low ratings"
    CONCERNS = "concerns", "Concerns raised"
    CQC_UNVERIFIED = "cqc", "Personal care without a verified CQC registration"


class FlagStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


class QualityFlag(models.Model):
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="quality_flags")
    kind = models.CharField(max_length=12, choices=FlagKind.choices)
    summary = models.CharField(max_length=300)
    evidence = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    raised_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, help_text="What was found or done (required to resolve).")

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            # The same flag is not raised twice while one is open or acknowledged.
            models.UniqueConstraint(
                fields=["provider", "kind"], condition=~Q(status="resolved"), name="quality_flag_one_unresolved"
            ),
        ]
        indexes = [models.Index(fields=["status", "-raised_at"], name="quality_flag_status_idx")]

    def __str__(self):
        return f"{self.provider}: {self.get_kind_display()} ({self.get_status_display()})"
