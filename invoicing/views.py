"""Finance staff's invoices (/finance/invoices/) and a provider's own (/provider/<slug>/invoices/)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from market.accounts.permissions import require_role
from market.core.exceptions import DomainError
from market.core.forms import add_refusal, posted
from market.outbox.tasks_queue import enqueue
from providers.permissions import provider_for_member

from . import selectors, services
from .forms import CreditForm, PaymentForm, RunForm
from .tasks import previous_month


def invoices(request):
    require_role(request.user, *services.FINANCE_ROLES)
    status = request.GET.get("status")
    status = status if status in selectors.STATUS_FILTERS else None
    start, end = previous_month(timezone.localdate())
    return render(request, "invoicing/invoices.html", {
        "invoices": selectors.invoices_by_status(status), "status": status, "counts": selectors.invoice_counts(),
        "run_form": RunForm(initial={"period_start": start, "period_end": end}),
    })


def invoicing_start(request):
    require_role(request.user, *services.FINANCE_ROLES)
    form = RunForm(posted(request))
    if request.method == "POST" and form.is_valid():
        start, end = form.cleaned_data["period_start"], form.cleaned_data["period_end"]
        enqueue("invoicing.tasks.invoice_period", start.isoformat(), end.isoformat(), request.user.pk)
        messages.success(request, f"Invoicing {start:%-d %B} to {end:%-d %B %Y} has started. Its progress is shown "
                                  "below; invoices appear on the invoices page as they are issued.")
        return redirect("outbox:background")
    return render(request, "invoicing/run.html", {"form": form})


def _invoice(invoice_id: int):
    invoice = selectors.invoice_get(invoice_id)
    if invoice is None:
        raise Http404("No such invoice.")
    return invoice


def invoice_detail(request, invoice_id: int):
    require_role(request.user, *services.FINANCE_ROLES)
    invoice = _invoice(invoice_id)
    payment_form = PaymentForm(initial={"paid_on": timezone.localdate()}, prefix="payment")
    credit_form = CreditForm(prefix="credit")
    if request.method == "POST":
        action = request.POST.get("action")
        form = PaymentForm(request.POST, prefix="payment") if action == "pay" else CreditForm(request.POST,
                                                                                              prefix="credit")
        if form.is_valid():
            try:
                if action == "pay":
                    services.invoice_record_payment(invoice=invoice, actor=request.user, **form.cleaned_data)
                    messages.success(request, f"Payment of {invoice.number} recorded.")
                else:
                    note = services.invoice_credit(invoice=invoice, actor=request.user, **form.cleaned_data)
                    messages.success(request, f"Credit note {note.number} issued.")
                return redirect("invoicing:invoice", invoice_id=invoice.pk)
            except DomainError as error:
                add_refusal(form, error.field, error.message)
        if action == "pay":
            payment_form = form
        else:
            credit_form = form
    return render(request, "invoicing/invoice.html", {
        "invoice": invoice, "payment_form": payment_form, "credit_form": credit_form, "finance": True,
    })


def provider_invoices(request, slug: str):
    provider, _ = provider_for_member(request.user, slug)
    return render(request, "invoicing/provider_invoices.html", {
        "provider": provider, "invoices": selectors.invoices_by_status(provider=provider),
    })


def provider_invoice(request, slug: str, invoice_id: int):
    provider, _ = provider_for_member(request.user, slug)
    invoice = _invoice(invoice_id)
    if invoice.provider_id != provider.pk:
        raise Http404("No such invoice.")
    return render(request, "invoicing/invoice.html", {"invoice": invoice, "finance": False, "provider": provider})


def _pdf_response(invoice) -> FileResponse:
    invoice = services.invoice_pdf_ensure(invoice=invoice)
    response = FileResponse(invoice.pdf.open("rb"), content_type="application/pdf", as_attachment=True,
                            filename=f"{invoice.number}.pdf")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def invoice_pdf(request, invoice_id: int):
    require_role(request.user, *services.FINANCE_ROLES)
    return _pdf_response(_invoice(invoice_id))


def provider_invoice_pdf(request, slug: str, invoice_id: int):
    provider, _ = provider_for_member(request.user, slug)
    invoice = _invoice(invoice_id)
    if invoice.provider_id != provider.pk:
        raise Http404("No such invoice.")
    return _pdf_response(invoice)
