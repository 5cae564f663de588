"""Pages for budgets, orders and visits. Thin: they parse forms, call a service, and show the result.

Who may see what: the holder's side through `person_access` (scopes view/order/confirm_visits), members
of the order's provider for their own orders. Anyone else gets a 404, so records are not revealed.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from market.accounts.models import ConsentScope, Person, Role
from market.accounts.permissions import Capacity, capacity_for, person_access
from market.accounts.selectors import people_for_user
from market.core.exceptions import DomainError
from market.core.forms import add_refusal, posted
from market.core.models import AuditEvent
from providers.models import Provider, ProviderMembership, Service

from . import booking, concerns, selectors, services
from .forms import (
    AdjustForm,
    ConcernForm,
    ConcernNoteForm,
    DeliveryForm,
    MessageForm,
    ProposalForm,
    ReasonForm,
    ResolveForm,
    ReviewForm,
)
from .models import Budget, Concern, Order, OrderStatus, Review, Visit, VisitStatus
from .money import format_pence
from .transitions import Side, allowed_targets

# ---------------------------------------------------------------------------------------------------------
# Budgets
# ---------------------------------------------------------------------------------------------------------


@login_required
def budgets_for_person(request, person_id: int):
    person = get_object_or_404(Person, pk=person_id)
    acting = person_access(request.user, person, ConsentScope.VIEW, request=request)
    budgets = [(budget, selectors.budget_balance(budget)) for budget in selectors.budgets_for_person(person)]
    return render(request, "orders/budgets.html", {"person": person, "acting": acting, "budgets": budgets})


def _may_adjust(user, budget: Budget) -> bool:
    if user.has_role(Role.COMMISSIONER):
        return True
    return capacity_for(user, budget.holder, ConsentScope.VIEW) is Capacity.COORDINATOR


@login_required
def budget_statement(request, budget_id: int):
    budget = get_object_or_404(Budget.objects.select_related("holder", "isf_provider"), pk=budget_id)
    acting = person_access(request.user, budget.holder, ConsentScope.VIEW, request=request)
    context = {
        "budget": budget,
        "acting": acting,
        "balance": selectors.budget_balance(budget),
        "periods": selectors.budget_periods(budget),
        "entries": selectors.budget_ledger(budget)[:100],
        "may_adjust": _may_adjust(request.user, budget),
        "categories": list(budget.allowed_categories.all()),
    }
    return render(request, "orders/budget_statement.html", context)


@login_required
def budget_adjust(request, budget_id: int):
    budget = get_object_or_404(Budget.objects.select_related("holder"), pk=budget_id)
    if not _may_adjust(request.user, budget):
        raise Http404("No such budget.")
    form = AdjustForm(posted(request), initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.budget_adjust(budget=budget, amount_pence=form.signed_pence(), on=form.cleaned_data["on"],
                                   reason=form.cleaned_data["reason"], actor=request.user)
        except DomainError as error:
            add_refusal(form, error.field, error.message)
        else:
            messages.success(request, f"Adjusted by {format_pence(form.signed_pence())}.")
            return redirect("orders:budget", budget_id=budget.pk)
    return render(request, "orders/form_page.html", {
        "form": form, "title": f"Adjust {budget.holder.display_name}'s budget", "submit": "Save the adjustment",
        "back": ("orders:budget", budget.pk),
    })


# ---------------------------------------------------------------------------------------------------------
# Placing an order: question pages -> check your answers -> place (orders.booking)
# ---------------------------------------------------------------------------------------------------------


def _person_for_order(request) -> Person:
    person_id = request.GET.get("for") or request.POST.get("for")
    if person_id:
        if not str(person_id).isdigit():
            raise Http404("No such person.")
        return get_object_or_404(Person, pk=person_id)
    person = Person.objects.filter(user=request.user).first()
    if person is None:
        raise Http404("Choose who the order is for.")
    return person


def _service(service_id: int) -> Service:
    return get_object_or_404(Service.objects.select_related("provider", "category"), pk=service_id)


def _draft(request, *, service: Service, person: Person) -> tuple[booking.Draft, object]:
    acting = person_access(request.user, person, ConsentScope.ORDER, request=request)
    draft = booking.Draft(request.session, service=service, person=person,
                          budgets=selectors.budgets_for_person(person))
    return draft, acting


def _go_to(draft: booking.Draft, step: booking.Step | None, *, changing: bool = False):
    if step is None:
        return redirect("orders:check", service_id=draft.service.pk, person_id=draft.person.pk)
    response = redirect("orders:question", service_id=draft.service.pk, person_id=draft.person.pk, step=step.slug)
    if changing:
        response["Location"] += "?change=1"
    return response


@login_required
def order_new(request, service_id: int):
    """Start an order: ask who it is for (supporters, coordinators), then go to the first question."""
    service = _service(service_id)
    if "for" not in request.GET and not Person.objects.filter(user=request.user).exists():
        people = people_for_user(user=request.user)
        candidates = [p for p in people if capacity_for(request.user, p, ConsentScope.ORDER) is not None]
        return render(request, "orders/choose_person.html", {"service": service, "people": candidates})
    person = _person_for_order(request)
    draft, acting = _draft(request, service=service, person=person)
    if not draft.budgets:
        return render(request, "orders/no_budget.html", {"service": service, "person": person, "acting": acting})
    draft.start_again()
    return _go_to(draft, draft.steps()[0])


@login_required
def order_question(request, service_id: int, person_id: int, step: str):
    """One question of the order. `?change=1` (from the check page) comes back to the check page after it."""
    draft, acting = _draft(request, service=_service(service_id), person=get_object_or_404(Person, pk=person_id))
    current = booking.STEPS_BY_SLUG.get(step)
    if current is None:
        raise Http404("No such question.")
    changing = request.GET.get("change") == "1"
    if current not in draft.steps():  # e.g. the days page after choosing one visit: go where the journey is
        return _go_to(draft, draft.first_unanswered())
    form = draft.form_for(current, posted(request))
    if request.method == "POST" and form.is_valid():
        draft.answer(current, request.POST)
        return _go_to(draft, draft.after(current, returning_to_check=changing), changing=changing)
    refusal = draft.take_refusal(current)
    if refusal:  # the check page found a rule this answer breaks: show it beside the question
        form = draft.form_for(current, booking.as_querydict(draft.answers.get(current.slug, {})))
        form.is_valid()
        add_refusal(form, refusal["field"], refusal["message"])
    before = draft.before(current)
    if changing:
        back = reverse("orders:check", args=[draft.service.pk, draft.person.pk])
    elif before is not None:
        back = reverse("orders:question", args=[draft.service.pk, draft.person.pk, before.slug])
    else:
        back = f"/providers/{draft.service.provider.slug}/#service-{draft.service.pk}"
    return render(request, "orders/question.html", {
        "draft": draft, "acting": acting, "service": draft.service, "person": draft.person, "form": form,
        "title": current.title(draft), "single": len(form.fields) == 1, "back": back,
    })


@login_required
def order_check(request, service_id: int, person_id: int):
    """Check your answers: the total and what it does to the budget, then place the order (POST)."""
    draft, acting = _draft(request, service=_service(service_id), person=get_object_or_404(Person, pk=person_id))
    key = _posted_key(request) if request.method == "POST" else None
    existing = Order.objects.filter(idempotency_key=key, placed_by=request.user).first() if key else None
    if existing is not None:  # the same page submitted twice: the first order stands
        return redirect("orders:order", order_id=existing.pk)
    unanswered = draft.first_unanswered()
    if unanswered is not None:
        return _go_to(draft, unanswered)
    budget = draft.budget
    context = {"draft": draft, "acting": acting, "service": draft.service, "person": draft.person,
               "budget": budget, "rows": booking.answer_rows(draft),
               "back": reverse("orders:question", args=[draft.service.pk, draft.person.pk, draft.steps()[-1].slug])}
    try:
        if request.method == "POST":
            if key is None or str(key) != draft.idempotency_key:
                messages.error(request, "This page was out of date. Check the order again, then place it.")
                return _go_to(draft, None)
            order = services.order_place(user=request.user, budget=budget, service=draft.service,
                                         idempotency_key=key, notes=draft.notes, **draft.service_arguments())
            draft.forget()
            messages.success(request, f"Order {order.reference} placed. {draft.service.provider} will answer soon.")
            return redirect("orders:order", order_id=order.pk)
        context["quote"] = services.order_quote(user=request.user, budget=budget, service=draft.service,
                                                **draft.service_arguments())
    except DomainError as error:
        step = booking.step_for_field(draft, error.field)
        if step is None:  # nothing the person can change here (e.g. the service stopped being listed)
            context["refusal"] = error.message
            return render(request, "orders/order_check.html", context)
        draft.refuse(step=step, field=error.field, message=error.message)
        return _go_to(draft, step, changing=True)
    context["idempotency_key"] = draft.idempotency_key
    return render(request, "orders/order_check.html", context)


def _posted_key(request) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.POST.get("idempotency_key", ""))
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------------------
# One order
# ---------------------------------------------------------------------------------------------------------


def _order_sides(request, order: Order) -> tuple[set, object]:
    """What the user is to this order. 404 for strangers (the order's existence is not revealed)."""
    if ProviderMembership.objects.filter(user=request.user, provider_id=order.provider_id).exists():
        return {Side.PROVIDER}, None
    acting = person_access(request.user, order.holder, ConsentScope.VIEW, request=request)
    if acting.capacity is Capacity.OVERSIGHT:
        return set(), acting
    sides = {Side.HOLDER} if capacity_for(request.user, order.holder, ConsentScope.ORDER) else set()
    if acting.capacity is Capacity.COORDINATOR:
        sides |= {Side.COORDINATOR, Side.HOLDER}
    return sides, acting


@login_required
def order_detail(request, order_id: int):
    order = get_object_or_404(Order.objects.select_related("holder", "service", "provider", "budget"), pk=order_id)
    sides, acting = _order_sides(request, order)
    # Confirming visits is its own consent scope: a supporter may confirm without being allowed to book.
    may_confirm = Side.PROVIDER not in sides and capacity_for(request.user, order.holder, ConsentScope.CONFIRM_VISITS)
    context = {
        "order": order,
        "acting": acting,
        "is_provider": Side.PROVIDER in sides,
        "is_coordinator": Side.COORDINATOR in sides,
        "may_confirm": bool(may_confirm),
        "targets": allowed_targets(current=order.status, sides=sides),
        "visits": order.visits.all(),
        "transitions": order.transitions.select_related("actor", "on_behalf_of"),
        "now": timezone.now(),
        "messages_on_order": order.messages.select_related("author"),
        "may_message": Side.PROVIDER in sides or bool(capacity_for(request.user, order.holder, ConsentScope.ORDER)),
        "message_form": MessageForm(),
        "review": Review.objects.filter(order=order).first(),
        "may_review": order.status == OrderStatus.COMPLETED and Side.HOLDER in sides,
        "block_used_minutes": services.block_minutes_used(order) if order.kind == "block" else None,
    }
    return render(request, "orders/order_detail.html", context)


def _get_order(order_id):
    return get_object_or_404(Order.objects.select_related("holder", "service", "provider"), pk=order_id)


def _button_action(request, order_id: int, *, act, done: str):
    """A one-button change to an order (no reason asked): do it, say what happened, back to the order."""
    order = _get_order(order_id)
    _order_sides(request, order)
    try:
        act(order)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("orders:order", order_id=order.pk)


@login_required
@require_POST
def order_accept(request, order_id: int):
    return _button_action(request, order_id, act=lambda o: services.order_accept(order=o, by=request.user),
                          done="Order accepted. The visits are booked.")


@login_required
@require_POST
def order_accept_proposal(request, order_id: int):
    return _button_action(request, order_id,
                          act=lambda o: services.order_accept_proposal(order=o, user=request.user),
                          done="You accepted the change. The visits are booked.")


def _reason_action(request, order_id: int, *, title: str, submit: str, act, done: str):
    order = _get_order(order_id)
    _order_sides(request, order)
    form = ReasonForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            act(order, form.cleaned_data["reason"])
        except DomainError as error:
            form.add_error("reason" if error.field == "reason" else None, error.message)
        else:
            messages.success(request, done)
            return redirect("orders:order", order_id=order.pk)
    return render(request, "orders/form_page.html", {
        "form": form, "title": title, "submit": submit, "order": order, "back": ("orders:order", order.pk)})


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
    order = _get_order(order_id)
    _order_sides(request, order)
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


# ---------------------------------------------------------------------------------------------------------
# Visits
# ---------------------------------------------------------------------------------------------------------


def _get_visit(request, visit_id: int) -> Visit:
    visit = get_object_or_404(Visit.objects.select_related("order", "order__holder", "order__provider"), pk=visit_id)
    _order_sides(request, visit.order)
    return visit


@login_required
def visit_record(request, visit_id: int):
    visit = _get_visit(request, visit_id)
    initial = {"actual_starts_at": timezone.localtime(visit.starts_at).strftime("%Y-%m-%dT%H:%M"),
               "actual_ends_at": timezone.localtime(visit.ends_at).strftime("%Y-%m-%dT%H:%M")}
    form = DeliveryForm(posted(request), initial=initial)
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
    order = _get_order(order_id)
    _order_sides(request, order)
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
        "back": ("orders:order", order.pk)})


