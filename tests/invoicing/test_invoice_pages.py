"""Finance staff's invoice pages, a provider's own invoices, and invoicing run by a real worker with its progress."""

from __future__ import annotations

import time
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from invoicing.models import Invoice, InvoiceStatus
from invoicing.services import invoicing_run
from market.accounts.models import Role
from market.core.models import TaskRun
from tests.factories import ProviderMembershipFactory, UserFactory
from tests.orders.helpers import make_service

from .test_invoicing import _budget, _period, confirmed_visit


@pytest.fixture
def finance(db):
    return UserFactory(roles=[Role.FINANCE])


@pytest.fixture
def invoiced(holder):
    service = make_service(neighbourhood=holder.neighbourhood, price_pence=1750)
    confirmed_visit(holder, service, _budget(holder))
    invoicing_run(period_start=_period()[0], period_end=_period()[1])
    return Invoice.objects.get()


def test_finance_staff_see_invoices_by_status_and_record_a_payment(invoiced, finance, verified_client):
    client = verified_client(finance)
    listing = client.get(reverse("invoicing:invoices"), {"status": "issued"}).content.decode()
    assert invoiced.number in listing and "Overdue (0)" in listing

    page = reverse("invoicing:invoice", args=[invoiced.pk])
    assert "£17.50" in client.get(page).content.decode()
    refused = client.post(page, {"action": "pay", "payment-paid_on": ""})
    assert "Enter the day it was paid" in refused.content.decode()
    client.post(page, {"action": "pay", "payment-paid_on": timezone.localdate().isoformat(),
                       "payment-reference": "BACS 7"})
    invoiced.refresh_from_db()
    assert invoiced.status == InvoiceStatus.PAID
    assert invoiced.number in client.get(reverse("invoicing:invoices"), {"status": "paid"}).content.decode()


def test_a_provider_sees_its_own_invoices_only(invoiced, client):
    owner = ProviderMembershipFactory(provider=invoiced.provider).user
    client.force_login(owner)
    mine = client.get(reverse("provider-invoices:list", args=[invoiced.provider.slug]))
    assert invoiced.number in mine.content.decode()
    assert client.get(reverse("provider-invoices:invoice", args=[invoiced.provider.slug, invoiced.pk])).status_code \
        == HTTPStatus.OK
    stranger = ProviderMembershipFactory().user
    client.force_login(stranger)
    assert client.get(reverse("provider-invoices:list", args=[invoiced.provider.slug])).status_code \
        == HTTPStatus.NOT_FOUND


def test_others_cannot_open_the_finance_pages(invoiced, client, holder):
    client.force_login(holder.user)
    assert client.get(reverse("invoicing:invoices")).status_code == HTTPStatus.FORBIDDEN
    assert client.get(reverse("invoicing:invoice", args=[invoiced.pk])).status_code == HTTPStatus.FORBIDDEN


@pytest.mark.worker
def test_finance_staff_start_invoicing_and_the_worker_does_it_with_progress(
    celery_worker_process, holder, finance, verified_client
):
    service = make_service(neighbourhood=holder.neighbourhood, price_pence=1750)
    confirmed_visit(holder, service, _budget(holder))
    start, end = _period()
    client = verified_client(finance)

    response = client.post(reverse("invoicing:run"), {"period_start": start.isoformat(),
                                                      "period_end": end.isoformat()})

    assert response["Location"] == reverse("outbox:background")
    deadline = time.monotonic() + 60
    while not TaskRun.objects.filter(task="invoicing.tasks.invoice_period", status="finished").exists():
        assert time.monotonic() < deadline, "the worker did not finish invoicing"
        time.sleep(0.2)
    run = TaskRun.objects.get(task="invoicing.tasks.invoice_period")
    assert (run.items_total, run.items_done, run.failures) == (1, 1, 0)
    assert Invoice.objects.get().created_by == finance
    assert "<th scope=\"row\">Invoicing</th>" in client.get(reverse("outbox:background")).content.decode()
