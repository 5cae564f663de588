"""Placing an order: who it is for, question pages, check your answers, place (orders.booking)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from directory.selectors import typical_price_for, typical_prices
from market.accounts.models import ConsentScope, Person
from market.accounts.permissions import capacity_for, person_access
from market.accounts.selectors import people_for_user
from market.core.exceptions import DomainError
from market.core.forms import add_refusal, posted
from market.core.numbers import id_from
from providers.display import minimum_label
from providers.models import Service

from .. import booking, selectors, services
from ..forms import SecondOrderForm
from ._access import found


def _person_for_order(request) -> Person:
    raw = request.GET.get("for") or request.POST.get("for")
    if raw:
        person_id = id_from(raw)
        if person_id is None:
            raise Http404("No such person.")
        return found(selectors.person_get(person_id), "person")
    person = selectors.person_of_user(request.user)
    if person is None:
        raise Http404("Choose who the order is for.")
    return person


def _service(service_id: int) -> Service:
    return found(selectors.service_for_order(service_id), "service")


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
    if "for" not in request.GET and selectors.person_of_user(request.user) is None:
        people = people_for_user(user=request.user)
        candidates = [p for p in people if capacity_for(request.user, p, ConsentScope.ORDER) is not None]
        return render(request, "orders/choose_person.html", {"service": service, "people": candidates})
    person = _person_for_order(request)
    draft, acting = _draft(request, service=service, person=person)
    if not draft.budgets:
        return render(request, "orders/no_budget.html", {"service": service, "person": person, "acting": acting})
    fit = selectors.booking_fit(service=service, person=person, budgets=draft.budgets)
    if not fit.bookable:  # say so now, not after the questions (the same rules placement applies)
        return render(request, "orders/cannot_book.html", {
            "service": service, "person": person, "acting": acting, "fit": fit,
            "search": reverse("directory:search")})
    draft.start_again()
    return _go_to(draft, draft.steps()[0])


@login_required
def order_question(request, service_id: int, person_id: int, step: str):
    """One question of the order. `?change=1` (from the check page) comes back to the check page after it."""
    person = found(selectors.person_get(person_id), "person")
    draft, acting = _draft(request, service=_service(service_id), person=person)
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
    context = {
        "draft": draft, "acting": acting, "service": draft.service, "person": draft.person, "form": form,
        "title": current.title(draft), "single": len(form.fields) == 1, "back": back,
    }
    if before is None:  # the first question: what fits, before any answer
        context["fit"] = selectors.booking_fit(service=draft.service, person=person, budgets=draft.budgets)
        context["minimum"] = minimum_label(draft.service.minimum_units, draft.service.unit)
    return render(request, "orders/question.html", context)


@login_required
def order_check(request, service_id: int, person_id: int):
    """Check your answers: the total and what it does to the budget, then place the order (POST)."""
    person = found(selectors.person_get(person_id), "person")
    draft, acting = _draft(request, service=_service(service_id), person=person)
    key = _posted_key(request) if request.method == "POST" else None
    existing = selectors.order_placed_with_key(idempotency_key=key, user=request.user) if key else None
    if existing is not None:  # the same page submitted twice: the first order stands
        return redirect("orders:order", order_id=existing.pk)
    unanswered = draft.first_unanswered()
    if unanswered is not None:
        return _go_to(draft, unanswered)
    budget = draft.budget
    context = {"draft": draft, "acting": acting, "service": draft.service, "person": draft.person,
               "budget": budget, "rows": booking.answer_rows(draft), "auto_confirm_hours": services.AUTO_CONFIRM_HOURS,
               "back": reverse("orders:question", args=[draft.service.pk, draft.person.pk, draft.steps()[-1].slug])}
    try:
        if request.method == "POST":
            if key is None or str(key) != draft.idempotency_key:
                messages.error(request, "This page was out of date. Check the order again, then place it.")
                return _go_to(draft, None)
            repeated = _repeated_orders(draft)
            if repeated:
                second = SecondOrderForm(request.POST if "place_anyway" in request.POST else None)
                if not second.is_valid():
                    return render(request, "orders/order_overlap.html", {
                        **context, "form": second, "repeated": repeated, "idempotency_key": draft.idempotency_key,
                        "back": reverse("orders:check", args=[draft.service.pk, draft.person.pk])})
                if second.cleaned_data["place_anyway"] == "no":
                    draft.forget()
                    messages.success(request, "Nothing new was placed. This is the order already placed.")
                    return redirect("orders:order", order_id=repeated[0].pk)
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
    context["partners"] = selectors.household_partners(draft.person)  # "Share this with someone in the household"
    service = draft.service
    context["typical"] = typical_price_for(
        typical_prices(category_ids=[service.category_id]), category_id=service.category_id, unit=service.unit,
        neighbourhood_ids=[draft.person.neighbourhood_id] if draft.person.neighbourhood_id else [])
    return render(request, "orders/order_check.html", context)


def _repeated_orders(draft: booking.Draft) -> list:
    """The person's open orders for this service on a day this one would use too."""
    arguments = draft.service_arguments()
    return selectors.orders_overlapping(
        holder=draft.person, service=draft.service, kind=arguments["kind"],
        first_visit_on=arguments["first_visit_on"], last_visit_on=arguments["last_visit_on"],
        weekdays=arguments["weekdays"])


def _posted_key(request) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.POST.get("idempotency_key", ""))
    except ValueError:
        return None
