"""Daily and weekly digests: one email gathering the notices of a person who chose fewer emails.

A notice for such a person is written with `awaiting_digest` set instead of an email of its own (urgent ones
still go at once). `digests_send_due` (the worker, every few minutes) turns each person's waiting notices into
one email once their digest is due: a daily digest from 7am each day, a weekly one from 7am on Monday. The
email's key names the person and the day or week, so a digest is made at most once per day or week however many
workers run it; notices that arrive after it wait for the next one.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from market.accounts.models import EmailFrequency, User
from market.core.links import absolute_reverse

from .models import Email, Notice

#: The local hour from which the day's (or, on Monday, the week's) digest is due.
DIGEST_HOUR = 7


def digest_key(user: User, now: datetime.datetime) -> str | None:
    """The once-only key of the digest due now for `user`, or None while it is not due yet."""
    local = timezone.localtime(now)
    if user.email_frequency == EmailFrequency.DAILY:
        return None if local.hour < DIGEST_HOUR else f"digest:{user.pk}:{local.date().isoformat()}"
    if user.email_frequency == EmailFrequency.WEEKLY:
        if local.weekday() == 0 and local.hour < DIGEST_HOUR:
            return None
        year, week, _ = local.isocalendar()
        return f"digest:{user.pk}:{year}-W{week:02d}"
    # The person went back to an email for each notice: what was waiting goes now, in one email.
    return f"digest:{user.pk}:{local:%Y-%m-%dT%H:%M}"


def _digest_one(user_id: int, now: datetime.datetime) -> bool:
    with transaction.atomic():
        user = User.objects.select_for_update(skip_locked=True).filter(pk=user_id).first()
        if user is None:  # another worker is making this person's digest
            return False
        waiting = Notice.objects.filter(user=user, awaiting_digest=True)
        if not user.emails_wanted:  # they chose the notices page only: nothing to email
            waiting.update(awaiting_digest=False)
            return False
        key = digest_key(user, now)
        if key is None or Email.objects.filter(key=key).exists():
            return False
        notices = list(waiting.order_by("created_at", "id"))
        if not notices:
            return False
        frequency = EmailFrequency(user.email_frequency)
        Email.objects.create(
            to=[user.email], key=key,
            subject=f"[{settings.SITE_NAME}] Your {_period_word(frequency)} summary: {_count(len(notices))}",
            body=render_to_string("outbox/digest_email.txt", {"user": user, "notices": notices,
                                                                  "notices_url": absolute_reverse("notices:list")}),
        )
        Notice.objects.filter(pk__in=[notice.pk for notice in notices]).update(awaiting_digest=False)
        return True


def _period_word(frequency: EmailFrequency) -> str:
    return {EmailFrequency.DAILY: "daily", EmailFrequency.WEEKLY: "weekly"}.get(frequency, "latest")


def _count(n: int) -> str:
    return "1 notice" if n == 1 else f"{n} notices"


def digests_send_due(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Make the due digests of up to `limit` people; returns how many emails were queued (the outbox sends them)."""
    now = now or timezone.now()
    people = (Notice.objects.filter(awaiting_digest=True).order_by("user_id")
              .values_list("user_id", flat=True).distinct()[:limit])
    return sum(_digest_one(user_id, now) for user_id in list(people))