@login_required
@require_POST
def visit_confirm(request, visit_id: int):
    visit = _get_visit(request, visit_id)
    try:
        services.visit_confirm(visit=visit, user=request.user)
        messages.success(request, f"Visit confirmed. {format_pence(visit.cost_pence)} has been paid from the budget.")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("orders:order", order_id=visit.order_id)


@login_required
def visit_dispute(request, visit_id: int):
    visit = _get_visit(request, visit_id)
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
    visit = _get_visit(request, visit_id)
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


# ---------------------------------------------------------------------------------------------------------
# Lists: the holder's orders, the provider's dashboard
# ---------------------------------------------------------------------------------------------------------


@login_required
def orders_for_person(request, person_id: int):
    person = get_object_or_404(Person, pk=person_id)
    acting = person_access(request.user, person, ConsentScope.VIEW, request=request)
    orders = Order.objects.filter(holder=person).select_related("service", "provider")
    to_confirm = Visit.objects.filter(order__holder=person, status=VisitStatus.DELIVERED).select_related("order")
    return render(request, "orders/orders_for_person.html",
                  {"person": person, "acting": acting, "orders": orders, "to_confirm": to_confirm})


@login_required
def provider_dashboard(request):
    provider_ids = list(ProviderMembership.objects.filter(user=request.user).values_list("provider_id", flat=True))
    if not provider_ids:
        raise PermissionDenied("This page is for providers.")
    orders = Order.objects.filter(provider_id__in=provider_ids).select_related("holder", "service", "provider")
    to_record = (
        Visit.objects.filter(order__provider_id__in=provider_ids, status=VisitStatus.SCHEDULED,
                             starts_at__lte=timezone.now())
        .select_related("order", "order__holder")
        .order_by("starts_at")
    )
    context = {
        "new_orders": orders.filter(status=OrderStatus.PLACED).order_by("created_at"),
        "waiting": orders.filter(status=OrderStatus.CHANGES_PROPOSED),
        "current": orders.filter(status__in=[OrderStatus.ACCEPTED, OrderStatus.ACTIVE, OrderStatus.DISPUTED]),
        "to_record": to_record,
    }
    return render(request, "orders/provider_dashboard.html", context)


