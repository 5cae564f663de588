"""The reconciliation for a period lines up budget ledger spend, invoices, council and card payments, refunds, fees
and transfers per provider, lists what does not match, and balances on the demo data. The last test is the issue's
"done when", over real HTTP both ways: the product calls the fake Stripe, and the fake posts its webhooks back."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from invoicing.models import Invoice, InvoiceStatus, Payer
from invoicing.services import invoice_credit, invoice_record_payment, invoicing_run
from payments.models import CardPayment, EventStatus, WebhookEvent
from payments.reconciliation import reconciliation_csv, reconciliation_for
from payments.services import (
    account_onboarding_start,
    card_checkout_start,
    card_payment_refund,
    transfers_send_due,
    webhook_process,
)
from tests.payments.helpers import activate, card_invoice, council_invoice, deliver, run_queued

pytestmark = pytest.mark.django_db


def _month():
    today = timezone.localdate()
    return today - datetime.timedelta(days=40), today


def _card_paid(client, fake, invoice) -> CardPayment:
    payment = card_checkout_start(invoice=invoice, user=invoice.person.user)
    deliver(client, fake, fake.pay_checkout(payment.checkout_session_id))
    payment.refresh_from_db()
    return payment


def test_a_period_with_every_kind_of_movement_balances(client, fake_stripe, finance, settings, verified_client):
    settings.PAYMENTS_PLATFORM_FEE_BASIS_POINTS = 100  # 1%
    council = council_invoice(price_pence=2000, visits=2)
    card = card_invoice(service=council.service)
    activate(client, fake_stripe, council.provider)
    invoice_record_payment(invoice=council, actor=finance, paid_on=timezone.localdate(), reference="BACS 1")
    payment = _card_paid(client, fake_stripe, card)
    run_queued("payments.tasks.send_transfer")
    card_payment_refund(payment=payment, amount_pence=500, reason="Late", actor=finance, token="t1")

    report = reconciliation_for(start=_month()[0], end=_month()[1])

    assert report.unmatched == []
    assert (report.ledger_spend_pence, report.ledger_refund_pence, report.invoiced_pence) == (6000, 500, 6000)
    assert (report.council_paid_pence, report.card_paid_pence, report.refunded_pence) == (4000, 2000, 500)
    assert (report.fees_pence, report.transferred_pence, report.waiting_pence) == (40 + 20, 3960 + 1980, 0)
    (line,) = report.providers
    assert (line.invoiced_pence, line.paid_pence, line.fee_pence, line.transferred_pence) == (6000, 6000, 60, 5940)

    staff = verified_client(finance)
    page = staff.get(reverse("payments-finance:reconciliation"),
                     {"start": _month()[0].isoformat(), "end": _month()[1].isoformat()}).content.decode()
    assert "Everything matches" in page and "£59.40" in page
    csv = staff.get(reverse("payments-finance:reconciliation"), {"start": _month()[0].isoformat(),
                                                                 "end": _month()[1].isoformat(), "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode() == reconciliation_csv(report)
    assert "summary,transferred,5940,\r\n" in csv.content.decode()
    assert "summary,unmatched_items,0,balances" in csv.content.decode()


def test_what_does_not_match_is_listed_with_why(client, fake_stripe, finance):
    council = council_invoice(price_pence=1000)
    card = card_invoice(price_pence=1500)
    payment = card_checkout_start(invoice=card, user=card.person.user)
    invoice_credit(invoice=card, actor=finance, reason="Wrong person")  # credited while the person was paying
    deliver(client, fake_stripe, fake_stripe.pay_checkout(payment.checkout_session_id))
    invoice_record_payment(invoice=council, actor=finance, paid_on=timezone.localdate())

    report = reconciliation_for(start=_month()[0], end=_month()[1])

    assert [(item.kind, item.amount_pence) for item in report.unmatched] == [("card payment", 1500)]
    assert "the invoice is credited" in report.unmatched[0].note
    assert report.waiting_pence == 1000  # the council invoice's provider has no active account: waiting, not unmatched


def test_the_bad_period_form_says_why(finance, verified_client):
    page = verified_client(finance).get(reverse("payments-finance:reconciliation"),
                                        {"start": "2026-11-30", "end": "2026-11-01"}).content.decode()
    assert "The last day must be on or after the first day" in page


def test_the_demo_data_reconciles_with_zero_unmatched(db, finance):
    from cms.demo import load_demo

    load_demo()
    start, end = timezone.localdate() - datetime.timedelta(days=90), timezone.localdate()
    invoicing_run(period_start=start, period_end=end)
    for invoice in Invoice.objects.filter(payer=Payer.COUNCIL, status=InvoiceStatus.ISSUED):
        invoice_record_payment(invoice=invoice, actor=finance, paid_on=timezone.localdate(), reference="BACS demo")

    report = reconciliation_for(start=start, end=end)

    assert report.ledger_spend_pence > 0 and report.invoiced_pence == report.ledger_spend_pence
    assert report.unmatched == []


@pytest.mark.django_db(transaction=True)
def test_done_when_over_real_http_onboard_pay_invoice_refund_and_reconcile(fake_stripe, live_server, settings):
    """With test keys pointed at the fake: a provider onboards, a self-funder pays by card, a council invoice is paid
    and transferred, a refund is made, and the period's reconciliation balances. Every webhook goes over HTTP to the
    running server, signed, as Stripe sends it."""
    from market.accounts.models import Role
    from tests.factories import UserFactory

    finance = UserFactory(roles=[Role.FINANCE])
    settings.SITE_URL = live_server.url

    def post_events(events):
        for event in events:
            status, body = fake_stripe.post_to(live_server.url, event)
            assert status == HTTPStatus.OK, body
        for event in WebhookEvent.objects.filter(status=EventStatus.RECEIVED).order_by("pk"):
            webhook_process(event_id=event.pk)

    council = council_invoice(price_pence=1750)
    self_funded = card_invoice(service=council.service)
    owner = council.service.owner
    account = account_onboarding_start(provider=council.provider, actor=owner)
    post_events([fake_stripe.complete_onboarding(account.stripe_id)])
    invoice_record_payment(invoice=council, actor=finance, paid_on=timezone.localdate(), reference="BACS 9")
    payment = card_checkout_start(invoice=self_funded, user=self_funded.person.user)
    post_events(fake_stripe.pay_checkout(payment.checkout_session_id))
    assert transfers_send_due() == 2
    payment.refresh_from_db()
    card_payment_refund(payment=payment, amount_pence=1750, reason="Cancelled", actor=finance, token="x")
    post_events([fake_stripe.events[-1]])  # Stripe's charge.refunded

    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {EventStatus.PROCESSED}
    assert sorted(transfer["amount"] for transfer in fake_stripe.objects["transfers"].values()) == [1750, 1750]
    report = reconciliation_for(start=_month()[0], end=_month()[1])
    assert report.unmatched == [] and report.transferred_pence == 3500 and report.refunded_pence == 1750
    assert report.ledger_refund_pence == 1750 and report.waiting_pence == 0
