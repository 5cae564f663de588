"""Visits: the provider records them; the holder's side confirms or disputes them; the coordinator settles."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from market.core.exceptions import DomainError
from market.core.forms import add_refusal, posted

from .. import selectors, services
from ..forms import DeliveryForm, ReasonForm, ResolveForm
from ..money import format_pence
from ._access import order_for, visit_for


@login_required
def visit_record(request, visit_id: int):
    visit = visit_for(request, visit_id)
    form = DeliveryForm.for_visit(visit, posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.visit_record_delivery(visit=visit, by=request.user, actual_starts_at=data["actual_starts_at"],
                                           actual_ends_at=data["actual_ends_at"], notes=data["notes"])
        except DomainError as error:
            add_refusal(form, error.field, error.message)
        else:
            messages.success(request, "Visit recorded. We have asked the person to confirm it.")
            return redirect("orders:order", order_id=visit.order_id)
    return render(request, "orders/form_page.html", {
        "form": form, "title": "Record a visit", "submit": "Record the visit", "order": visit.order,
        "back": ("orders:order", visit.order_id)})


@login_required
def block_record(request, order_id: int):
    order = order_for(request, order_id)
    form = DeliveryForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.visit_record_block(order=order, by=request.user, actual_starts_at=data["actual_starts_at"],
                                        actual_ends_at=data["actual_ends_at"], notes=data["notes"])
        except DomainError as error:
            add_refusal(form, error.field, error.message)
        else:
            messages.success(request, "Visit recorded. We have asked the person to confirm it.")
            return redirect("orders:order", order_id=order.pk)
    return render(request, "orders/form_page.html", {
        "form": form, "title": "Record time used from the block", "submit": "Record the visit", "order": order,
        "quote": selectors.shares_left_text(selectors.block_share_use(order)), "back": ("orders:order", order.pk)})


@login_required
@require_POST
def visit_confirm(request, visit_id: int):
    visit = visit_for(request, visit_id)
    try:
        services.visit_confirm(visit=visit, user=request.user)
        messages.success(request, f"Visit confirmed. {format_pence(visit.cost_pence)} has been paid from the budget.")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("orders:order", order_id=visit.order_id)


@login_required
def visit_dispute(request, visit_id: int):
    visit = visit_for(request, visit_id)
    form = ReasonForm(posted(request))
    form.fields["reason"].label = "What went wrong?"
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_dispute(visit=visit, user=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form.add_error("reason" if error.field == "reason" else None, error.message)
        else:
            messages.success(request, "Thank you. The coordinator will look into it; nothing is paid until then.")
            return redirect("orders:order", order_id=visit.order_id)
    return render(request, "orders/form_page.html", {
        "form": form, "title": "Something was wrong with this visit", "submit": "Send to the coordinator",
        "order": visit.order, "back": ("orders:order", visit.order_id)})


@login_required
def visit_resolve(request, visit_id: int):
    visit = visit_for(request, visit_id)
    form = ResolveForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_resolve_dispute(visit=visit, by=request.user, pay=form.cleaned_data["pay"],
                                           note=form.cleaned_data["note"])
        except DomainError as error:
            form.add_error("note" if error.field == "note" else None, error.message)
        else:
            messages.success(request, "Dispute settled.")
            return redirect("orders:order", order_id=visit.order_id)
    return render(request, "orders/form_page.html", {
        "form": form, "title": "Settle a disputed visit", "submit": "Save the decision", "order": visit.order,
        "back": ("orders:order", visit.order_id), "visit": visit})
