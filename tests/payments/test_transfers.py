"""Council invoices: when finance staff record the council's payment, the provider's share is transferred once,
with an idempotency key from our ids; Stripe's 500s and timeouts are retried with the same key and never pay twice;
a provider without an active account waits, visibly, until `account.updated` says it is active."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from invoicing.models import InvoiceStatus
from invoicing.services import invoice_record_payment
from market.outbox.models import Email
from payments.exceptions import PaymentRefused
from payments.models import Transfer, TransferStatus
from payments.services import transfer_retry, transfer_send, transfers_send_due
from tests.payments.helpers import activate, council_invoice, deliver, run_queued

pytestmark = pytest.mark.django_db


def _pay(invoice, finance):
    return invoice_record_payment(invoice=invoice, actor=finance, paid_on=timezone.localdate(), reference="BACS 42")


def _later(minutes: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=minutes)


def test_the_councils_payment_sends_the_providers_share_once(client, fake_stripe, finance, verified_client):
    invoice = council_invoice(price_pence=1750, visits=2)
    account = activate(client, fake_stripe, invoice.provider)

    # Recorded on the invoice's page, as finance staff do.
    page = reverse("invoicing:invoice", args=[invoice.pk])
    verified_client(finance).post(page, {"action": "pay", "payment-paid_on": timezone.localdate().isoformat(),
                                         "payment-reference": "BACS 42"})
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert run_queued("payments.tasks.send_transfer") == ["sent"]

    transfer = Transfer.objects.get(invoice=invoice)
    sent = fake_stripe.objects["transfers"][transfer.stripe_id]
    assert (transfer.status, transfer.amount_pence, transfer.fee_pence) == (TransferStatus.SENT, 3500, 0)
    assert (sent["amount"], sent["destination"], sent["transfer_group"]) == (3500, account.stripe_id,
                                                                           f"invoice-{invoice.pk}")
    assert [call.idempotency_key for call in fake_stripe.calls("POST", "/v1/transfers")] == [
        f"transfer-invoice-{invoice.pk}"]
    assert Email.objects.filter(key=f"transfer-sent:{transfer.pk}", to=[invoice.provider.email]).exists()
    # Sending again does nothing: it is no longer due.
    assert transfer_send(transfer_id=transfer.pk) == "skipped"
    assert len(fake_stripe.objects["transfers"]) == 1


def test_stripe_answering_500_is_retried_later_with_the_same_key(client, fake_stripe, finance):
    invoice = council_invoice()
    activate(client, fake_stripe, invoice.provider)
    fake_stripe.fail_next(2, path="/v1/transfers")

    _pay(invoice, finance)
    assert run_queued("payments.tasks.send_transfer") == ["retry"]
    transfer = Transfer.objects.get(invoice=invoice)
    assert (transfer.status, transfer.attempts) == (TransferStatus.DUE, 1)
    assert "500" in transfer.last_error and transfer.due_at > timezone.now()
    assert transfers_send_due() == 0  # not due yet: it waits for its backoff
    assert transfers_send_due(now=_later(1)) == 0  # the second 500
    assert transfers_send_due(now=_later(10)) == 1

    transfer.refresh_from_db()
    assert (transfer.status, transfer.attempts, transfer.last_error) == (TransferStatus.SENT, 3, "")
    # Try 1: the create answered 500. Try 2: asking whether it exists answered 500. Try 3: it does not; created.
    creates = fake_stripe.calls("POST", "/v1/transfers")
    assert [call.answered for call in creates] == [500, 200]
    assert {call.idempotency_key for call in creates} == {f"transfer-invoice-{invoice.pk}"}
    assert [call.params for call in fake_stripe.calls("GET", "/v1/transfers")] == [
        {"transfer_group": f"invoice-{invoice.pk}", "limit": "100"}] * 2
    assert len(fake_stripe.objects["transfers"]) == 1


def test_a_timeout_after_stripe_made_the_transfer_never_pays_twice(client, fake_stripe, finance):
    invoice = council_invoice()
    activate(client, fake_stripe, invoice.provider)
    # Stripe makes the transfer, but answers after our 1 s timeout: we do not know it happened.
    fake_stripe.slow_next(1, seconds=2.5, path="/v1/transfers")

    _pay(invoice, finance)
    assert run_queued("payments.tasks.send_transfer") == ["retry"]
    assert len(fake_stripe.objects["transfers"]) == 1  # made, though we were not told
    transfer = Transfer.objects.get(invoice=invoice)
    assert transfer.status == TransferStatus.DUE and "APIConnectionError" in transfer.last_error

    assert transfers_send_due(now=_later(5)) == 1
    transfer.refresh_from_db()
    (made,) = fake_stripe.objects["transfers"].values()
    assert (transfer.status, transfer.stripe_id) == (TransferStatus.SENT, made["id"])
    # The retry found it at Stripe (by its transfer group and our id) and made nothing more.
    assert len(fake_stripe.calls("POST", "/v1/transfers")) == 1


def test_a_retry_after_stripe_forgot_the_key_still_never_pays_twice(client, fake_stripe, finance):
    invoice = council_invoice()
    activate(client, fake_stripe, invoice.provider)
    fake_stripe.slow_next(1, seconds=2.5, path="/v1/transfers")
    _pay(invoice, finance)
    run_queued("payments.tasks.send_transfer")
    fake_stripe._idempotent.clear()  # more than 24 hours later: Stripe no longer knows the key

    assert transfers_send_due(now=_later(5)) == 1
    assert len(fake_stripe.objects["transfers"]) == 1


def test_a_transfer_still_failing_after_its_tries_waits_for_staff(client, fake_stripe, finance, verified_client):
    invoice = council_invoice()
    activate(client, fake_stripe, invoice.provider)
    fake_stripe.fail_next(10, path="/v1/transfers")
    _pay(invoice, finance)
    run_queued("payments.tasks.send_transfer")
    for minutes in range(1, 10):
        transfers_send_due(now=_later(minutes * 70))
    transfer = Transfer.objects.get(invoice=invoice)
    assert (transfer.status, transfer.attempts) == (TransferStatus.FAILED, 10)

    staff = verified_client(finance)
    overview = staff.get(reverse("payments-finance:overview")).content.decode()
    assert invoice.number in overview and "Failed: needs a look" in overview
    staff.post(reverse("payments-finance:transfer-retry", args=[transfer.pk]))
    assert run_queued("payments.tasks.send_transfer") == ["sent"]
    assert len(fake_stripe.objects["transfers"]) == 1


def test_money_for_a_provider_without_an_active_account_waits_visibly(client, fake_stripe, finance):
    invoice = council_invoice(price_pence=2000)
    _pay(invoice, finance)

    transfer = Transfer.objects.get(invoice=invoice)
    assert transfer.status == TransferStatus.WAITING
    assert run_queued("payments.tasks.send_transfer") == [] and transfers_send_due() == 0
    assert fake_stripe.calls("POST", "/v1/transfers") == []
    client.force_login(invoice.service.owner)
    page = client.get(reverse("payouts:page", args=[invoice.provider.slug])).content.decode()
    assert "Waiting until your Stripe account is active" in page and invoice.number in page
    assert "<dt>Waiting for you</dt><dd>£20.00</dd>" in page
    with pytest.raises(PaymentRefused, match="Stripe account is not active yet, so nothing can be sent"):
        transfer_retry(transfer=transfer, actor=finance)
    transfer.refresh_from_db()
    assert (transfer.status, transfer.attempts) == (TransferStatus.WAITING, 0)

    # Onboarding completes: the waiting money goes.
    activate(client, fake_stripe, invoice.provider)
    assert run_queued("payments.tasks.send_transfer") == ["sent"]
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.SENT and len(fake_stripe.objects["transfers"]) == 1


def test_stripe_refuses_a_transfer_to_an_account_that_is_not_active(client, fake_stripe, finance):
    # Our record says active, but Stripe has since restricted it (the webhook has not arrived yet).
    invoice = council_invoice()
    account = activate(client, fake_stripe, invoice.provider)
    fake_stripe.objects["accounts"][account.stripe_id]["capabilities"]["transfers"] = "inactive"

    _pay(invoice, finance)
    assert run_queued("payments.tasks.send_transfer") == ["failed"]
    transfer = Transfer.objects.get(invoice=invoice)
    assert transfer.status == TransferStatus.FAILED
    assert "destination account needs to have at least one of the following capabilities" in transfer.last_error
    assert fake_stripe.objects["transfers"] == {}


def test_the_platform_fee_is_recorded_per_transfer(client, fake_stripe, finance, settings):
    settings.PAYMENTS_PLATFORM_FEE_BASIS_POINTS = 250  # 2.5%
    invoice = council_invoice(price_pence=1750)
    activate(client, fake_stripe, invoice.provider)
    _pay(invoice, finance)
    run_queued("payments.tasks.send_transfer")

    transfer = Transfer.objects.get(invoice=invoice)
    assert (transfer.fee_pence, transfer.amount_pence) == (44, 1706)  # 43.75p, half up
    assert fake_stripe.objects["transfers"][transfer.stripe_id]["amount"] == 1706


def test_a_reversed_transfer_and_a_failed_payout_are_recorded(client, fake_stripe, finance):
    invoice = council_invoice()
    account = activate(client, fake_stripe, invoice.provider)
    _pay(invoice, finance)
    run_queued("payments.tasks.send_transfer")
    transfer = Transfer.objects.get(invoice=invoice)

    reversed_event = fake_stripe.reverse_transfer(transfer.stripe_id, 500)
    deliver(client, fake_stripe, [reversed_event, reversed_event])
    deliver(client, fake_stripe, fake_stripe.payout_failed(account.stripe_id, 1750))

    transfer.refresh_from_db()
    account.refresh_from_db()
    assert (transfer.status, transfer.reversed_pence) == (TransferStatus.REVERSED, 500)
    assert account.payout_failure == "A payout of 17.50 pounds failed: The bank account has been closed."
    client.force_login(invoice.service.owner)
    assert "The bank account has been closed" in client.get(
        reverse("payouts:page", args=[invoice.provider.slug])).content.decode()
    assert Email.objects.filter(subject__contains="A payout to your bank failed").count() == 1


def test_without_stripe_keys_council_invoices_still_work_and_money_waits(db, finance, settings, client,
                                                                         verified_client):
    settings.STRIPE_SECRET_KEY = ""
    invoice = council_invoice()
    _pay(invoice, finance)

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert Transfer.objects.get(invoice=invoice).status == TransferStatus.WAITING
    page = verified_client(finance).get(reverse("payments-finance:overview"))
    assert page.status_code == HTTPStatus.OK and "Payments are not set up" in page.content.decode()
