"""A person's plan (week by week, printable), its one-off purchases and what it is measured against; and a group's
calendar feed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from market.accounts.models import ConsentScope
from market.accounts.permissions import Capacity, capacity_for, person_access
from market.core.exceptions import DomainError
from market.core.forms import add_refusal, posted

from .. import calendar, selectors, services
from ..forms import PlanSettingsForm, PurchaseForm
from .people import found


@login_required
def plan(request, person_id: int):
    person = found(selectors.person_get(person_id), "person")
    acting = person_access(request.user, person, ConsentScope.VIEW, request=request)
    capacity = capacity_for(request.user, person, ConsentScope.ORDER)
    return render(request, "community/plan.html", {
        "person": person, "acting": acting, "plan": selectors.person_plan(person),
        "may_plan": capacity in (Capacity.SELF, Capacity.SUPPORTER, Capacity.COORDINATOR),
        "is_coordinator": acting.capacity is Capacity.COORDINATOR,
    })


@login_required
def purchase_add(request, person_id: int):
    person = found(selectors.person_get(person_id), "person")
    person_access(request.user, person, ConsentScope.VIEW, request=request)
    form = PurchaseForm(posted(request), initial={"bought_on": timezone.localdate().strftime("%d/%m/%Y")})
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_purchase_add(person=person, by=request.user, **form.cleaned_data)
        except DomainError as refusal:
            add_refusal(form, refusal.field, refusal.message)
        else:
            messages.success(request, "Added to the plan.")
            return redirect("community:plan", person_id=person.pk)
    return render(request, "community/form_page.html", {
        "form": form, "title": "Add a one-off purchase", "submit": "Add it",
        "lead": "Something bought once that helps: boots, a season ticket, a course fee.",
        "back": "community:plan", "back_id": person.pk,
    })


@login_required
def plan_settings(request, person_id: int):
    person = found(selectors.person_get(person_id), "person")
    person_access(request.user, person, ConsentScope.VIEW, request=request)
    current = selectors.person_plan(person, weeks=1).settings
    initial = {} if current is None else {
        "indicative_weekly_pence": current.indicative_weekly_pence, "replaced_package": current.replaced_package,
        "replaced_weekly_pence": current.replaced_weekly_pence}
    form = PlanSettingsForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_settings_set(person=person, by=request.user, **form.cleaned_data)
        except DomainError as refusal:
            add_refusal(form, refusal.field, refusal.message)
        else:
            messages.success(request, "Saved.")
            return redirect("community:plan", person_id=person.pk)
    return render(request, "community/form_page.html", {
        "form": form, "title": "What the plan is measured against", "submit": "Save",
        "back": "community:plan", "back_id": person.pk,
    })


@login_required
@require_POST
def plan_agree(request, person_id: int):
    person = found(selectors.person_get(person_id), "person")
    person_access(request.user, person, ConsentScope.VIEW, request=request)
    try:
        services.plan_snapshot_take(person=person, by=request.user)
    except DomainError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, "The plan is agreed. Next time it will show what changed since today.")
    return redirect("community:plan", person_id=person.pk)


def group_calendar(request, slug: str):
    """A group's activities as an iCalendar feed (weekly repeating events), for any calendar app."""
    group = found(selectors.group_get(slug), "group")
    body = calendar.group_calendar(group, selectors.group_activities(group), now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{group.slug}.ics"'
    return response
