"""Background work for orders, run by beat (worker/schedule.py). Tasks are thin: they call a service, which does
the locking; each run is recorded (market.core.runs) for staff to see."""

from django.utils import timezone

from market.core.background import background_task
from market.core.runs import recorded

from . import notifications, services


@background_task(name="orders.tasks.auto_confirm_visits")
@recorded
def auto_confirm_visits() -> int:
    """Confirm delivered visits nobody answered within VISIT_AUTO_CONFIRM_HOURS (run by beat every few
    minutes; due times are rows in the database, never long countdowns)."""
    return services.visits_auto_confirm_due()


@background_task(name="orders.tasks.close_expired_blocks")
@recorded
def close_expired_blocks() -> int:
    """Give back the unused money of blocks of hours past their end date, and of booked visits never
    recorded (run hourly by beat)."""
    return services.blocks_close_expired() + services.visits_release_unrecorded()


@background_task(name="orders.tasks.tell_providers_new_orders", frequent=True)
@recorded
def tell_providers_new_orders() -> int:
    """Queue the provider's email for each new order (run by beat every 10 seconds). Placing an order publishes
    no message, so it costs nothing on the broker and cannot be lost with one."""
    return notifications.new_orders_tell_providers()


@background_task(name="orders.tasks.send_reminders")
@recorded
def send_reminders() -> int:
    """Daily: visits tomorrow or waiting for confirmation, orders the provider has not answered, low budgets,
    budgets that would run out early at their rate, review requests; on
    the 1st, last month's budget statements. Each goes once for its reason (its outbox key)."""
    sent = (services.visits_tomorrow_remind() + services.orders_unanswered_remind()
            + services.visits_awaiting_confirmation_remind() + services.budgets_low_remind()
            + services.budgets_running_out_remind() + services.reviews_request())
    if timezone.localdate().day == 1:
        sent += services.budget_statements_send()
    return sent
