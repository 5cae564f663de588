"""An email waiting to go, gone, or given up on."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone


class EmailStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Email(models.Model):
    """One email. Written by `outbox_enqueue` inside the transaction of the change it tells of (a rollback
    takes it back too); sent by `outbox_send_due` in the worker. `key`, when given, makes the email once-only:
    a second enqueue with the same key is a no-op (nothing is sent twice for the same reason)."""

    to = ArrayField(models.EmailField(), help_text="Recipients' addresses.")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    #: A file in private storage (market.core.storage) sent with the email, e.g. an invoice's PDF, and its name there.
    attachment = models.CharField(max_length=200, blank=True)
    attachment_filename = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=16, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    due_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["due_at", "id"], name="outbox_email_due_idx", condition=models.Q(status=EmailStatus.PENDING)
            ),
            models.Index(fields=["status", "-created_at"], name="outbox_email_status_idx"),
        ]

    def __str__(self):
        return f"{self.subject} to {', '.join(self.to)} ({self.get_status_display()})"


class QueuedTask(models.Model):
    """A Celery task asked for in a transaction, kept as a row until the broker has taken it: written with the
    change (a rollback takes it back), handed to the broker after the commit, and by `dispatch_queued_tasks` (beat,
    every 10 seconds) if the broker was down then. Tasks are idempotent, so handing one over twice is harmless."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["created_at", "id"], name="outbox_task_unsent_idx", condition=models.Q(sent_at=None))
        ]

    def __str__(self):
        return f"{self.task}{tuple(self.args)}"


class Notice(models.Model):
    """What an email told a person, kept for their notices page (/account/notices/); written with the email, for
    every recipient who has an account, whether or not they chose to have emails too."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="notices")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001 - null: no key (unique when set)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    #: Still to be emailed in the person's daily or weekly digest (they chose fewer emails).
    awaiting_digest = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="outbox_notice_user_idx"),
            models.Index(fields=["user", "id"], name="outbox_notice_digest_idx",
                         condition=models.Q(awaiting_digest=True)),
        ]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], condition=models.Q(key__isnull=False),
                                    name="outbox_notice_once_per_reason")
        ]

    def __str__(self):
        return self.subject
