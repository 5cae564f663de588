"""Card payments of invoices through Stripe Checkout, fulfilled by webhook (never by the browser's return), once,
whatever the order of events; refunds with a reason, refused above what was paid, into the budget ledger."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from invoicing.models import InvoiceStatus
from market.accounts.models import Role
from market.outbox.models import Email
from orders.models import EntryKind, LedgerEntry
from orders.selectors import budget_balance
from payments.exceptions import PaymentRefused
from payments.models import CardPayment, CardPaymentStatus, Refund, Transfer, TransferStatus
from payments.services import card_checkout_start, card_payment_refund
from tests.factories import CaseloadFactory, UserFactory
from tests.payments.helpers import activate, card_invoice, council_invoice, deliver, run_queued

pytestmark = pytest.mark.django_db


def _checkout(client, invoice) -> CardPayment:
    client.force_login(invoice.person.user)
    response = client.post(reverse("payments:pay", args=[invoice.pk]))
    payment = CardPayment.objects.get(invoice=invoice)
    assert response.status_code == HTTPStatus.FOUND and response["Location"] == payment.checkout_url
    return payment


def _paid_invoice(client, fake):
    invoice = card_invoice(price_pence=1750, visits=2)
    payment = _checkout(client, invoice)
    deliver(client, fake, fake.pay_checkout(payment.checkout_session_id))
    payment.refresh_from_db()
    return invoice, payment


def test_a_person_pays_an_invoice_by_card_and_the_webhook_fulfils_it(client, fake_stripe):
    invoice = card_invoice(price_pence=1750, visits=2)
    activate(client, fake_stripe, invoice.provider)
    client.force_login(invoice.person.user)
    listing = client.get(reverse("payments:invoices")).content.decode()
    assert invoice.number in listing
    assert "Pay £35.00 by card" in client.get(reverse("payments:pay", args=[invoice.pk])).content.decode()

    payment = _checkout(client, invoice)
    session = fake_stripe.calls("POST", "/v1/checkout/sessions")[0]
    assert session.idempotency_key == f"checkout-{payment.pk}"
    assert session.params["line_items"][0]["price_data"]["unit_amount"] == "3500"
    assert session.params["payment_intent_data"]["transfer_group"] == f"invoice-{invoice.pk}"
    assert session.params["success_url"].endswith(f"/payments/invoices/{invoice.pk}/paid/?session_id="
                                                  "{CHECKOUT_SESSION_ID}")

    # The browser coming back changes nothing.
    back = client.get(reverse("payments:paid", args=[invoice.pk])).content.decode()
    assert "Stripe is confirming your payment" in back
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.ISSUED

    events = fake_stripe.pay_checkout(payment.checkout_session_id)
    assert deliver(client, fake_stripe, events) == ["paid", "already paid"]

    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert (payment.status, payment.payment_intent_id) == (CardPaymentStatus.PAID, events[1]["data"]["object"]["id"])
    assert (invoice.status, invoice.payment_reference) == (InvoiceStatus.PAID, f"Card {payment.payment_intent_id}")
    assert "is paid" in client.get(reverse("payments:paid", args=[invoice.pk])).content.decode()
    # The provider's share goes by transfer, in the same transfer group.
    assert run_queued("payments.tasks.send_transfer") == ["sent"]
    transfer = Transfer.objects.get(invoice=invoice)
    assert fake_stripe.objects["transfers"][transfer.stripe_id]["transfer_group"] == f"invoice-{invoice.pk}"
    # The same events again: one effect.
    for event in events:
        fake_stripe.deliver(client, event)
    assert run_queued("payments.tasks.process_webhook") == []
    assert Transfer.objects.count() == 1 and len(fake_stripe.objects["transfers"]) == 1


def test_a_second_click_reuses_the_open_checkout(client, fake_stripe):
    invoice = card_invoice()
    first = _checkout(client, invoice)
    again = client.post(reverse("payments:pay", args=[invoice.pk]))
    assert again["Location"] == first.checkout_url
    assert len(fake_stripe.calls("POST", "/v1/checkout/sessions")) == 1


def test_a_delayed_payment_is_processing_then_paid_or_failed(client, fake_stripe):
    invoice = card_invoice()
    payment = _checkout(client, invoice)
    deliver(client, fake_stripe, fake_stripe.pay_checkout(payment.checkout_session_id, asynchronous=True))
    payment.refresh_from_db()
    assert payment.status == CardPaymentStatus.PROCESSING
    refused = client.post(reverse("payments:pay", args=[invoice.pk]), follow=True).content.decode()
    assert "being processed" in refused

    deliver(client, fake_stripe, fake_stripe.settle_async(payment.checkout_session_id, succeeded=False))
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert (payment.status, invoice.status) == (CardPaymentStatus.FAILED, InvoiceStatus.ISSUED)


def test_events_out_of_order_never_move_a_payment_back(client, fake_stripe):
    invoice = card_invoice()
    payment = _checkout(client, invoice)
    completed_unpaid = fake_stripe.pay_checkout(payment.checkout_session_id, asynchronous=True)[0]
    succeeded = fake_stripe.settle_async(payment.checkout_session_id, succeeded=True)

    deliver(client, fake_stripe, [*succeeded, completed_unpaid])

    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert (payment.status, invoice.status) == (CardPaymentStatus.PAID, InvoiceStatus.PAID)
    assert Transfer.objects.filter(invoice=invoice).count() == 1


def test_a_council_invoice_cannot_be_paid_by_card(client, fake_stripe, holder):
    invoice = council_invoice()
    person = invoice.lines.first().visit.order.holder
    with pytest.raises(PaymentRefused, match="The council pays this invoice"):
        card_checkout_start(invoice=invoice, user=person.user)
    client.force_login(person.user)  # the council's invoice has no page to pay it on
    assert client.post(reverse("payments:pay", args=[invoice.pk])).status_code == HTTPStatus.NOT_FOUND
    assert fake_stripe.requests == [] and not CardPayment.objects.exists()


def test_someone_elses_invoice_is_not_shown(client, fake_stripe, holder):
    invoice = card_invoice()
    client.force_login(holder.user)
    assert client.get(reverse("payments:pay", args=[invoice.pk])).status_code == HTTPStatus.NOT_FOUND
    assert client.post(reverse("payments:pay", args=[invoice.pk])).status_code == HTTPStatus.NOT_FOUND
    assert invoice.number not in client.get(reverse("payments:invoices")).content.decode()


def test_without_stripe_keys_the_pay_page_says_not_set_up(client, settings, db):
    settings.STRIPE_SECRET_KEY = ""
    invoice = card_invoice()
    client.force_login(invoice.person.user)
    page = client.get(reverse("payments:pay", args=[invoice.pk])).content.decode()
    assert "Card payments are not set up on this site yet" in page and "by card</button>" not in page


def test_finance_staff_refund_part_then_the_rest_into_the_budget_ledger(client, fake_stripe, finance,
                                                                       verified_client):
    invoice, payment = _paid_invoice(client, fake_stripe)
    budget = invoice.lines.first().visit.order.budget
    spent_before = budget_balance(budget).spent
    staff = verified_client(finance)
    page = reverse("payments-finance:refund", args=[payment.pk])
    assert "£35.00" in staff.get(page).content.decode()

    # Above what was paid: refused beside the field, nothing sent to Stripe.
    refused = staff.post(page, {"amount_pence": "35.01", "reason": "Visit cancelled late", "token": "a" * 32})
    assert "at most £35.00 can be refunded" in refused.content.decode()
    no_reason = staff.post(page, {"amount_pence": "5.00", "reason": "", "token": "a" * 32})
    assert "Give the reason for the refund" in no_reason.content.decode()
    assert fake_stripe.calls("POST", "/v1/refunds") == []

    staff.post(page, {"amount_pence": "20.00", "reason": "Carer arrived an hour late", "token": "b" * 32})
    staff.post(page, {"amount_pence": "20.00", "reason": "Carer arrived an hour late", "token": "b" * 32})  # twice
    refund = Refund.objects.get()
    assert (refund.amount_pence, refund.to_budget_pence, refund.actor) == (2000, 2000, finance)
    assert fake_stripe.objects["refunds"][refund.stripe_id]["amount"] == 2000
    assert len(fake_stripe.objects["refunds"]) == 1
    entries = list(LedgerEntry.objects.filter(kind=EntryKind.REFUND).order_by("pk").values_list("amount_pence",
                                                                                                "reason"))
    assert [amount for amount, _ in entries] == [1750, 250]  # the latest visit first, then the earlier one
    assert all("Carer arrived an hour late" in reason for _, reason in entries)
    assert budget_balance(budget).spent == spent_before - 2000

    rest = staff.post(page, {"amount_pence": "15.01", "reason": "The rest", "token": "c" * 32})
    assert "at most £15.00 can be refunded" in rest.content.decode()
    staff.post(page, {"amount_pence": "15.00", "reason": "The rest", "token": "c" * 32})
    payment.refresh_from_db()
    assert (payment.refunded_pence, payment.refundable_pence) == (3500, 0)
    assert budget_balance(budget).spent == spent_before - 3500
    # Stripe's charge.refunded for our own refunds adds nothing.
    assert deliver(client, fake_stripe, fake_stripe.events[-1]) == ["recorded"]
    assert Refund.objects.count() == 2


def test_stripe_down_during_a_refund_changes_nothing_and_the_retry_refunds_once(client, fake_stripe, finance,
                                                                             verified_client):
    _invoice, payment = _paid_invoice(client, fake_stripe)
    staff = verified_client(finance)
    page = reverse("payments-finance:refund", args=[payment.pk])
    form = {"amount_pence": "10.00", "reason": "Missed visit", "token": "d" * 32}
    fake_stripe.slow_next(1, seconds=2.5, path="/v1/refunds")  # Stripe refunds, but we time out

    told = staff.post(page, form).content.decode()
    assert "Stripe did not answer" in told
    assert (Refund.objects.count(), LedgerEntry.objects.filter(kind=EntryKind.REFUND).count()) == (0, 0)
    staff.post(page, form)  # sent again, same token
    assert Refund.objects.get().amount_pence == 1000
    assert len(fake_stripe.objects["refunds"]) == 1


def test_the_persons_coordinator_may_refund_others_may_not(client, fake_stripe):
    _invoice, payment = _paid_invoice(client, fake_stripe)
    coordinator = CaseloadFactory(person=payment.person).coordinator
    other = UserFactory(roles=[Role.COORDINATOR])
    form = {"amount_pence": "5.00", "reason": "Goodwill", "token": "e" * 32}

    client.force_login(other)
    assert client.post(reverse("payments-finance:refund", args=[payment.pk]), form).status_code == \
        HTTPStatus.FORBIDDEN
    with pytest.raises(PaymentRefused, match="Only finance staff or the person"):
        card_payment_refund(payment=payment, amount_pence=500, reason="Goodwill", actor=other, token="f")
    client.force_login(coordinator)
    client.post(reverse("payments-finance:refund", args=[payment.pk]), form)
    assert Refund.objects.get().actor == coordinator
    client.force_login(payment.person.user)
    assert client.get(reverse("payments-finance:refund", args=[payment.pk])).status_code == HTTPStatus.FORBIDDEN


def test_a_refund_made_in_stripes_dashboard_and_a_dispute_are_recorded(client, fake_stripe, finance):
    _invoice, payment = _paid_invoice(client, fake_stripe)
    charge = fake_stripe.objects["charges"][fake_stripe.objects["payment_intents"][payment.payment_intent_id]
                                            ["latest_charge"]]
    charge["amount_refunded"] = 500
    charge["refunds"]["data"].append({"id": "re_dashboard", "amount": 500, "status": "succeeded"})
    deliver(client, fake_stripe, [fake_stripe.event("charge.refunded", charge)] * 2)
    deliver(client, fake_stripe, fake_stripe.dispute(payment.payment_intent_id))

    payment.refresh_from_db()
    refund = Refund.objects.get()
    assert (refund.stripe_id, refund.amount_pence, refund.to_budget_pence, refund.actor) == (
        "re_dashboard", 500, 0, None)
    assert (payment.refunded_pence, payment.disputed) == (500, True)
    assert Email.objects.filter(subject__contains="is disputed").count() == 1


def test_a_transfer_waits_when_the_card_payer_s_provider_is_not_active(client, fake_stripe):
    invoice, payment = _paid_invoice(client, fake_stripe)
    assert payment.status == CardPaymentStatus.PAID
    assert Transfer.objects.get(invoice=invoice).status == TransferStatus.WAITING
