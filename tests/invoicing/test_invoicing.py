"""Invoicing: one invoice per provider per payer for confirmed visits not invoiced before; gapless numbers per
provider; VAT only for VAT-registered providers; running twice creates nothing new; corrections by credit note;
finance staff record payments."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from invoicing.exceptions import InvoicingRefused
from invoicing.models import Invoice, InvoiceKind, InvoiceStatus, Payer
from invoicing.services import invoice_credit, invoice_record_payment, invoicing_run
from market.accounts.models import FundingRoute, Role
from orders.models import BudgetPeriod, Visit
from orders.services import order_accept, visit_confirm, visit_record_delivery
from tests.factories import PersonFactory, UserFactory
from tests.orders.helpers import make_budget, make_service, place

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)


def _budget(holder, route=FundingRoute.DIRECT_PAYMENT):
    today = timezone.localdate()
    return make_budget(holder=holder, amount_pence=100_000, funding_route=route, period=BudgetPeriod.ANNUAL,
                       starts_on=today - datetime.timedelta(days=60), ends_on=today + datetime.timedelta(days=300))


def confirmed_visit(holder, service, budget, *, days_ago=2, minutes=60):
    order = place(user=holder.user, budget=budget, service=service, duration_minutes=minutes)
    order_accept(order=order, by=service.owner)
    visit = order.visits.get()
    start = timezone.now() - datetime.timedelta(days=days_ago)
    Visit.objects.filter(pk=visit.pk).update(starts_at=start, ends_at=start + minutes * datetime.timedelta(minutes=1))
    visit.refresh_from_db()
    visit_record_delivery(visit=visit, by=service.owner, actual_starts_at=visit.starts_at, actual_ends_at=visit.ends_at,
                          notes="")
    visit_confirm(visit=visit, user=holder.user)
    return visit


@pytest.fixture
def finance(db):
    return UserFactory(roles=[Role.FINANCE])


def _period():
    today = timezone.localdate()
    return today - datetime.timedelta(days=30), today


def test_one_invoice_per_provider_per_payer_with_gapless_numbers(holder):
    service = make_service(neighbourhood=holder.neighbourhood, price_pence=1750)
    direct = _budget(holder, FundingRoute.DIRECT_PAYMENT)
    other = PersonFactory(neighbourhood=holder.neighbourhood)
    council = _budget(other, FundingRoute.COUNCIL_MANAGED)
    confirmed_visit(holder, service, direct, days_ago=3)
    confirmed_visit(holder, service, direct, days_ago=2, minutes=90)
    other_user = UserFactory(roles=[Role.BUDGET_HOLDER])
    other.user = other_user
    other.save()
    confirmed_visit(other, service, council, days_ago=2)

    start, end = _period()
    result = invoicing_run(period_start=start, period_end=end)

    invoices = list(Invoice.objects.order_by("number"))
    assert (result.invoices, result.visits) == (2, 3)
    prefix = f"{service.provider.slug[:3].upper()}{service.provider.pk}-{timezone.localdate().year}-"
    assert [invoice.number for invoice in invoices] == [f"{prefix}0001", f"{prefix}0002"]
    by_payer = {invoice.payer: invoice for invoice in invoices}
    assert by_payer[Payer.PERSON].person == holder and by_payer[Payer.PERSON].total_pence == 1750 + 2625
    assert [line.amount_pence for line in by_payer[Payer.PERSON].lines.all()] == [1750, 2625]
    assert by_payer[Payer.COUNCIL].person is None and by_payer[Payer.COUNCIL].total_pence == 1750
    assert all(invoice.vat_pence == 0 for invoice in invoices)

    # Running the period again creates nothing new.
    again = invoicing_run(period_start=start, period_end=end)
    assert (again.invoices, Invoice.objects.count()) == (0, 2)


def test_vat_only_when_the_provider_is_vat_registered(holder):
    service = make_service(neighbourhood=holder.neighbourhood, price_pence=1000)
    service.provider.vat_number = "GB123456789"
    service.provider.save()
    budget = _budget(holder)
    confirmed_visit(holder, service, budget)

    invoicing_run(period_start=_period()[0], period_end=_period()[1])

    invoice = Invoice.objects.get()
    assert (invoice.subtotal_pence, invoice.vat_rate_percent, invoice.vat_pence, invoice.total_pence) == (
        1000, 20, 200, 1200)


def test_a_credit_note_cancels_an_invoice_and_frees_its_visits_for_a_corrected_one(holder, finance):
    service = make_service(neighbourhood=holder.neighbourhood, price_pence=1750)
    budget = _budget(holder)
    confirmed_visit(holder, service, budget)
    start, end = _period()
    invoicing_run(period_start=start, period_end=end)
    invoice = Invoice.objects.get()

    with pytest.raises(InvoicingRefused, match="reason"):
        invoice_credit(invoice=invoice, actor=finance, reason=" ")
    note = invoice_credit(invoice=invoice, actor=finance, reason="Wrong person")

    invoice.refresh_from_db()
    assert (invoice.status, note.kind, note.credits, note.total_pence) == (
        InvoiceStatus.CREDITED, InvoiceKind.CREDIT_NOTE, invoice, -1750)
    assert note.number.endswith("-0002")
    corrected = invoicing_run(period_start=start, period_end=end)
    assert corrected.invoices == 1
    assert Invoice.objects.filter(kind=InvoiceKind.INVOICE, status=InvoiceStatus.ISSUED).get().number.endswith("-0003")
    with pytest.raises(InvoicingRefused):
        invoice_credit(invoice=invoice, actor=finance, reason="Again")


def test_finance_staff_record_a_payment_once(holder, finance):
    service = make_service(neighbourhood=holder.neighbourhood)
    budget = _budget(holder)
    confirmed_visit(holder, service, budget)
    invoicing_run(period_start=_period()[0], period_end=_period()[1])
    invoice = Invoice.objects.get()

    with pytest.raises(InvoicingRefused, match="future"):
        invoice_record_payment(invoice=invoice, actor=finance, paid_on=timezone.localdate() + datetime.timedelta(1))
    invoice_record_payment(invoice=invoice, actor=finance, paid_on=timezone.localdate(), reference="BACS 991")

    invoice.refresh_from_db()
    assert (invoice.status, invoice.payment_reference) == (InvoiceStatus.PAID, "BACS 991")
    with pytest.raises(InvoicingRefused, match="no payment is due"):
        invoice_record_payment(invoice=invoice, actor=finance, paid_on=timezone.localdate())


def test_only_finance_staff_credit_or_record_payments(holder):
    from django.core.exceptions import PermissionDenied

    service = make_service(neighbourhood=holder.neighbourhood)
    budget = _budget(holder)
    confirmed_visit(holder, service, budget)
    invoicing_run(period_start=_period()[0], period_end=_period()[1])

    with pytest.raises(PermissionDenied):
        invoice_credit(invoice=Invoice.objects.get(), actor=service.owner, reason="Mine")
