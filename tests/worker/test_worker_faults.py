"""Faults on the real thing: a real Celery worker on the real Redis and database, sending to a real (test) mail
server over TCP. A worker process killed mid-task runs the task again with one effect; a mail server refusing mail
leads to retries, then a failure staff see, and the email goes once the server is back; two workers running the
same reminders at the same moment send each reminder once; a period invoiced twice at once, and again, is invoiced
once."""

from __future__ import annotations

import datetime
import os
import signal
import time
from http import HTTPStatus
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from market.core.models import TaskRun
from market.core.runs import LOST_RUN_ERROR
from market.outbox.models import Email, EmailStatus
from market.outbox.services import outbox_enqueue
from providers.models import ProviderCheck
from providers.tasks import check_expiry_reminders
from tests.factories import ListedServiceFactory
from tests.mail_server import MailServer
from worker.tasks import send_outbox

pytestmark = pytest.mark.worker


def _wait(condition, seconds=30.0):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
    return condition()


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (a prefork worker's pool)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def _status(email: Email) -> str:
    return Email.objects.get(pk=email.pk).status


def test_a_worker_killed_mid_task_runs_the_task_again_with_one_effect(start_celery_worker):
    with MailServer() as mail_server:
        # Given a worker whose task is part-way through sending an email (the mail server holds its answer)...
        mail_server.mode = "hold"
        worker = start_celery_worker(pool="prefork", env=mail_server.worker_environment())
        email = outbox_enqueue(to=["margaret@example.org"], subject="Your visit tomorrow", body="At 10:00.")
        send_outbox.delay()
        assert mail_server.holding.wait(30), "the worker never started sending"

        # ...when the process running the task is killed (kill -9), and the mail server then recovers...
        [child] = _children(worker.pid)
        os.kill(child, signal.SIGKILL)
        mail_server.mode = "accept"
        mail_server.release.set()

        # ...the task is run again (acks_late, reject_on_worker_lost) and the email goes, once.
        assert _wait(lambda: _status(email) == EmailStatus.SENT)
        time.sleep(1)  # time enough for a third run to show itself
        assert [(m.recipients, m.subject, m.body) for m in mail_server.delivered] == [
            (["margaret@example.org"], "Your visit tomorrow", "At 10:00.")]
        assert Email.objects.get(pk=email.pk).attempts == 1  # the killed attempt was rolled back with its claim
        assert worker.poll() is None and _children(worker.pid) != [child]

    # Staff see the killed run failed, with why (the task's second try, same Celery id, says so), then the re-run.
    runs = TaskRun.objects.filter(task="worker.tasks.send_outbox").order_by("started_at", "pk")
    assert [(run.status, run.items_done, run.error) for run in runs] == [
        ("failed", 0, LOST_RUN_ERROR), ("finished", 1, "")]
    assert runs[0].celery_task_id == runs[1].celery_task_id != ""


def test_a_refusing_mail_server_means_retries_then_a_visible_failure_and_the_email_goes_once_it_is_back(
    start_celery_worker, commissioner, verified_client
):
    with MailServer() as mail_server:
        # Given a mail server refusing mail, and a worker trying 3 times, a second apart...
        mail_server.mode = "refuse"
        start_celery_worker(env={**mail_server.worker_environment(), "OUTBOX_MAX_ATTEMPTS": "3",
                                 "OUTBOX_RETRY_BASE_SECONDS": "1", "OUTBOX_RETRY_MAX_SECONDS": "1"})
        email = outbox_enqueue(to=["jo@example.org"], subject="New order from Margaret", body="-")

        # ...beat's runs of the sending task try it, back off, and after the third refusal give up...
        def tried_until_failed():
            send_outbox.delay()
            time.sleep(0.3)
            return _status(email) == EmailStatus.FAILED

        assert _wait(tried_until_failed)
        failed = Email.objects.get(pk=email.pk)
        assert (failed.attempts, mail_server.refusals, mail_server.delivered) == (3, 3, [])
        assert failed.last_error.startswith("SMTPConnectError")

        # ...where staff see it, with the error...
        client = verified_client(commissioner)
        page = client.get(reverse("outbox:background")).content.decode()
        assert "New order from Margaret" in page and "Failed: <strong>1</strong>" in page

        # ...and once the server is back and staff send it again, it goes, once.
        mail_server.mode = "accept"
        assert client.post(reverse("outbox:email-retry", args=[email.pk])).status_code == HTTPStatus.FOUND
        send_outbox.delay()
        assert _wait(lambda: _status(email) == EmailStatus.SENT)
        send_outbox.delay()
        time.sleep(1)
        assert [(m.recipients, m.subject) for m in mail_server.delivered] == [
            (["jo@example.org"], "New order from Margaret")]


def test_two_workers_running_the_same_reminders_at_once_send_each_reminder_once(start_celery_worker):
    # Given two providers whose DBS checks are about to lapse...
    lapsing = []
    for name, days in (("Jo's Companions", 20), ("Scholes Care Co-operative", 5)):
        service = ListedServiceFactory(provider__name=name, provider__email=f"{len(lapsing)}@example.org")
        check = ProviderCheck.objects.get(provider=service.provider, check_type__slug="dbs-enhanced")
        check.expires_on = timezone.localdate() + datetime.timedelta(days=days)
        check.save()
        lapsing.append(check)

    with MailServer() as mail_server:
        environment = mail_server.worker_environment()
        start_celery_worker(env=environment)
        start_celery_worker(env=environment)

        # ...when the daily reminders task is delivered twice at the same moment (two beats by mistake, or a
        # redelivery), each worker taking one, and both then send the outbox...
        check_expiry_reminders.delay()
        check_expiry_reminders.delay()
        assert _wait(lambda: TaskRun.objects.filter(task="providers.tasks.check_expiry_reminders",
                                                    status="finished").count() == 2)
        send_outbox.delay()
        send_outbox.delay()
        assert _wait(lambda: len(mail_server.delivered) >= 2)
        time.sleep(1)

    # ...each provider is warned once.
    assert sorted((m.recipients[0], m.subject) for m in mail_server.delivered) == [
        ("0@example.org", f"Your Enhanced DBS check for {lapsing[0].person_name} expires in 20 days"),
        ("1@example.org", f"Your Enhanced DBS check for {lapsing[1].person_name} expires in 5 days"),
    ]
    assert Email.objects.filter(status=EmailStatus.SENT).count() == 2


def test_invoicing_a_period_twice_at_once_and_again_gives_the_same_invoices(start_celery_worker):
    from invoicing.models import Invoice, InvoicedVisit, InvoiceLine
    from invoicing.tasks import invoice_period
    from tests.factories import PersonFactory
    from tests.invoicing.test_invoicing import _budget, _period, confirmed_visit
    from tests.orders.helpers import make_service

    # Given confirmed visits with three providers (one of them twice)...
    holder = PersonFactory()
    budget = _budget(holder)
    services = [make_service(neighbourhood=holder.neighbourhood, price_pence=1500 + 100 * n) for n in range(3)]
    for service in [*services, services[0]]:
        confirmed_visit(holder, service, budget)
    start, end = (day.isoformat() for day in _period())
    start_celery_worker()
    start_celery_worker()

    # ...when the period is invoiced twice at the same moment, one run in each worker, and then once more...
    invoice_period.delay(start, end)
    invoice_period.delay(start, end)
    runs = TaskRun.objects.filter(task="invoicing.tasks.invoice_period", status="finished")
    assert _wait(lambda: runs.count() == 2)
    invoice_period.delay(start, end)
    assert _wait(lambda: runs.count() == 3)

    # ...there is one invoice per provider, numbered from 1 without gaps, covering every visit once.
    invoices = Invoice.objects.order_by("provider_id")
    assert [(invoice.provider_id, invoice.number.rsplit("-", 1)[1], invoice.total_pence) for invoice in invoices] == [
        (services[0].provider_id, "0001", 3000), (services[1].provider_id, "0001", 1600),
        (services[2].provider_id, "0001", 1700)]
    assert InvoicedVisit.objects.count() == 4 and InvoiceLine.objects.count() == 4
