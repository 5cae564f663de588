"""Shared bookings: sharing a booking with someone in the same household (a share question and a check page), and
the shared booking's page, where the provider answers it once and its visits are recorded and confirmed for both."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from market.accounts.models import ConsentScope
from market.accounts.permissions import Capacity, capacity_for, person_access
from market.core.exceptions import DomainError
from market.core.forms import add_refusal, posted
from market.core.numbers import whole_number

from .. import selectors, services
from ..forms import DeliveryForm, HouseholdForm, ShareForm
from ..transitions import Side, allowed_targets
from ._access import found, order_sides
from ._reason import reason_page
from .ordering import _draft, _go_to, _posted_key, _service


def _share_draft(request, service_id: int, person_id: int):
    person = found(selectors.person_get(person_id), "person")
    draft, acting = _draft(request, service=_service(service_id), person=person)
    return draft, acting


def _partner(draft, partner_id) -> object | None:
    return next((p for p in selectors.household_partners(draft.person) if str(p.pk) == str(partner_id)), None)


def _booking_arguments(draft) -> dict:
    arguments = draft.service_arguments()
    arguments.pop("pays_household_relative", None)  # a shared booking never pays a relative in the household
    return arguments


@login_required
def share_question(request, service_id: int, person_id: int):
    """Who shares the booking and in what share. A refusal of the quote is shown beside the field it is about."""
    draft, acting = _share_draft(request, service_id, person_id)
    if draft.first_unanswered() is not None:
        return _go_to(draft, draft.first_unanswered())
    partners = selectors.household_partners(draft.person)
    form = ShareForm(posted(request), person=draft.person, partners=partners)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.shared_booking_quote(
                user=request.user, budget=draft.budget, partner=_partner(draft, data["partner"]),
                first_percent=data["first_percent"], second_percent=data["second_percent"], service=draft.service,
                **_booking_arguments(draft))
        except DomainError as error:
            add_refusal(form, {"kind": None}.get(error.field, error.field), error.message)
        else:
            url = reverse("orders:share-check", args=[draft.service.pk, draft.person.pk])
            return redirect(f"{url}?with={data['partner']}&share={data['first_percent']}")
    return render(request, "orders/share_question.html", {
        "draft": draft, "acting": acting, "service": draft.service, "person": draft.person, "form": form,
        "partners": partners, "back": reverse("orders:check", args=[draft.service.pk, draft.person.pk])})


def _shared_key(draft) -> uuid.UUID:
    """One key per draft, so the check page submitted twice places one shared booking."""
    return uuid.uuid5(uuid.UUID(draft.idempotency_key), "shared booking")


@login_required
def share_check(request, service_id: int, person_id: int):
    """Each person's part and what each budget has left after it; placing it (POST) places both parts or neither."""
    draft, acting = _share_draft(request, service_id, person_id)
    source = request.POST if request.method == "POST" else request.GET
    partner = _partner(draft, source.get("with", ""))
    share = whole_number(source.get("share", ""), max_digits=3)  # the percent from the share question; "²" is no number
    question = reverse("orders:share", args=[draft.service.pk, draft.person.pk])
    key = _posted_key(request) if request.method == "POST" else None
    if key is not None:  # the same page submitted twice: the first booking stands
        existing = selectors.shared_booking_placed_with_key(idempotency_key=key, user=request.user)
        if existing is not None:
            return redirect("orders:shared", booking_id=existing.pk)
    if draft.first_unanswered() is not None:
        return _go_to(draft, draft.first_unanswered())
    if partner is None or share is None:
        return redirect(question)
    arguments = {"user": request.user, "budget": draft.budget, "partner": partner, "first_percent": share,
                 "service": draft.service, **_booking_arguments(draft)}
    context = {"draft": draft, "acting": acting, "service": draft.service, "person": draft.person,
               "partner": partner, "share": share, "back": question, "idempotency_key": _shared_key(draft)}
    try:
        if request.method == "POST":
            if key != _shared_key(draft):
                messages.error(request, "This page was out of date. Check the shared booking again, then book it.")
                return redirect(f"{request.path}?with={partner.pk}&share={share}")
            booking = services.shared_booking_place(idempotency_key=key, notes=draft.notes, **arguments)
            draft.forget()
            messages.success(request, f"Booked, shared by {draft.person.display_name} and {partner.display_name}. "
                                      f"{draft.service.provider} will answer soon.")
            return redirect("orders:shared", booking_id=booking.pk)
        context["quote"] = services.shared_booking_quote(**arguments)
    except DomainError as error:
        context["refusal"] = error.message
    return render(request, "orders/share_check.html", context)


def _booking_for(request, booking_id: int):
    """The shared booking and what the user is to it (a side of either order; 404 for strangers)."""
    booking = found(selectors.shared_booking_get(booking_id), "booking")
    sides = set()
    for order in booking.orders:
        try:
            order_sides_for_user, _acting = order_sides(request, order)
        except Http404:
            continue
        sides |= order_sides_for_user
    if not sides and not any(capacity_for(request.user, o.holder, ConsentScope.VIEW) for o in booking.orders):
        raise Http404("No such booking.")
    return booking, sides


