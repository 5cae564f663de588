"""Emails about orders and visits, sent after the transaction that caused them commits (never before)."""

from __future__ import annotations

import logging
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


def _send(recipients, subject: str, body: str) -> None:
    """`recipients` is a callable: addresses are looked up after the commit, outside the transaction."""

    def send():
        addresses = sorted({address for address in recipients() if address})
        if not addresses:
            return
        try:
            send_mail(f"[{settings.SITE_NAME}] {subject}", body, None, addresses, fail_silently=False)
        except (SMTPException, OSError):
            # The change itself is committed: a mail outage must not turn it into an error page.
            logger.exception("Could not send %r to %s", subject, addresses)

    transaction.on_commit(send)


def holder_addresses(person) -> list[str]:
    """The holder, and every supporter with an active consent: they are the ones who confirm visits."""
    addresses = [person.user.email] if person.user_id else []
    addresses += [consent.supporter.email for consent in person.consents.active().select_related("supporter")]
    return addresses


def provider_addresses(provider) -> list[str]:
    return [provider.email, *provider.members.values_list("email", flat=True)]


def coordinator_addresses(person) -> list[str]:
    return list(person.coordinators.values_list("email", flat=True))


def tell_provider(order, subject: str, body: str) -> None:
    _send(lambda: provider_addresses(order.provider), f"{order.reference}: {subject}", body)


def tell_holder(order, subject: str, body: str) -> None:
    _send(lambda: holder_addresses(order.holder), f"{order.reference}: {subject}", body)


def tell_coordinators(order, subject: str, body: str) -> None:
    _send(lambda: coordinator_addresses(order.holder), f"{order.reference}: {subject}", body)


def commissioner_addresses() -> list[str]:
    from market.accounts.models import Role, User

    commissioners = User.objects.filter(roles__contains=[Role.COMMISSIONER], is_active=True)
    return list(commissioners.values_list("email", flat=True))


def tell_commissioners(subject: str, body: str) -> None:
    _send(commissioner_addresses, subject, body)


def order_placed_send(order_id: int) -> bool:
    """Email the provider about a newly placed order, once. Called for each untold order by
    new_orders_tell_providers (the orders.tasks.tell_providers_new_orders beat task, every few seconds), so the
    lookups and the sending stay out of the request and no message is needed per order (the order row itself
    is the outbox: its provider_told_at is empty until the email went).

    Reloads the order by id and claims it with a conditional update (a task delivered twice sends once);
    if the mail server fails, the claim is given back and the error raised, so the task retries it.
    Returns whether it sent (or had nobody to send to)."""
    from .models import Order
    from .money import format_pence

    claimed = Order.objects.filter(pk=order_id, provider_told_at__isnull=True).update(provider_told_at=timezone.now())
    if not claimed:
        return False  # already told (or no such order)
    order = Order.objects.select_related("holder", "provider", "service").get(pk=order_id)
    addresses = sorted({address for address in provider_addresses(order.provider) if address})
    if not addresses:
        return True
    body = (f"{order.holder.display_name} has asked for {order.service}: {order.visit_count} visit(s), "
            f"{format_pence(order.total_pence)}. Sign in to accept, decline or propose a change.")
    try:
        send_mail(f"[{settings.SITE_NAME}] {order.reference}: a new order", body, None, addresses,
                  fail_silently=False)
    except BaseException:
        Order.objects.filter(pk=order_id).update(provider_told_at=None)
        raise
    return True


def new_orders_tell_providers(*, limit: int = 500) -> int:
    """Send the new-order email of every order whose provider was not told yet, oldest first (at most `limit`
    a run; the next run takes the rest). Run by beat every 10 seconds (worker/schedule.py). Each send claims its order,
    so overlapping runs never double up. A mail-server failure stops this run and leaves the rest (that order
    included) for the next. Returns how many were sent."""
    from .models import Order

    sent = 0
    untold = Order.objects.filter(provider_told_at__isnull=True).order_by("created_at", "pk")  # partial index
    for order_id in untold.values_list("pk", flat=True)[:limit]:
        try:
            sent += order_placed_send(order_id)
        except (SMTPException, ConnectionError, TimeoutError):
            logger.warning("New-order email for order %s failed; the next run will retry it", order_id)
            break
    return sent
