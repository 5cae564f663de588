"""What staff see of the background work: the outbox by status, the failed emails, the recent periodic runs."""

from __future__ import annotations

from django.db.models import Count

from market.core.models import TaskRun

from .models import Email, EmailStatus, Notice

FAILED_SHOWN = 50
RUNS_SHOWN = 30


def outbox_counts() -> dict[str, int]:
    counts = {status: 0 for status in EmailStatus.values}
    counts.update(dict(Email.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")))
    return counts


def emails_failed(limit: int = FAILED_SHOWN) -> list[Email]:
    return list(Email.objects.filter(status=EmailStatus.FAILED).order_by("-created_at", "-id")[:limit])


def emails_retrying(limit: int = FAILED_SHOWN) -> list[Email]:
    """Pending emails that have failed at least once: the mail server may be down."""
    return list(Email.objects.filter(status=EmailStatus.PENDING, attempts__gt=0).order_by("due_at", "id")[:limit])


def email_get(email_id: int) -> Email | None:
    return Email.objects.filter(pk=email_id).first()


def task_runs_recent(limit: int = RUNS_SHOWN, *, with_work_only: bool = True) -> list[TaskRun]:
    """The latest runs; by default leaving out the quiet ones (every-10-seconds runs that found nothing), but
    never a run still going or one that failed."""
    runs = TaskRun.objects.all()
    if with_work_only:
        runs = runs.exclude(status=TaskRun.Status.FINISHED, items_done=0, failures=0)
    return list(runs.order_by("-started_at", "-id")[:limit])


def task_runs_last_by_task() -> list[TaskRun]:
    """Each task's latest run, quiet or not: 'did it run at all lately?'."""
    return list(TaskRun.objects.order_by("task", "-started_at", "-id").distinct("task"))


def background_overview() -> dict:
    runs = task_runs_recent()
    return {
        "counts": outbox_counts(),
        "failed": emails_failed(),
        "retrying": emails_retrying(),
        "runs": runs,
        "last_runs": task_runs_last_by_task(),
        "running": any(run.status == TaskRun.Status.RUNNING for run in runs),
    }


def notices_for(user, limit: int = 100) -> list:
    return list(Notice.objects.filter(user=user).order_by("-created_at", "-id")[:limit])


def notices_unread_count(user) -> int:
    return Notice.objects.filter(user=user, read_at__isnull=True).count()
