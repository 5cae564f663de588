"""Invoicing in the worker: at each month's start for the month before (beat), and on demand by finance staff."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone

from market.accounts.models import User
from market.core.runs import recorded, task_run

from .services import invoices_overdue_remind, invoicing_run


def previous_month(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    end = today.replace(day=1) - datetime.timedelta(days=1)
    return end.replace(day=1), end


@shared_task(name="invoicing.tasks.invoice_period", ignore_result=True)
def invoice_period(period_start: str | None = None, period_end: str | None = None, actor_id: int | None = None) -> int:
    """Invoice a period (ISO dates; by default the previous month). Recorded as a run with live progress; safe to
    run again or twice at once (nothing is invoiced twice)."""
    if period_start is None or period_end is None:
        start, end = previous_month(timezone.localdate())
    else:
        start, end = datetime.date.fromisoformat(period_start), datetime.date.fromisoformat(period_end)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    with task_run("invoicing.tasks.invoice_period") as run:
        def progress(done: int, total: int) -> None:
            if done == 1:
                run.expect(total)
            run.done(1)

        result = invoicing_run(period_start=start, period_end=end, actor=actor, progress=progress)
    return result.invoices


@shared_task(name="invoicing.tasks.remind_overdue", ignore_result=True)
@recorded
def remind_overdue() -> int:
    """Daily: remind payers of invoices unpaid past their terms (once each)."""
    return invoices_overdue_remind()
