"""Background work for orders. Tasks are thin: they call a service, which does the locking."""

from celery import shared_task

from . import services


@shared_task(name="orders.tasks.auto_confirm_visits", ignore_result=True)
def auto_confirm_visits() -> int:
    """Confirm delivered visits nobody answered within VISIT_AUTO_CONFIRM_HOURS (run by beat every few
    minutes; due times are rows in the database, never long countdowns)."""
    return services.visits_auto_confirm_due()
