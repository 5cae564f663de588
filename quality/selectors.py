"""What commissioners see of the quality flags."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from .models import FlagStatus, QualityFlag


def flags_unresolved() -> QuerySet[QualityFlag]:
    return (QualityFlag.objects.exclude(status=FlagStatus.RESOLVED).select_related("provider", "decided_by")
            .order_by("status", "-raised_at", "-id"))


def flags_resolved(limit: int = 30) -> list[QualityFlag]:
    return list(QualityFlag.objects.filter(status=FlagStatus.RESOLVED).select_related("provider", "decided_by")
                .order_by("-decided_at", "-id")[:limit])


def flag_get(flag_id: int) -> QualityFlag | None:
    return QualityFlag.objects.select_related("provider").filter(pk=flag_id).first()


def flag_counts() -> dict[str, int]:
    counts = {status: 0 for status in FlagStatus.values}
    counts.update(dict(QualityFlag.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n")))
    return counts
