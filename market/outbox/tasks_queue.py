"""Enqueueing a task so that a broker outage delays it but never loses it (market.outbox.models.QueuedTask)."""

from __future__ import annotations

import logging

from celery import current_app
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError

from .models import QueuedTask

logger = logging.getLogger(__name__)
BROKER_FAILURES = (BrokerError, RedisError, OSError)


def enqueue(task: str, *args) -> QueuedTask:
    """Ask for `task(*args)` (by its registered name) once the current transaction commits."""
    queued = QueuedTask.objects.create(task=task, args=list(args))
    transaction.on_commit(lambda: _send(queued.pk))
    return queued


def _send(queued_id: int) -> bool:
    """Hand one queued task to the broker, claiming it first so that two senders never both send it."""
    with transaction.atomic():
        queued = QueuedTask.objects.select_for_update(skip_locked=True).filter(pk=queued_id, sent_at=None).first()
        if queued is None:
            return False
        try:
            current_app.send_task(queued.task, args=queued.args, retry=False)
        except BROKER_FAILURES as error:
            queued.attempts += 1
            queued.last_error = f"{type(error).__name__}: {error}"[:2000]
            queued.save(update_fields=["attempts", "last_error"])
            logger.warning("Task %s kept for later: the broker is unreachable (%s)", queued.task, error)
            return False
        queued.sent_at = timezone.now()
        queued.save(update_fields=["sent_at"])
    return True


def queued_tasks_dispatch(*, limit: int = 500) -> int:
    """Send every task still waiting (beat runs this every 10 seconds). Returns how many went."""
    waiting = QueuedTask.objects.filter(sent_at=None).order_by("created_at", "id").values_list("pk", flat=True)
    return sum(_send(pk) for pk in list(waiting[:limit]))
