"""One order's page and the changes made from it; a holder's orders; the provider's dashboard."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from market.accounts.models import ConsentScope
from market.accounts.permissions import capacity_for, person_access
from market.core.exceptions import DomainError
from market.core.forms import add_refusal, posted

from .. import selectors, services
from ..forms import MessageForm, ProposalForm
from ..models import OrderKind, OrderStatus
from ..transitions import Side, allowed_targets
from ._access import found, order_for, order_sides
from ._reason import reason_page


@login_required
def order_detail(request, order_id: int):
    order = found(selectors.order_get(order_id), "order")
    sides, acting = order_sides(request, order)
    # Confirming visits is its own consent scope: a supporter may confirm without being allowed to book.
    may_confirm = Side.PROVIDER not in sides and capacity_for(request.user, order.holder, ConsentScope.CONFIRM_VISITS)
    context = {
        "order": order,
        "acting": acting,
        "is_provider": Side.PROVIDER in sides,
        "is_coordinator": Side.COORDINATOR in sides,
        "may_confirm": bool(may_confirm),
        "targets": allowed_targets(current=order.status, sides=sides),
        "now": timezone.now(),
        "may_message": Side.PROVIDER in sides or bool(capacity_for(request.user, order.holder, ConsentScope.ORDER)),
        "message_form": MessageForm(),
        "may_review": order.status == OrderStatus.COMPLETED and Side.HOLDER in sides,
        "shared": selectors.shared_booking_for(order),
        **selectors.order_page(order),
    }
    return render(request, "orders/order_detail.html", context)


def _booked(order) -> str:
    if order.kind == OrderKind.BLOCK:
        return "The hours are set aside; the provider records each visit as it happens."
    return "The visit is booked." if order.visit_count == 1 else "The visits are booked."


def _button_action(request, order_id: int, *, act, done: str):
    """A one-button change to an order (no reason asked): do it, say what happened, back to the order."""
    order = order_for(request, order_id)
    try:
        act(order)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done(order) if callable(done) else done)
    return redirect("orders:order", order_id=order.pk)


@login_required
@require_POST
def order_accept(request, order_id: int):
    return _button_action(request, order_id, act=lambda o: services.order_accept(order=o, by=request.user),
                          done=lambda o: f"Order accepted. {_booked(o)}")


@login_required
@require_POST
def order_accept_proposal(request, order_id: int):
    return _button_action(request, order_id,
                          act=lambda o: services.order_accept_proposal(order=o, user=request.user),
                          done=lambda o: f"You accepted the change. {_booked(o)}")


def _reason_action(request, order_id: int, **page):
    order = order_for(request, order_id)
    return reason_page(request, order, back=("orders:order", order.pk), order=order, **page)


@login_required
def order_decline(request, order_id: int):
    return _reason_action(request, order_id, title="Decline this order", submit="Decline the order",
                          act=lambda o, r: services.order_decline(order=o, by=request.user, reason=r),
                          done="Order declined. The money has been released.")


@login_required
def order_cancel(request, order_id: int):
    return _reason_action(request, order_id, title="Cancel this order", submit="Cancel the order",
                          act=lambda o, r: services.order_cancel(order=o, by=request.user, reason=r),
                          done="Order cancelled.")


@login_required
def order_propose(request, order_id: int):
    order = order_for(request, order_id)
    form = ProposalForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.order_propose_change(order=order, by=request.user, note=data["note"],
                                          unit_price_pence=data["price"], first_visit_on=data["first_visit_on"],
                                          visit_starts_at=data["visit_starts_at"])
        except DomainError as error:
            add_refusal(form, {"unit_price_pence": "price"}.get(error.field, error.field), error.message)
        else:
            messages.success(request, "Your proposal has been sent.")
            return redirect("orders:order", order_id=order.pk)
    return render(request, "orders/form_page.html", {
        "form": form, "title": "Propose a change", "submit": "Send the proposal", "order": order,
        "back": ("orders:order", order.pk)})


@login_required
def orders_for_person(request, person_id: int):
    person = found(selectors.person_get(person_id), "person")
    acting = person_access(request.user, person, ConsentScope.VIEW, request=request)
    return render(request, "orders/orders_for_person.html",
                  {"person": person, "acting": acting, **selectors.orders_for_person(person)})


@login_required
def provider_dashboard(request):
    context = selectors.provider_dashboard(request.user)
    if context is None:
        raise PermissionDenied("This page is for providers.")
    return render(request, "orders/provider_dashboard.html", selectors.dashboard_as_bookings(context))