# ---------------------------------------------------------------------------------------------------------
# Messages, reviews, concerns
# ---------------------------------------------------------------------------------------------------------


@login_required
@require_POST
def order_message(request, order_id: int):
    order = _get_order(order_id)
    _order_sides(request, order)
    form = MessageForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write a message first.")
    else:
        try:
            services.order_message_post(order=order, author=request.user, body=form.cleaned_data["body"])
            messages.success(request, "Message sent.")
        except DomainError as error:
            messages.error(request, error.message)
    return redirect("orders:order", order_id=order.pk)


@login_required
def review_write(request, order_id: int):
    order = _get_order(order_id)
    _order_sides(request, order)
    form = ReviewForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.review_write(order=order, user=request.user, rating=form.cleaned_data["rating"],
                                  body=form.cleaned_data["body"])
        except DomainError as error:
            add_refusal(form, error.field, error.message)
        else:
            messages.success(request, "Thank you for your review.")
            return redirect("orders:order", order_id=order.pk)
    return render(request, "orders/form_page.html", {
        "form": form, "title": f"Review {order.provider}", "submit": "Send the review", "order": order,
        "back": ("orders:order", order.pk)})


@login_required
def review_reply(request, review_id: int):
    review = get_object_or_404(Review.objects.select_related("order"), pk=review_id)
    if not ProviderMembership.objects.filter(user=request.user, provider_id=review.provider_id).exists():
        raise Http404("No such review.")
    form = MessageForm(posted(request))
    form.fields["body"].label = "Your reply (you can reply once)"
    if request.method == "POST" and form.is_valid():
        try:
            services.review_reply(review=review, by=request.user, body=form.cleaned_data["body"])
        except DomainError as error:
            form.add_error("body" if error.field == "body" else None, error.message)
        else:
            messages.success(request, "Reply published.")
            return redirect("orders:order", order_id=review.order_id)
    return render(request, "orders/form_page.html", {
        "form": form, "title": "Reply to a review", "submit": "Publish the reply", "order": review.order,
        "back": ("orders:order", review.order_id)})


