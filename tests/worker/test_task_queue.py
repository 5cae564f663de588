"""A task asked for while the broker (Redis) is unreachable is kept as a row and handed over once it is back; a task
asked for in a transaction that rolls back is never sent."""

import pytest
from celery import current_app
from django.db import transaction

from market.outbox.models import QueuedTask
from market.outbox.tasks_queue import enqueue, queued_tasks_dispatch


def _use_broker(url: str) -> None:
    """Point this process's Celery app at `url`, dropping its connection pools so the next send connects anew."""
    current_app.conf.broker_url = url
    current_app._pool = None
    current_app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    """The broker address of a Redis nobody answers at, until the test calls the fixture's value."""
    real = current_app.conf.broker_url
    _use_broker("redis://127.0.0.1:9/0")
    yield lambda: _use_broker(real)
    _use_broker(real)


def test_a_task_asked_for_during_an_outage_is_sent_when_the_broker_returns(db, broker_down,
                                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queued = enqueue("worker.tasks.heartbeat")

    queued.refresh_from_db()
    assert (queued.sent_at, queued.attempts) == (None, 1)
    assert "Error" in queued.last_error or "refused" in queued.last_error.lower()

    broker_down()  # the broker is back
    assert queued_tasks_dispatch() == 1
    queued.refresh_from_db()
    assert queued.sent_at is not None
    assert queued_tasks_dispatch() == 0  # sent once


def test_a_task_asked_for_in_a_rolled_back_transaction_is_never_kept(db, django_capture_on_commit_callbacks):
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enqueue("worker.tasks.heartbeat")
        raise RuntimeError("the change failed")

    assert QueuedTask.objects.count() == 0