@login_required
def shared_booking(request, booking_id: int):
    booking, sides = _booking_for(request, booking_id)
    first = booking.first_order
    is_provider = Side.PROVIDER in sides
    may_confirm = not is_provider and all(capacity_for(request.user, o.holder, ConsentScope.CONFIRM_VISITS)
                                          for o in booking.orders)
    may_act_for_both = is_provider or all(capacity_for(request.user, o.holder, ConsentScope.ORDER)
                                          for o in booking.orders)
    return render(request, "orders/shared_booking.html", {
        "booking": booking, "order": first, "is_provider": is_provider, "may_confirm": may_confirm,
        "targets": allowed_targets(current=first.status, sides=sides) if may_act_for_both else set(),
        # each part's budget and order page only to those who may see that person's (the provider sees both)
        "parts": [(order, percent, is_provider or bool(capacity_for(request.user, order.holder, ConsentScope.VIEW)))
                  for order, percent in ((booking.first_order, booking.first_percent),
                                         (booking.second_order, booking.second_percent))],
        "pairs": selectors.shared_visit_pairs(booking), "now": timezone.now(),
    })


@login_required
@require_POST
def shared_accept(request, booking_id: int):
    booking, _sides = _booking_for(request, booking_id)
    try:
        services.shared_booking_accept(booking=booking, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Booking accepted for both people. The visits are booked.")
    return redirect("orders:shared", booking_id=booking.pk)


def _reason_page(request, booking_id: int, **page):
    booking, _sides = _booking_for(request, booking_id)
    return reason_page(request, booking, back=("orders:shared", booking.pk), **page)


@login_required
def shared_decline(request, booking_id: int):
    return _reason_page(request, booking_id, title="Decline this shared booking", submit="Decline for both",
                        act=lambda b, r: services.shared_booking_decline(booking=b, by=request.user, reason=r),
                        done="Declined for both people. The money has been released.")


@login_required
def shared_cancel(request, booking_id: int):
    return _reason_page(request, booking_id, title="Cancel this shared booking", submit="Cancel for both",
                        act=lambda b, r: services.shared_booking_cancel(booking=b, by=request.user, reason=r),
                        done="Cancelled for both people.")


def _visit_of(booking, visit_id: int):
    visit = found(selectors.visit_get(visit_id), "visit")
    if visit.order_id not in (booking.first_order_id, booking.second_order_id):
        raise Http404("No such visit.")
    return visit


@login_required
def shared_visit_record(request, booking_id: int, visit_id: int):
    booking, _sides = _booking_for(request, booking_id)
    visit = _visit_of(booking, visit_id)
    form = DeliveryForm.for_visit(visit, posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.shared_visit_record(booking=booking, visit=visit, by=request.user,
                                         actual_starts_at=data["actual_starts_at"],
                                         actual_ends_at=data["actual_ends_at"], notes=data["notes"])
        except DomainError as error:
            add_refusal(form, error.field, error.message)
        else:
            messages.success(request, "Visit recorded for both people. We have asked them to confirm it.")
            return redirect("orders:shared", booking_id=booking.pk)
    return render(request, "orders/form_page.html", {
        "form": form, "title": "Record a shared visit", "submit": "Record the visit for both",
        "back": ("orders:shared", booking.pk)})


@login_required
@require_POST
def shared_visit_confirm(request, booking_id: int, visit_id: int):
    booking, _sides = _booking_for(request, booking_id)
    visit = _visit_of(booking, visit_id)
    try:
        services.shared_visit_confirm(booking=booking, visit=visit, user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Visit confirmed. Each budget pays its share.")
    return redirect("orders:shared", booking_id=booking.pk)


@login_required
def household(request, person_id: int):
    """Who a person lives with and may share support with; their coordinator records the household here."""
    person = found(selectors.person_get(person_id), "person")
    acting = person_access(request.user, person, ConsentScope.VIEW, request=request)
    current = selectors.household_of(person)
    may_record = current is None and capacity_for(request.user, person, ConsentScope.ORDER) is Capacity.COORDINATOR
    candidates = selectors.household_candidates(request.user, person) if may_record else []
    form = HouseholdForm(posted(request), candidates=candidates) if may_record else None
    if form is not None and request.method == "POST" and form.is_valid():
        chosen = [p for p in candidates if p.pk in form.cleaned_data["people"]]
        try:
            services.household_record(by=request.user, name=form.cleaned_data["name"], people=[person, *chosen])
        except DomainError as error:
            add_refusal(form, error.field, error.message)
        else:
            messages.success(request, "Household recorded. They can now share bookings.")
            return redirect("orders:household", person_id=person.pk)
    return render(request, "orders/household.html", {
        "person": person, "acting": acting, "household": current,
        "partners": selectors.household_partners(person), "form": form, "candidates": candidates})
