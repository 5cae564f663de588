"""Tasks in a real Celery worker on the real Redis: enqueued on commit, run once, never after a rollback."""

import time

import pytest
from django.core import mail
from django.db import transaction

from market.core.models import TaskRun
from market.outbox.models import Email, EmailStatus
from market.outbox.services import outbox_enqueue
from worker.tasks import send_outbox

pytestmark = pytest.mark.worker


def _wait(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
    return condition()


def test_a_task_enqueued_on_commit_runs_once_and_not_at_all_after_a_rollback(celery_worker_process):
    # Given a change that rolls back, its task is never sent to the worker...
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_enqueue(to=["lost@example.org"], subject="Rolled back", body="-")
        send_outbox.delay_on_commit()
        raise RuntimeError("the change failed")

    # ...while a change that commits has its email sent by the worker, through Redis, once.
    with transaction.atomic():
        email = outbox_enqueue(to=["kept@example.org"], subject="Committed", body="-")
        send_outbox.delay_on_commit()

    assert _wait(lambda: Email.objects.get(pk=email.pk).status == EmailStatus.SENT)
    assert _wait(lambda: TaskRun.objects.filter(task="worker.tasks.send_outbox", status="finished").exists())
    time.sleep(1)  # time enough for a second (wrongly queued) run to show itself
    runs = TaskRun.objects.filter(task="worker.tasks.send_outbox")
    assert [(run.items_done, run.status) for run in runs] == [(1, "finished")]
    assert list(Email.objects.values_list("subject", "status")) == [("Committed", "sent")]
    assert mail.outbox == []  # sent by the worker process, not this one
