"""A coordinator's caseload, a person's community page (what matters, introductions, activities), and the pages
that change them. Every look and change goes through market.accounts.permissions."""

from __future__ import annotations

from typing import TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from market.accounts.models import ConsentScope, Role
from market.accounts.permissions import Capacity, capacity_for, person_access, require_role
from market.accounts.selectors import people_for_user
from market.core.exceptions import DomainError
from market.core.forms import add_refusal, posted

from .. import selectors, services
from ..forms import AnswerForm, IntroduceForm, JoinForm, PersonAddForm, WhatMattersForm

T = TypeVar("T")


def found(value: T | None, what: str = "page") -> T:
    if value is None:
        raise Http404(f"No such {what}.")
    return value


@login_required
def caseload(request):
    """The coordinator's people, and what became of her introductions."""
    require_role(request.user, Role.COORDINATOR)
    introductions = selectors.introductions_made_by(request.user)
    return render(request, "community/caseload.html", {
        "people": selectors.caseload(coordinator=request.user),
        "introductions": [(introduction, selectors.outcome_label(introduction)) for introduction in introductions],
    })


@login_required
def person_add(request):
    require_role(request.user, Role.COORDINATOR)
    form = PersonAddForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            person = services.caseload_person_add(coordinator=request.user, **form.cleaned_data)
        except DomainError as refusal:
            add_refusal(form, refusal.field, refusal.message)
        else:
            messages.success(request, f"{person.full_name} is in your caseload. Now record what matters to them.")
            return redirect("community:what-matters", person_id=person.pk)
    return render(request, "community/form_page.html", {
        "form": form, "title": "Add someone to your caseload", "submit": "Add them", "back": "community:caseload",
    })


@login_required
def person_page(request, person_id: int):
    person = found(selectors.person_get(person_id), "person")
    acting = person_access(request.user, person, ConsentScope.VIEW, request=request)
    may_plan = capacity_for(request.user, person, ConsentScope.ORDER) in (
        Capacity.SELF, Capacity.SUPPORTER, Capacity.COORDINATOR)
    introductions = selectors.introductions_for_person(person)
    return render(request, "community/person.html", {
        "person": person,
        "acting": acting,
        "what_matters": selectors.what_matters(person),
        "may_edit_what_matters": acting.capacity in (Capacity.SELF, Capacity.COORDINATOR),
        "may_introduce": acting.capacity is Capacity.COORDINATOR,
        "may_plan": may_plan,
        "introductions": [(introduction, selectors.outcome_label(introduction)) for introduction in introductions],
        "participations": selectors.participations_for_person(person),
    })


@login_required
def what_matters_edit(request, person_id: int):
    person = found(selectors.person_get(person_id), "person")
    person_access(request.user, person, ConsentScope.VIEW, request=request)
    record = selectors.what_matters(person)
    initial = {name: getattr(record, name) for name in WhatMattersForm.base_fields} if record else {}
    form = WhatMattersForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.what_matters_record(person=person, by=request.user, **form.cleaned_data)
        except DomainError as refusal:
            add_refusal(form, refusal.field, refusal.message)
        else:
            messages.success(request, f"Saved what matters to {person.display_name}.")
            return redirect("community:person", person_id=person.pk)
    return render(request, "community/form_page.html", {
        "form": form, "title": f"What matters to {person.display_name}", "submit": "Save",
        "lead": "Write it with them, in their words. They and the people helping them can read it.",
        "back": "community:person", "back_id": person.pk,
    })


@login_required
def introduce(request, person_id: int):
    person = found(selectors.person_get(person_id), "person")
    person_access(request.user, person, ConsentScope.VIEW, request=request)
    text = request.GET.get("q", "").strip()[:100]
    form = IntroduceForm(posted(request), services=selectors.activities_to_introduce(text=text))
    if request.method == "POST" and form.is_valid():
        service = found(selectors.service_get(form.cleaned_data["service"]), "service")
        try:
            services.introduction_make(person=person, service=service, note=form.cleaned_data["note"],
                                       by=request.user)
        except DomainError as refusal:
            add_refusal(form, refusal.field, refusal.message)
        else:
            messages.success(request, f"{person.display_name} has been introduced to {service.title}.")
            return redirect("community:person", person_id=person.pk)
    return render(request, "community/introduce.html", {
        "form": form, "person": person, "text": text, "what_matters": selectors.what_matters(person),
    })


@login_required
@require_POST
def introduction_answer(request, introduction_id: int):
    introduction = found(selectors.introduction_get(introduction_id), "introduction")
    person_access(request.user, introduction.person, ConsentScope.VIEW, request=request)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose to accept or decline the introduction.")
        return redirect("community:person", person_id=introduction.person_id)
    accept = form.cleaned_data["answer"] == "accept"
    try:
        answered = services.introduction_answer(introduction=introduction, by=request.user, accept=accept,
                                                note=form.cleaned_data["note"])
    except DomainError as refusal:
        messages.error(request, refusal.message)
        return redirect("community:person", person_id=introduction.person_id)
    service = answered.service
    if accept and not service.is_activity:
        messages.success(request, f"Accepted. Now choose the days and times for {service.title}.")
        return redirect(reverse("orders:new", args=[service.pk]) + f"?for={answered.person_id}")
    if accept:
        messages.success(request, f"{service.title} is on the plan. Just go along: no booking is needed."
                         if not service.booking_needed else f"{service.title} is on the plan. The group asks "
                         "people to book a place first.")
    else:
        messages.success(request, "Declined. Your coordinator will see your answer.")
    return redirect("community:person", person_id=answered.person_id)


@login_required
def join(request, person_id: int):
    """Put an activity on the person's plan (going along; no booking)."""
    person = found(selectors.person_get(person_id), "person")
    person_access(request.user, person, ConsentScope.VIEW, request=request)
    activities = [service for service in selectors.activities_to_introduce(limit=200) if service.is_activity]
    form = JoinForm(posted(request), services=activities, initial={"service": request.GET.get("service")})
    if request.method == "POST" and form.is_valid():
        service = found(selectors.service_get(form.cleaned_data["service"]), "service")
        try:
            services.activity_join(person=person, service=service, by=request.user,
                                   sessions_per_week=form.cleaned_data["sessions_per_week"])
        except DomainError as refusal:
            add_refusal(form, refusal.field, refusal.message)
        else:
            messages.success(request, f"{service.title} is on the plan.")
            return redirect("community:plan", person_id=person.pk)
    return render(request, "community/form_page.html", {
        "form": form, "title": f"Add an activity {person.display_name} goes along to", "submit": "Add to the plan",
        "back": "community:person", "back_id": person.pk,
    })


@login_required
def join_choose_person(request, service_id: int):
    """From a storefront's "Put it on my plan": whose plan (straight on if the user helps only one person)."""
    service = found(selectors.service_get(service_id), "activity")
    people = list(people_for_user(user=request.user))
    if len(people) == 1:
        return redirect(reverse("community:join", args=[people[0].pk]) + f"?service={service.pk}")
    return render(request, "community/choose_person.html", {"service": service, "people": people})


@login_required
@require_POST
def leave(request, person_id: int, participation_id: int):
    person = found(selectors.person_get(person_id), "person")
    person_access(request.user, person, ConsentScope.VIEW, request=request)
    participation = found(selectors.participation_get(person=person, participation_id=participation_id))
    try:
        services.activity_leave(participation=participation, by=request.user)
    except DomainError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"{participation.service.title} is off the plan from today.")
    return redirect("community:person", person_id=person.pk)
