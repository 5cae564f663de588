"""The reliability rules every task follows (docs/adr/0006-worker-reliability.md), read from the Celery app the
worker runs, and the runs a lost worker leaves behind."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from market.core.background import MAX_RETRIES, RECOVERABLE_TASK_ERRORS
from market.core.models import TaskRun
from market.core.runs import LOST_RUN_ERROR, task_run, task_runs_prune
from worker.celery import app
from worker.schedule import BEAT_SCHEDULE

FREQUENT = {"worker.tasks.heartbeat", "worker.tasks.send_outbox", "worker.tasks.dispatch_queued_tasks",
            "orders.tasks.tell_providers_new_orders", "invoicing.tasks.make_pdfs", "payments.tasks.send_due_transfers"}


def _our_tasks():
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_every_task_is_acknowledged_late_and_put_back_if_its_worker_dies():
    tasks = _our_tasks()
    assert set(tasks) >= {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    for name, task in tasks.items():
        assert (name, task.acks_late, task.reject_on_worker_lost, task.ignore_result) == (name, True, True, True)


def test_only_recoverable_errors_are_retried_with_backoff_and_a_cap_and_frequent_tasks_not_at_all():
    for name, task in _our_tasks().items():
        if name in FREQUENT:
            assert getattr(task, "autoretry_for", ()) == (), name
            continue
        assert task.autoretry_for == RECOVERABLE_TASK_ERRORS, name
        assert Exception not in task.autoretry_for and ValueError not in task.autoretry_for
        assert (task.max_retries, task.retry_backoff, task.retry_jitter) == (MAX_RETRIES, 5, True), name
        # Every wait before a retry is far inside the broker's visibility timeout: a retry is never delivered twice.
        assert task.retry_backoff_max < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] / 2


def test_a_long_task_has_its_own_time_limit_inside_the_visibility_timeout():
    invoicing = app.tasks["invoicing.tasks.invoice_period"]
    assert invoicing.time_limit < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert invoicing.soft_time_limit < invoicing.time_limit


def test_every_beat_entry_expires_before_its_next_run():
    for name, entry in BEAT_SCHEDULE.items():
        schedule = entry["schedule"]
        seconds = schedule.total_seconds() if isinstance(schedule, datetime.timedelta) else 24 * 3600
        assert 0 < entry["options"]["expires"] < seconds, name


@pytest.mark.django_db
def test_a_run_a_lost_worker_left_running_is_marked_failed_when_the_task_next_runs():
    # Given a run left "running" two hours ago by a worker that died, and one of another task...
    two_hours_ago = timezone.now() - datetime.timedelta(hours=2)
    lost = TaskRun.objects.create(task="orders.tasks.send_reminders", started_at=two_hours_ago)
    other = TaskRun.objects.create(task="quality.tasks.run_quality_checks", started_at=two_hours_ago)
    recent = TaskRun.objects.create(task="orders.tasks.send_reminders")  # may still be running elsewhere

    # ...when the task runs again, the lost run is marked failed, with why; the others are left alone...
    with task_run("orders.tasks.send_reminders") as run:
        run.done(2)
    assert TaskRun.objects.get(pk=lost.pk).status == "failed"
    assert TaskRun.objects.get(pk=lost.pk).error == LOST_RUN_ERROR
    assert [TaskRun.objects.get(pk=pk).status for pk in (other.pk, recent.pk)] == ["running", "running"]

    # ...and the nightly tidy marks any other.
    task_runs_prune()
    assert TaskRun.objects.get(pk=other.pk).status == "failed"
    assert TaskRun.objects.get(pk=recent.pk).status == "running"
