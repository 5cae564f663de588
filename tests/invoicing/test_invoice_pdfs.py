"""Each invoice and credit note gets a PDF (WeasyPrint), made once by the worker, stored privately, downloadable only
by finance staff and the provider's members."""

from __future__ import annotations

import io
import threading
from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from pypdf import PdfReader

from invoicing.models import Invoice
from invoicing.services import invoice_credit, invoice_pdfs_make, invoicing_run
from invoicing.tasks import make_pdfs
from market.accounts.models import Role
from market.core.models import TaskRun
from tests.factories import PersonFactory, ProviderMembershipFactory, UserFactory
from tests.orders.helpers import make_service

from .test_invoicing import _budget, _period, confirmed_visit


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture
def finance(db):
    return UserFactory(roles=[Role.FINANCE])


@pytest.fixture
def invoiced(holder):
    service = make_service(neighbourhood=holder.neighbourhood, price_pence=1750)
    budget = _budget(holder)
    confirmed_visit(holder, service, budget, days_ago=3)
    confirmed_visit(holder, service, budget, days_ago=2, minutes=90)
    invoicing_run(period_start=_period()[0], period_end=_period()[1])
    return Invoice.objects.get()


@pytest.mark.django_db
def test_the_worker_makes_each_pdf_once_and_keeps_it_private(invoiced, finance):
    # Given a new invoice without its PDF, the worker's task makes it, once...
    assert invoiced.pdf.name == ""
    make_pdfs()
    assert invoice_pdfs_make() == 0
    invoiced.refresh_from_db()
    assert invoiced.pdf.name == f"invoices/{invoiced.provider_id}/{invoiced.number}.pdf"
    stored = Path(settings.PRIVATE_MEDIA_ROOT) / invoiced.pdf.name
    assert stored.is_file() and not str(stored).startswith(str(settings.MEDIA_ROOT) + "/")
    run = TaskRun.objects.get(task="invoicing.tasks.make_pdfs", items_done=1)
    assert run.status == "finished"

    # ...with the invoice's number, its lines and the total in integer pence, worded as pounds.
    data = stored.read_bytes()
    assert data.startswith(b"%PDF-")
    text = _text(data)
    assert f"Invoice {invoiced.number}" in text
    assert "£17.50" in text and "£26.25" in text and "Total £43.75" in text
    assert "is not registered for VAT" in text

    # A credit note gets its own.
    note = invoice_credit(invoice=invoiced, actor=finance, reason="Wrong visit length")
    assert invoice_pdfs_make() == 1
    note.refresh_from_db()
    assert f"Credit note {note.number}" in _text(note.pdf.read())


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_make_each_pdf_once(holder):
    for _ in range(3):
        service = make_service(neighbourhood=holder.neighbourhood, price_pence=1200)
        confirmed_visit(holder, service, _budget(holder))
    invoicing_run(period_start=_period()[0], period_end=_period()[1])
    made = []

    def worker():
        try:
            made.append(invoice_pdfs_make())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(made) == 3
    assert Invoice.objects.filter(pdf="").count() == 0


@pytest.mark.django_db
def test_finance_staff_and_the_providers_members_download_it_and_nobody_else(invoiced, finance, verified_client,
                                                                             client):
    # Finance staff download it (made at once if the worker has not yet)...
    staff = verified_client(finance)
    response = staff.get(reverse("invoicing:invoice-pdf", args=[invoiced.pk]))
    assert (response.status_code, response["Content-Type"]) == (HTTPStatus.OK, "application/pdf")
    assert response["Content-Disposition"] == f'attachment; filename="{invoiced.number}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert f"Invoice {invoiced.number}" in _text(b"".join(response.streaming_content))
    page = staff.get(reverse("invoicing:invoice", args=[invoiced.pk])).content.decode()
    assert reverse("invoicing:invoice-pdf", args=[invoiced.pk]) in page
    staff.logout()

    # ...and so does a member of the provider, from its own invoice pages...
    slug = invoiced.provider.slug
    client.force_login(ProviderMembershipFactory(provider=invoiced.provider).user)
    own = client.get(reverse("provider-invoices:invoice-pdf", args=[slug, invoiced.pk]))
    assert own.status_code == HTTPStatus.OK and own["Content-Type"] == "application/pdf"

    # ...but not another provider's member, nor a budget holder.
    stranger = ProviderMembershipFactory()
    client.force_login(stranger.user)
    assert client.get(reverse("provider-invoices:invoice-pdf", args=[stranger.provider.slug, invoiced.pk])) \
        .status_code == HTTPStatus.NOT_FOUND
    assert client.get(reverse("provider-invoices:invoice-pdf", args=[slug, invoiced.pk])).status_code \
        in (HTTPStatus.NOT_FOUND, HTTPStatus.FORBIDDEN)
    client.force_login(PersonFactory().user)
    assert client.get(reverse("invoicing:invoice-pdf", args=[invoiced.pk])).status_code == HTTPStatus.FORBIDDEN


@pytest.mark.django_db
def test_the_payer_and_the_provider_get_each_invoice_and_credit_note_by_email_with_its_pdf_once(
        invoiced, finance, send_outbox):
    from django.core import mail

    from market.outbox.models import Email, EmailStatus

    # Nothing is emailed before the PDF exists; then one email, the PDF attached...
    send_outbox()
    assert not [m for m in mail.outbox if invoiced.number in m.subject]
    invoice_pdfs_make()
    invoice_pdfs_make()
    send_outbox()
    [message] = [m for m in mail.outbox if invoiced.number in m.subject]
    assert sorted(message.to) == sorted([invoiced.person.user.email, invoiced.provider.email])  # a direct payment
    assert "attached as a PDF" in message.body and "£43.75" in message.body
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"{invoiced.number}.pdf", "application/pdf")
    assert f"Invoice {invoiced.number}" in _text(content)

    # ...and a credit note the same way, with its reason.
    note = invoice_credit(invoice=invoiced, actor=finance, reason="Wrong visit length")
    invoice_pdfs_make()
    send_outbox()
    [credit] = [m for m in mail.outbox if note.number in m.subject]
    assert "Reason: Wrong visit length" in credit.body and credit.attachments[0][0] == f"{note.number}.pdf"

    # A PDF gone missing from storage is a failure staff see at once, not retries.
    invoiced.refresh_from_db()
    Email.objects.create(to=["someone@example.org"], subject="Copy", body="Copy", attachment="invoices/missing.pdf",
                         attachment_filename="missing.pdf")
    send_outbox()
    failed = Email.objects.get(subject="Copy")
    assert failed.status == EmailStatus.FAILED and "cannot be read" in failed.last_error
