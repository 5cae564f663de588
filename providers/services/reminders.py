"""Warnings before a mandatory check expires, so a provider never loses its listing (and its income) by surprise:
at 30, 14 and 7 days, and on expiry (then commissioners hear too). Each warning is sent once (its outbox key)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from market.accounts.models import Role, User
from market.core.links import absolute_reverse
from market.outbox.services import outbox_enqueue

from ..selectors import Lapse, checks_lapsing
from ._shared import _tell_provider

#: Days before expiry at which the provider is warned (the smallest reached is the one sent).
WARN_AT_DAYS = (30, 14, 7)
#: How long after an expiry a run still tells of it (a beat missed for a day or two must not lose it).
EXPIRED_NOTICE_DAYS = 7


def _check_name(lapse: Lapse) -> str:
    check = lapse.check
    return f"{check.check_type.name} for {check.person_name}" if check.person_name else check.check_type.name


def _warn_provider(lapse: Lapse) -> None:
    threshold = min(days for days in WARN_AT_DAYS if lapse.days_left <= days)
    check = lapse.check
    when = "today" if lapse.days_left == 0 else f"in {lapse.days_left} day{'s' if lapse.days_left != 1 else ''}"
    body = (f"Your {_check_name(lapse)} (reference {check.reference}) expires {when}, on "
            f"{check.expires_on:%-d %B %Y}. From the next day your services are no longer shown or bookable "
            f"until the renewed document is uploaded and approved. Upload it now: approval can take a few days.")
    _tell_provider(check.provider, f"Your {_check_name(lapse)} expires {when}", body,
                   key=f"check-expiry:{check.pk}:{threshold}")


def _tell_of_expiry(lapse: Lapse) -> None:
    check = lapse.check
    provider = check.provider
    _tell_provider(provider, f"Your {_check_name(lapse)} has expired",
                   f"Your {_check_name(lapse)} (reference {check.reference}) expired on {check.expires_on:%-d %B %Y}. "
                   "Your services are not shown or bookable until the renewed document is uploaded and approved.",
                   key=f"check-expired:{check.pk}:provider")
    link = absolute_reverse("verification:provider", args=[provider.slug])
    commissioners = User.objects.filter(roles__contains=[Role.COMMISSIONER], is_active=True)
    outbox_enqueue(
        to=commissioners.values_list("email", flat=True),
        subject=f"{provider}: {_check_name(lapse)} expired, no longer listed",
        body=f"The {_check_name(lapse)} of {provider} expired on {check.expires_on:%-d %B %Y} with no renewal "
             f"approved, so its services are no longer listed.\n\n{link}\n",
        key=f"check-expired:{check.pk}:commissioners",
    )


def check_expiry_reminders_send(*, today: datetime.date | None = None) -> int:
    """Queue every warning due today that was not sent before. Run daily by beat; safe to run again (each
    warning has an outbox key). Returns how many checks it looked at."""
    today = today or timezone.localdate()
    lapses = checks_lapsing(within_days=max(WARN_AT_DAYS), expired_since_days=EXPIRED_NOTICE_DAYS, on=today)
    for lapse in lapses:
        if lapse.days_left >= 0:
            _warn_provider(lapse)
        else:
            _tell_of_expiry(lapse)
    return len(lapses)
