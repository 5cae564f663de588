"""Invoicing in the worker: at each month's start for the month before (beat), and on demand by finance staff."""

from __future__ import annotations

import datetime

from django.utils import timezone

from market.accounts.models import User
from market.core.background import background_task
from market.core.runs import recorded, task_run

from .services import invoice_pdfs_make, invoices_overdue_remind, invoicing_run


def previous_month(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    end = today.replace(day=1) - datetime.timedelta(days=1)
    return end.replace(day=1), end


# A period can be long to invoice: more time than the default 5 minutes, still inside the broker's visibility
# timeout (an hour), so a running invoicing is never handed to a second worker.
@background_task(name="invoicing.tasks.invoice_period", time_limit=50 * 60, soft_time_limit=45 * 60)
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


@background_task(name="invoicing.tasks.remind_overdue")
@recorded
def remind_overdue() -> int:
    """Daily: remind payers of invoices unpaid past their terms (once each)."""
    return invoices_overdue_remind()


@background_task(name="invoicing.tasks.make_pdfs", frequent=True)
@recorded
def make_pdfs() -> int:
    """Every 30 seconds: make the PDF of each new invoice and credit note (each claimed with SKIP LOCKED)."""
    return invoice_pdfs_make()
