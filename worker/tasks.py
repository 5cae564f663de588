"""Tasks stay thin: they take ids, reload, and call a domain service."""

from celery import shared_task
from celery.signals import worker_ready

from market.core.health import heartbeat_record


@shared_task(name="worker.tasks.heartbeat", ignore_result=True)
def heartbeat() -> None:
    heartbeat_record()


@worker_ready.connect
def _heartbeat_at_start(**_) -> None:
    """A worker that has just started is alive: /healthz need not wait for beat's first heartbeat."""
    heartbeat_record()
