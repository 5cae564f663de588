"""Finance staff's payments pages (/finance/payments/): card payments and refunds, transfers to providers, Stripe's
events (failed ones replayed), and the reconciliation for a period (page and CSV)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from market.accounts.models import Role
from market.accounts.permissions import require_role
from market.core.exceptions import DomainError
from market.core.forms import add_refusal, posted

from .. import selectors, services, stripe_api
from ..forms import PeriodForm, RefundForm
from ..reconciliation import reconciliation_csv, reconciliation_for

FINANCE = (Role.FINANCE, Role.PLATFORM_ADMIN)


def overview(request):
    require_role(request.user, *FINANCE)
    return render(request, "payments/finance.html", {
        "set_up": stripe_api.is_set_up(), "card_payments": selectors.card_payments_recent(),
        "transfers": selectors.transfers_needing_attention(), "event_counts": selectors.webhook_counts(),
    })


def refund(request, payment_id: int):
    """Finance staff, or the person's coordinator, refund part or all of a card payment, with a reason."""
    payment = selectors.card_payment_get(payment_id)
    if payment is None:
        raise Http404("No such card payment.")
    if not selectors.may_refund(request.user, payment):
        raise PermissionDenied("Only finance staff or the person's coordinator can refund a payment.")
    form = RefundForm(posted(request), initial={"amount_pence": payment.refundable_pence})
    if request.method == "POST" and form.is_valid():
        try:
            done = services.card_payment_refund(payment=payment, actor=request.user, **form.cleaned_data)
        except DomainError as refusal:
            add_refusal(form, refusal.field, refusal.message)
        else:
            messages.success(request, f"Refunded £{done.amount_pence / 100:,.2f}; £{done.to_budget_pence / 100:,.2f} "
                                      "went back into the budget.")
            return redirect("payments-finance:refund", payment_id=payment.pk)
    return render(request, "payments/refund.html", {"payment": payment, "form": form})


@require_POST
def transfer_retry(request, transfer_id: int):
    require_role(request.user, *FINANCE)
    transfer = selectors.transfer_get(transfer_id)
    if transfer is None:
        raise Http404("No such transfer.")
    try:
        services.transfer_retry(transfer=transfer, actor=request.user)
        messages.success(request, "The transfer will be sent again within a minute, with the same idempotency key.")
    except DomainError as refusal:
        messages.error(request, refusal.message)
    return redirect("payments-finance:overview")


def events(request):
    require_role(request.user, *FINANCE)
    status = request.GET.get("status") or None
    return render(request, "payments/events.html", {
        "events": selectors.webhook_events(status), "status": status, "counts": selectors.webhook_counts()})


@require_POST
def event_replay(request, event_id: int):
    require_role(request.user, *FINANCE)
    event = selectors.webhook_event_get(event_id)
    if event is None:
        raise Http404("No such event.")
    try:
        services.webhook_replay(event=event, actor=request.user)
        messages.success(request, f"Event {event.event_id} will be processed again within a minute.")
    except DomainError as refusal:
        messages.error(request, refusal.message)
    return redirect("payments-finance:events")


def reconciliation(request):
    require_role(request.user, *FINANCE)
    today = timezone.localdate()
    form = PeriodForm(request.GET if "start" in request.GET else None,
                      initial={"start": today.replace(day=1), "end": today})
    start, end = (form.cleaned_data["start"], form.cleaned_data["end"]) if form.is_bound and form.is_valid() \
        else (today.replace(day=1), today)
    if form.is_bound and not form.is_valid():
        return render(request, "payments/reconciliation.html", {"form": form, "report": None})
    report = reconciliation_for(start=start, end=end)
    if request.GET.get("format") == "csv":
        response = HttpResponse(reconciliation_csv(report), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="reconciliation-{start}-{end}.csv"'
        return response
    return render(request, "payments/reconciliation.html", {"form": form, "report": report})
