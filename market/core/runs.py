"""Recording each periodic run: `with task_run("orders.auto_confirm_visits") as run: run.done(n)`."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from celery import current_task
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from .models import TaskRun

logger = logging.getLogger(__name__)

#: How long runs are kept. A run that found nothing to do (most of the every-10-seconds ones) is kept a day.
KEEP_RUNS_FOR = timedelta(days=30)
KEEP_QUIET_RUNS_FOR = timedelta(days=1)

#: What a run still marked running is told when it is found lost (its worker died: killed, out of memory, restarted).
LOST_RUN_ERROR = "Stopped without finishing: the worker running it was lost. The task was run again."


def lost_after() -> timedelta:
    """A task is acknowledged only when it finishes, so one still running after the broker's visibility timeout
    would have been handed to another worker: a run older than that and still marked running has been lost."""
    return timedelta(seconds=settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"])


def _current_celery_task_id() -> str:
    """The id of the Celery task being run in this process (blank when called outside a worker)."""
    request = getattr(current_task, "request", None)
    return (getattr(request, "id", None) or "") if current_task else ""


def task_runs_mark_lost(*, task: str | None = None, now=None) -> int:
    """Mark runs whose worker died before they ended as failed, so the staff page does not show them running."""
    now = now or timezone.now()
    runs = TaskRun.objects.filter(status=TaskRun.Status.RUNNING, started_at__lt=now - lost_after())
    if task is not None:
        runs = runs.filter(task=task)
    return runs.update(status=TaskRun.Status.FAILED, finished_at=now, error=LOST_RUN_ERROR)


class RunRecorder:
    """What a task tells its run as it goes. Progress is written at once (outside the task's own transactions),
    so the staff page can show a long run moving."""

    def __init__(self, run: TaskRun):
        self.run = run

    def expect(self, total: int) -> None:
        self.run.items_total = total
        TaskRun.objects.filter(pk=self.run.pk).update(items_total=total)

    def done(self, count: int = 1) -> None:
        self.run.items_done += count
        TaskRun.objects.filter(pk=self.run.pk).update(items_done=F("items_done") + count)

    def failed(self, count: int = 1) -> None:
        self.run.failures += count
        TaskRun.objects.filter(pk=self.run.pk).update(failures=F("failures") + count)


@contextmanager
def task_run(task: str) -> Iterator[RunRecorder]:
    """Record one run of `task`: started now, finished (or failed, with the error) when the block ends. An
    exception is recorded and raised again, so Celery's own retry rules still apply. Runs of the same task that a
    lost worker left marked running are marked failed first."""
    task_runs_mark_lost(task=task)
    celery_task_id = _current_celery_task_id()
    if celery_task_id:
        # The same Celery task running again means its earlier try was lost with its worker: say so at once.
        TaskRun.objects.filter(celery_task_id=celery_task_id, status=TaskRun.Status.RUNNING).update(
            status=TaskRun.Status.FAILED, finished_at=timezone.now(), error=LOST_RUN_ERROR)
    recorder = RunRecorder(TaskRun.objects.create(task=task, celery_task_id=celery_task_id))
    try:
        yield recorder
    except Exception as error:
        TaskRun.objects.filter(pk=recorder.run.pk).update(
            status=TaskRun.Status.FAILED, finished_at=timezone.now(), error=f"{type(error).__name__}: {error}"[:2000]
        )
        raise
    TaskRun.objects.filter(pk=recorder.run.pk).update(status=TaskRun.Status.FINISHED, finished_at=timezone.now())


def task_runs_prune(*, now=None) -> int:
    """Forget old runs (run nightly): quiet ones after a day, the rest after a month."""
    now = now or timezone.now()
    task_runs_mark_lost(now=now)
    ended = TaskRun.objects.exclude(status=TaskRun.Status.RUNNING)
    quiet = ended.filter(status=TaskRun.Status.FINISHED, items_done=0, failures=0)
    quiet = quiet.filter(started_at__lt=now - KEEP_QUIET_RUNS_FOR)
    deleted_quiet, _ = quiet.delete()
    deleted_old, _ = ended.filter(started_at__lt=now - KEEP_RUNS_FOR).delete()
    return deleted_quiet + deleted_old


def recorded(function):
    """Record every call of a periodic task's function as a run named after it (module.function); a count it
    returns is the run's items done."""

    @functools.wraps(function)
    def run_recorded(*args, **kwargs):
        with task_run(f"{function.__module__}.{function.__name__}") as run:
            result = function(*args, **kwargs)
            if isinstance(result, int) and result > 0:
                run.done(result)
        return result

    return run_recorded
