"""Emails about orders and visits, queued in the outbox in the transaction that causes them (market/outbox)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from market.core.links import absolute_reverse
from market.outbox.services import outbox_enqueue


def _send(recipients, subject: str, body: str, *, key: str | None = None, urgent: bool = False) -> None:
    """Queue the email in the outbox, in the caller's transaction: it goes only if the change commits, and the
    worker sends it (retrying while the mail server is down). `recipients` is a callable giving addresses."""
    outbox_enqueue(to=recipients(), subject=f"[{settings.SITE_NAME}] {subject}", body=body, key=key, urgent=urgent)


def holder_addresses(person) -> list[str]:
    """The holder, and every supporter with an active consent: they are the ones who confirm visits."""
    addresses = [person.user.email] if person.user_id else []
    addresses += [consent.supporter.email for consent in person.consents.active().select_related("supporter")]
    return addresses


def provider_addresses(provider) -> list[str]:
    return [provider.email, *provider.members.values_list("email", flat=True)]


def coordinator_addresses(person) -> list[str]:
    return list(person.coordinators.values_list("email", flat=True))


def tell_provider(order, subject: str, body: str, *, key: str | None = None) -> None:
    _send(lambda: provider_addresses(order.provider), f"{order.reference}: {subject}", body, key=key)


def tell_holder(order, subject: str, body: str, *, key: str | None = None) -> None:
    _send(lambda: holder_addresses(order.holder), f"{order.reference}: {subject}", body, key=key)


def tell_coordinators(order, subject: str, body: str, *, key: str | None = None) -> None:
    _send(lambda: coordinator_addresses(order.holder), f"{order.reference}: {subject}", body, key=key)


def commissioner_addresses() -> list[str]:
    from market.accounts.models import Role, User

    commissioners = User.objects.filter(roles__contains=[Role.COMMISSIONER], is_active=True)
    return list(commissioners.values_list("email", flat=True))


def tell_commissioners(subject: str, body: str, *, urgent: bool = False) -> None:
    """`urgent` (a safeguarding concern): emailed at once even to commissioners who chose a digest."""
    _send(commissioner_addresses, subject, body, urgent=urgent)


def order_placed_send(order_id: int) -> bool:
    """Queue the provider's email about a newly placed order, once. Called for each untold order by
    new_orders_tell_providers (the orders.tasks.tell_providers_new_orders beat task, every 10 seconds), so
    placement itself stays one statement (its order row is the marker: provider_told_at is empty until the
    email is in the outbox). The claim and the email are one transaction; the email's key makes a second
    claim of the same order a no-op. Returns whether this call queued it."""
    from .models import Order
    from .money import format_pence

    with transaction.atomic():
        claimed = Order.objects.filter(pk=order_id, provider_told_at__isnull=True).update(
            provider_told_at=timezone.now()
        )
        if not claimed:
            return False  # already told (or no such order)
        order = Order.objects.select_related("holder", "provider", "service").get(pk=order_id)
        shared = _shared_booking(order)
        if shared is not None:  # one email for a shared booking, sent with its first order
            if order.pk == shared.first_order_id:
                _shared_booking_placed_send(shared)
            return True
        body = (f"{order.holder.display_name} has asked for {order.service}: {order.visit_count} visit(s), "
                f"{format_pence(order.total_pence)}. Sign in to accept, decline or propose a change.")
        _send(lambda: provider_addresses(order.provider), f"{order.reference}: a new order", body,
              key=f"order-placed:{order.pk}")
    return True


def _shared_booking(order):
    from django.db.models import Q

    from .models import SharedBooking

    return (SharedBooking.objects.select_related("first_order__holder", "second_order__holder", "first_order__service",
                                                 "first_order__provider")
            .filter(Q(first_order_id=order.pk) | Q(second_order_id=order.pk)).first())


def _shared_booking_placed_send(shared) -> None:
    from .money import format_pence

    first, second = shared.first_order, shared.second_order
    body = (f"{first.holder.display_name} and {second.holder.display_name}, who live together, have asked for "
            f"{first.service} as one booking shared between their budgets ({shared.first_percent}% and "
            f"{shared.second_percent}%): {first.visit_count} visit(s), "
            f"{format_pence(first.total_pence + second.total_pence)} in all. Accept or decline it once, for both: "
            f"{absolute_reverse('orders:shared', args=[shared.pk])}")
    _send(lambda: provider_addresses(first.provider), "a new shared booking", body,
          key=f"shared-booking-placed:{shared.pk}")


def new_orders_tell_providers(*, limit: int = 500) -> int:
    """Queue the new-order email of every order whose provider was not told yet, oldest first (at most `limit`
    a run; the next run takes the rest). Run by beat every 10 seconds (worker/schedule.py); each order is
    claimed, so overlapping runs never double up. Returns how many were queued."""
    from .models import Order

    untold = Order.objects.filter(provider_told_at__isnull=True).order_by("created_at", "pk")  # partial index
    return sum(order_placed_send(order_id) for order_id in untold.values_list("pk", flat=True)[:limit])
