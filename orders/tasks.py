"""Background work for orders. Tasks are thin: they call a service, which does the locking."""

from smtplib import SMTPException

from celery import shared_task

from . import notifications, services


@shared_task(name="orders.tasks.auto_confirm_visits", ignore_result=True)
def auto_confirm_visits() -> int:
    """Confirm delivered visits nobody answered within VISIT_AUTO_CONFIRM_HOURS (run by beat every few
    minutes; due times are rows in the database, never long countdowns)."""
    return services.visits_auto_confirm_due()


@shared_task(name="orders.tasks.close_expired_blocks", ignore_result=True)
def close_expired_blocks() -> int:
    """Give back the unused money of blocks of hours past their end date, and of booked visits never
    recorded (run hourly by beat)."""
    return services.blocks_close_expired() + services.visits_release_unrecorded()


@shared_task(name="orders.tasks.tell_providers_new_orders", ignore_result=True)
def tell_providers_new_orders() -> int:
    """Email providers about their new orders (run by beat every 10 seconds). The order row is the outbox:
    placing an order publishes no message, so it costs nothing on the broker and cannot be lost with one;
    a mail outage leaves the orders untold for the next run."""
    return notifications.new_orders_tell_providers()


@shared_task(
    name="orders.tasks.tell_provider_order_placed",
    ignore_result=True,
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),  # the mail server only; anything else is a bug
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
)
def tell_provider_order_placed(order_id: int) -> bool:
    """Email the provider about one new order, now, with retries. order_place no longer enqueues it (see
    tell_providers_new_orders); kept for messages already queued, and for sending one order by hand.
    Idempotent: sends once."""
    return notifications.order_placed_send(order_id)


@shared_task(name="orders.tasks.resend_untold_new_orders", ignore_result=True)
def resend_untold_new_orders() -> int:
    """The former 15-minute safety net: now the same as tell_providers_new_orders (kept for a beat schedule
    that still names it)."""
    return notifications.new_orders_tell_providers()