@login_required
def review_hide(request, review_id: int):
    review = get_object_or_404(Review.objects.select_related("order", "provider"), pk=review_id)
    if not request.user.has_role(Role.COMMISSIONER):
        raise Http404("No such review.")
    form = ReasonForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.review_hide(review=review, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form.add_error("reason" if error.field == "reason" else None, error.message)
        else:
            messages.success(request, "The review is hidden from the storefront.")
            return redirect("orders:concerns")
    return render(request, "orders/form_page.html", {
        "form": form, "title": f"Hide a review of {review.provider}", "submit": "Hide the review",
        "back": ("orders:concerns", None), "quote": review.body})


@login_required
def concern_raise(request, provider_id: int):
    provider = get_object_or_404(Provider, pk=provider_id)
    visit = None
    if request.GET.get("visit", "").isdigit():
        visit = get_object_or_404(Visit.objects.select_related("order"), pk=request.GET["visit"])
    form = ConcernForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            concern = services.concern_raise(user=request.user, provider=provider, visit=visit,
                                             body=form.cleaned_data["body"],
                                             is_safeguarding=form.cleaned_data["is_safeguarding"])
        except DomainError as error:
            form.add_error("body" if error.field == "body" else None, error.message)
        else:
            return render(request, "orders/concern_raised.html", {"concern": concern})
    return render(request, "orders/form_page.html", {
        "form": form, "title": f"Raise a concern about {provider}", "submit": "Send the concern",
        "back": ("accounts:dashboard", None)})


@login_required
def concern_detail(request, concern_id: int):
    """A commissioner reads one concern, its history, and takes it on or closes it with a note."""
    if not request.user.has_role(Role.COMMISSIONER):
        raise PermissionDenied("This page is for commissioners.")
    concern = get_object_or_404(Concern.objects.select_related("provider", "raised_by", "visit"), pk=concern_id)
    form = ConcernNoteForm(posted(request))
    if request.method == "POST" and form.is_valid():
        handle = {"take": concerns.concern_take, "close": concerns.concern_close}.get(request.POST.get("action"))
        if handle is None:
            form.add_error(None, "Choose whether to take the concern on or close it.")
        else:
            try:
                handle(concern=concern, by=request.user, note=form.cleaned_data["note"])
            except DomainError as error:
                form.add_error("note" if error.field == "note" else None, error.message)
            else:
                messages.success(request, "The concern has been updated.")
                return redirect("orders:concern", concern_id=concern.pk)
    history = AuditEvent.objects.filter(object_type="orders.concern", object_id=str(concern.pk)).select_related(
        "actor").order_by("at", "pk")
    return render(request, "orders/concern_detail.html", {"concern": concern, "form": form, "history": history})


@login_required
def concern_queue(request):
    if not request.user.has_role(Role.COMMISSIONER):
        raise PermissionDenied("This page is for commissioners.")
    hidden_candidates = Review.objects.filter(hidden_at__isnull=True).select_related("provider")[:50]
    return render(request, "orders/concern_queue.html",
                  {"concerns": selectors.concern_queue(), "reviews": hidden_candidates})
