"""Paying an invoice by card (/payments/invoices/...): the person, or someone acting for them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from market.accounts.models import ConsentScope
from market.accounts.permissions import person_access
from market.accounts.selectors import people_for_user
from market.core.exceptions import DomainError

from .. import selectors, services, stripe_api


def _invoice_for(request, invoice_id: int, scope: ConsentScope):
    invoice = selectors.invoice_get(invoice_id)
    if invoice is None or invoice.person is None:
        raise Http404("No such invoice.")
    person_access(request.user, invoice.person, scope, request=request)
    return invoice


@login_required
def invoices(request):
    return render(request, "payments/person_invoices.html", {
        "invoices": selectors.invoices_to_pay(people_for_user(user=request.user)), "set_up": stripe_api.is_set_up()})


@login_required
def pay(request, invoice_id: int):
    invoice = _invoice_for(request, invoice_id, ConsentScope.VIEW if request.method == "GET" else ConsentScope.ORDER)
    if request.method == "POST":
        try:
            payment = services.card_checkout_start(invoice=invoice, user=request.user)
        except stripe_api.StripeUnavailable:
            messages.error(request, "Stripe did not answer. Nothing was charged: try again in a minute.")
        except DomainError as refusal:
            messages.error(request, refusal.message)
        else:
            return redirect(payment.checkout_url)
    return render(request, "payments/pay.html", {
        "invoice": invoice, "payments": selectors.card_payments_of(invoice), "set_up": stripe_api.is_set_up()})


@login_required
def paid(request, invoice_id: int):
    """Where Stripe sends the person back. It changes nothing: the payment is confirmed by Stripe's webhook."""
    invoice = _invoice_for(request, invoice_id, ConsentScope.VIEW)
    return render(request, "payments/paid.html", {"invoice": invoice, "payments": selectors.card_payments_of(invoice)})
