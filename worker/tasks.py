"""Tasks stay thin: they take ids, reload, and call a domain service."""

from celery import shared_task

from market.core.health import heartbeat_record


@shared_task(name="worker.tasks.heartbeat", ignore_result=True)
def heartbeat() -> None:
    heartbeat_record()
