"""Community credits pages: a volunteer's credits (claim hours, spend), a group's claims to confirm, and the
council's view by neighbourhood with redemption."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from market.core.exceptions import DomainError
from market.core.forms import add_refusal
from providers.permissions import require_commissioner

from .. import selectors, selectors_credits
from ..forms import ContributionForm, RedeemForm, SpendForm
from ..services import credits
from .people import found


def _page(request, *, claim_form=None, spend_form=None, status=200):
    user = request.user
    groups = selectors_credits.groups_to_volunteer_for()
    return render(request, "community/credits.html", {
        "balance": selectors_credits.credit_balance(user=user),
        "entries": selectors_credits.credit_entries(user=user),
        "contributions": selectors_credits.contributions_of(user),
        "to_answer": selectors_credits.contributions_to_answer(user),
        "claim_form": claim_form or ContributionForm(groups=groups),
        "spend_form": spend_form or SpendForm(services=selectors_credits.activities_taking_credits()),
    }, status=status)


@login_required
def my_credits(request):
    return _page(request)


@login_required
@require_POST
def claim(request):
    form = ContributionForm(request.POST, groups=selectors_credits.groups_to_volunteer_for())
    if form.is_valid():
        data = form.cleaned_data
        try:
            credits.contribution_claim(volunteer=request.user, given_on=data["given_on"], hours=data["hours"],
                                       what=data["what"],
                                       provider=found(selectors_credits.group_by_id(data["provider"]), "group"))
        except DomainError as refusal:
            add_refusal(form, refusal.field, refusal.message)
        else:
            messages.success(request, "Thank you. The group will confirm your hours, then your credits are yours.")
            return redirect("community:credits")
    return _page(request, claim_form=form, status=400)


@login_required
@require_POST
def spend(request):
    form = SpendForm(request.POST, services=selectors_credits.activities_taking_credits())
    if form.is_valid():
        service = found(selectors.service_get(form.cleaned_data["service"]), "activity")
        try:
            credits.credits_spend(volunteer=request.user, service=service, credits=form.cleaned_data["credits"])
        except DomainError as refusal:
            add_refusal(form, refusal.field, refusal.message)
        else:
            messages.success(request, f"Spent {form.cleaned_data['credits']} credits on {service.title}.")
            return redirect("community:credits")
    return _page(request, spend_form=form, status=400)


@login_required
@require_POST
def answer(request, contribution_id: int):
    contribution = found(selectors_credits.contribution_get(contribution_id), "contribution")
    try:
        if request.POST.get("answer") == "confirm":
            credits.contribution_confirm(contribution=contribution, by=request.user)
            messages.success(request, f"Confirmed: {contribution.volunteer} earned {contribution.hours} credits.")
        else:
            credits.contribution_decline(contribution=contribution, by=request.user)
            messages.success(request, "Not confirmed. No credits were earned.")
    except DomainError as refusal:
        messages.error(request, refusal.message)
    return redirect("community:credits")


@login_required
def council(request):
    require_commissioner(request.user)
    return render(request, "community/credits_council.html", {
        "areas": selectors_credits.credits_by_neighbourhood(),
        "groups": selectors_credits.groups_holding_credits(),
    })


@login_required
@require_POST
def redeem(request, provider_id: int):
    require_commissioner(request.user)
    group = found(selectors_credits.group_by_id(provider_id), "group")
    form = RedeemForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{group.name}: {form.errors['credits'][0]}")
        return redirect("community:credits-council")
    amount = form.cleaned_data["credits"]
    try:
        credits.credits_redeem(provider=group, credits=amount, by=request.user)
    except DomainError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"Redeemed {amount} credits from {group.name}.")
    return redirect("community:credits-council")
