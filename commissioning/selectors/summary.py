"""How fresh the market view's summary is: built by commissioning.tasks.refresh_market_summary (beat, every
REFRESH_EVERY, and on demand from the page), its freshness is the start of the task's last finished run."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Max, Q
from django.utils import timezone

from market.core.models import TaskRun
from market.core.runs import lost_after

from ..freshness import LATE_AFTER, REFRESH_EVERY, SUMMARY_TABLES, SUMMARY_TASK


@dataclass(frozen=True)
class SummaryState:
    as_of: datetime.datetime | None  # the start of the last finished refresh: the figures are at least this fresh
    refreshing: bool  # a refresh is running now
    populated: bool  # the tables hold a summary at all (a redeployed SQL file empties them)
    late: bool
    every_minutes: int

    @property
    def built(self) -> bool:
        return self.populated and self.as_of is not None


def summary_state(*, now: datetime.datetime | None = None) -> SummaryState:
    """Two queries."""
    now = now or timezone.now()
    runs = TaskRun.objects.filter(task=SUMMARY_TASK).aggregate(
        as_of=Max("started_at", filter=Q(status=TaskRun.Status.FINISHED)),
        running=Count("pk", filter=Q(status=TaskRun.Status.RUNNING, started_at__gte=now - lost_after())),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FILTER (WHERE ispopulated) = %s FROM pg_matviews WHERE matviewname = ANY(%s)",
                       [len(SUMMARY_TABLES), list(SUMMARY_TABLES)])
        populated = bool(cursor.fetchone()[0])
    as_of = runs["as_of"]
    return SummaryState(as_of=as_of, refreshing=bool(runs["running"]), populated=populated,
                        late=as_of is not None and as_of < now - LATE_AFTER,
                        every_minutes=int(REFRESH_EVERY.total_seconds() // 60))
