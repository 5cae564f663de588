"""Writing to the outbox, and sending what is due (the worker's job, `worker.tasks.send_outbox`)."""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from market.accounts.models import EmailFrequency, User
from market.core.audit import audit_record
from market.core.storage import private_storage

from .models import Email, EmailStatus, Notice

logger = logging.getLogger(__name__)

#: A mail server that is down, refusing or slow: worth trying again later. Anything else is a fault in the email
#: itself and is marked failed at once, for staff to see.
RECOVERABLE = (SMTPException, OSError)


def outbox_enqueue(*, to: Iterable[str], subject: str, body: str, key: str | None = None,
                   urgent: bool = False, attachment: str = "", attachment_filename: str = "") -> Email | None:
    """Queue an email in the current transaction, and put it on the notices page of each recipient with an
    account. Blank and repeated addresses are dropped, and so are those of people who chose notices only or a
    daily or weekly digest (their notice waits for it: market/outbox/digests.py), unless the email is `urgent`;
    with nobody left, no email is queued. With a `key` already used, nothing is queued either (returns None).
    `attachment` names a file in private storage sent with the email (as `attachment_filename`); an email with an
    attachment is not held for a digest, which could not carry it."""
    recipients = sorted({address.strip() for address in to if address and address.strip()})
    if not recipients:
        return None
    users = list(User.objects.filter(email__in=recipients).only("pk", "email", "emails_wanted", "email_frequency"))
    in_digest = {user.email for user in users if user.emails_wanted and not urgent and not attachment
                 and user.email_frequency != EmailFrequency.AS_IT_HAPPENS}
    Notice.objects.bulk_create([Notice(user=user, subject=subject[:300], body=body, key=key,
                                       awaiting_digest=user.email in in_digest) for user in users],
                               ignore_conflicts=True)
    not_now = in_digest | {user.email for user in users if not user.emails_wanted}
    recipients = [address for address in recipients if address not in not_now]
    if not recipients:
        return None
    email = Email(to=recipients, subject=subject[:300], body=body, key=key, attachment=attachment,
                  attachment_filename=attachment_filename or attachment.rsplit("/", 1)[-1])
    if key is None:
        email.save()
        return email
    try:
        with transaction.atomic():  # a savepoint: a repeated key must not spoil the caller's transaction
            email.save()
    except IntegrityError:
        return None
    return email


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.failed


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the n-th failed attempt, capped."""
    seconds = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.OUTBOX_RETRY_MAX_SECONDS))


def _claim_due(now: datetime) -> Email | None:
    """The oldest due email no other sender holds, locked until this transaction ends."""
    due = Email.objects.filter(status=EmailStatus.PENDING, due_at__lte=now).order_by("due_at", "id")
    return due.select_for_update(skip_locked=True).first()


def _message(email: Email) -> EmailMessage:
    message = EmailMessage(email.subject, email.body, None, email.to)
    if email.attachment:
        try:
            with private_storage().open(email.attachment, "rb") as file:
                content = file.read()
        except OSError as error:  # a fault in the email, not the mail server: retrying cannot help
            raise ValueError(f"The attachment {email.attachment} cannot be read: {error}") from error
        message.attach(email.attachment_filename, content,
                       mimetypes.guess_type(email.attachment_filename)[0] or "application/octet-stream")
    return message


def _attempt(email: Email, now: datetime) -> str:
    email.attempts += 1
    try:
        _message(email).send(fail_silently=False)
    except RECOVERABLE as error:
        email.last_error = f"{type(error).__name__}: {error}"[:2000]
        if email.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            email.status = EmailStatus.FAILED
        else:
            email.due_at = now + retry_delay(email.attempts)
        logger.warning("Email %s not sent (attempt %s): %s", email.pk, email.attempts, email.last_error)
    except Exception as error:  # the email itself is at fault: retrying cannot help
        email.last_error = f"{type(error).__name__}: {error}"[:2000]
        email.status = EmailStatus.FAILED
        logger.exception("Email %s cannot be sent", email.pk)
    else:
        email.status = EmailStatus.SENT
        email.sent_at = timezone.now()
        email.last_error = ""
    email.save(update_fields=["attempts", "status", "due_at", "last_error", "sent_at"])
    if email.status == EmailStatus.SENT:
        return "sent"
    return "failed" if email.status == EmailStatus.FAILED else "retrying"


def outbox_send_due(*, limit: int = 200, now: datetime | None = None) -> SendReport:
    """Send up to `limit` due emails, oldest first, each claimed in its own transaction with SKIP LOCKED, so
    any number of workers can run this at once and each email is attempted by one of them. An email is sent
    at least once: if the process dies after the mail server took it but before the commit, it goes again."""
    report = SendReport()
    for _ in range(limit):
        with transaction.atomic():
            email = _claim_due(now or timezone.now())
            if email is None:
                break
            outcome = _attempt(email, now or timezone.now())
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def outbox_retry(*, email: Email, actor) -> None:
    """Staff send a failed email again (after the mail server is fixed, say)."""
    with transaction.atomic():
        updated = Email.objects.filter(pk=email.pk, status=EmailStatus.FAILED).update(
            status=EmailStatus.PENDING, due_at=timezone.now(), attempts=0
        )
        if updated:
            audit_record(action="outbox.retry", actor=actor, target=email, summary=f"Email {email.pk} queued again")


def notices_mark_read(*, user) -> int:
    return Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def email_preference_set(*, user, emails_wanted: bool, frequency: str = EmailFrequency.AS_IT_HAPPENS) -> None:
    """The person's choice: news on the notices page only, or by email as well, each as it happens or gathered
    into a daily or weekly digest."""
    frequency = EmailFrequency(frequency)
    User.objects.filter(pk=user.pk).update(emails_wanted=emails_wanted, email_frequency=frequency)
    chose = f"emails ({frequency.label.lower()}) and notices" if emails_wanted else "notices only"
    audit_record(action="user.email_preference", actor=user, target=user, summary=f"{user} chose {chose}")
