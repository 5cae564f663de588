"""The outbox: every email is a row written with the change that causes it, sent by the worker, retried with
backoff while the mail server refuses, then marked failed where staff see it and can send it again."""

import threading
from http import HTTPStatus

import pytest
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse

from market.core.models import AuditEvent, TaskRun
from market.outbox.models import Email, EmailStatus
from market.outbox.services import outbox_enqueue, outbox_send_due, retry_delay
from worker.tasks import send_outbox as send_outbox_task

REFUSING = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": 9, "EMAIL_TIMEOUT": 2}  # nothing listens on the discard port here


def refuse_mail(settings):
    for name, value in REFUSING.items():
        setattr(settings, name, value)


def accept_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_an_email_is_queued_only_if_its_change_commits(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_enqueue(to=["a@example.org"], subject="Rolled back", body="-")
        raise RuntimeError("the change failed")
    outbox_enqueue(to=["b@example.org", "", "b@example.org"], subject="Kept", body="-")

    assert list(Email.objects.values_list("subject", "to")) == [("Kept", ["b@example.org"])]
    assert outbox_enqueue(to=["", None], subject="Nobody", body="-") is None


def test_an_email_with_a_key_is_queued_once(db):
    first = outbox_enqueue(to=["a@example.org"], subject="Once", body="-", key="reason:1")
    second = outbox_enqueue(to=["a@example.org"], subject="Once", body="-", key="reason:1")

    assert (first is not None, second) == (True, None)
    assert Email.objects.filter(key="reason:1").count() == 1


def test_a_refused_email_is_retried_with_backoff_then_failed_and_shown_to_staff(
    settings, db, commissioner, verified_client
):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    email = outbox_enqueue(to=["a@example.org"], subject="Your visit tomorrow", body="-")
    refuse_mail(settings)

    # Each refusal waits longer before the next try...
    first = outbox_send_due()
    email.refresh_from_db()
    assert (first.retrying, email.status, email.attempts) == (1, EmailStatus.PENDING, 1)
    assert email.due_at > email.created_at + retry_delay(1) * 0.99
    assert outbox_send_due().attempted == 0  # not due yet
    outbox_send_due(now=email.due_at)
    email.refresh_from_db()
    assert email.attempts == 2 and retry_delay(2) == 2 * retry_delay(1)

    # ...and after the cap it is failed, with the error, on the staff page.
    assert outbox_send_due(now=email.due_at).failed == 1
    email.refresh_from_db()
    assert (email.status, email.attempts, mail.outbox) == (EmailStatus.FAILED, 3, [])
    client = verified_client(commissioner)
    page = client.get(reverse("outbox:background")).content.decode()
    assert "Your visit tomorrow" in page and "Failed: <strong>1</strong>" in page

    # Once the mail server is back, staff send it again and it goes, once.
    accept_mail(settings)
    response = client.post(reverse("outbox:email-retry", args=[email.pk]))
    assert response.status_code == HTTPStatus.FOUND
    assert outbox_send_due().sent == 1
    assert outbox_send_due().attempted == 0
    assert [m.subject for m in mail.outbox] == ["Your visit tomorrow"]
    assert AuditEvent.objects.filter(action="outbox.retry", object_id=str(email.pk)).count() == 1


def test_only_staff_see_the_background_work(client, holder, db):
    client.force_login(holder.user)
    assert client.get(reverse("outbox:background")).status_code == HTTPStatus.FORBIDDEN
    client.logout()
    response = client.get(reverse("outbox:background"))
    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_each_email_once():
    for number in range(40):
        outbox_enqueue(to=[f"p{number}@example.org"], subject=f"Email {number}", body="-")
    reports = []

    def sender():
        try:
            reports.append(outbox_send_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    subjects = [m.subject for m in mail.outbox]
    assert sorted(subjects) == sorted(f"Email {number}" for number in range(40))
    assert sum(report.sent for report in reports) == 40
    assert Email.objects.filter(status=EmailStatus.SENT).count() == 40


def test_each_run_of_the_sending_task_is_recorded(settings, db):
    outbox_enqueue(to=["a@example.org"], subject="One", body="-")
    outbox_enqueue(to=["b@example.org"], subject="Two", body="-")
    send_outbox_task()
    refuse_mail(settings)
    outbox_enqueue(to=["c@example.org"], subject="Three", body="-")
    send_outbox_task()

    runs = list(TaskRun.objects.filter(task="worker.tasks.send_outbox").order_by("started_at", "pk"))
    assert [(run.status, run.items_done, run.failures) for run in runs] == [("finished", 2, 0), ("finished", 0, 1)]
    assert all(run.finished_at >= run.started_at for run in runs)
