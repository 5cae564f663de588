"""The audit trail: an append-only record of who did what, for whom, and when."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    """One thing that happened. Rows are never updated or deleted (a database trigger refuses it).

    `actor` is who did it (empty for the system); `on_behalf_of` is the person they acted for, so a
    supporter's booking is recorded as theirs, made for the holder.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        "accounts.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} by {self.actor or 'system'}"


#: What staff read for each periodic job (the task's code name otherwise).
TASK_LABELS = {
    "worker.tasks.send_outbox": "Send emails",
    "worker.tasks.send_digests": "Daily and weekly summary emails",
    "worker.tasks.dispatch_queued_tasks": "Hand waiting jobs to the worker",
    "worker.tasks.prune_task_runs": "Forget old job runs",
    "orders.tasks.auto_confirm_visits": "Confirm unanswered visits",
    "orders.tasks.close_expired_blocks": "Close ended blocks of hours",
    "orders.tasks.tell_providers_new_orders": "Tell providers of new orders",
    "orders.tasks.send_reminders": "Reminders: visits tomorrow, unanswered orders",
    "providers.tasks.check_expiry_reminders": "Reminders: checks about to expire",
    "quality.tasks.run_quality_checks": "Quality checks",
    "invoicing.tasks.invoice_period": "Invoicing",
    "invoicing.tasks.remind_overdue": "Reminders: overdue invoices",
    "invoicing.tasks.make_pdfs": "Invoice PDFs",
    "directory.tasks.refresh_listings": "Rebuild the search table",
    "commissioning.tasks.refresh_market_summary": "The market view's figures",
}


class TaskRun(models.Model):
    """One run of a periodic task, recorded so staff can see that the background work happens: when it
    started and finished, how many items it did, how many failed, and (for long runs) how far it has got."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    task = models.CharField(max_length=100)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    items_total = models.PositiveIntegerField(null=True, blank=True, help_text="Known for long runs: the progress bar.")
    items_done = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    celery_task_id = models.CharField(max_length=64, blank=True, help_text="The Celery task this run was a try of: "
                                      "a task put back after its worker died runs again with the same id.")

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["task", "-started_at"], name="core_taskrun_task_idx"),
                   models.Index(fields=["celery_task_id"], name="core_taskrun_celery_idx",
                                condition=models.Q(status="running"))]

    def __str__(self):
        return f"{self.task} at {self.started_at:%Y-%m-%d %H:%M:%S} ({self.get_status_display()})"

    @property
    def label(self) -> str:
        return TASK_LABELS.get(self.task, self.task)

    @property
    def percent(self) -> int | None:
        if not self.items_total:
            return None
        return min(100, round(100 * self.items_done / self.items_total))
