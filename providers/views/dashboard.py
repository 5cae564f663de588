"""A provider's dashboard and the people who work there."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from market.core.exceptions import DomainError
from market.core.forms import add_refusal, posted

from .. import page_selectors, services
from ..forms import MemberAddForm
from ..models import MemberRole
from ..permissions import provider_for_member
from .onboarding import step_url


@login_required
def dashboard(request, slug: str):
    provider, membership = provider_for_member(request.user, slug)
    context = {
        "provider": provider,
        "membership": membership,
        "is_owner": membership.role == MemberRole.OWNER,
        "next_step_url": step_url(provider, provider.onboarding_step),
        **page_selectors.provider_dashboard(provider),
    }
    return render(request, "providers/dashboard.html", context)


@login_required
def members(request, slug: str):
    provider, membership = provider_for_member(request.user, slug)
    is_owner = membership.role == MemberRole.OWNER
    form = MemberAddForm(posted(request)) if is_owner else None
    if request.method == "POST":
        provider_for_member(request.user, slug, owner=True)
        if form.is_valid():
            try:
                services.member_add(provider=provider, actor=request.user, **form.cleaned_data)
            except DomainError as error:
                add_refusal(form, error.field, error.message)
            else:
                messages.success(request, f"{form.cleaned_data['email']} has been added and sent an email.")
                return redirect("providers:members", slug=slug)
    return render(
        request,
        "providers/members.html",
        {
            "provider": provider,
            "membership": membership,
            "is_owner": is_owner,
            "form": form,
            "memberships": page_selectors.provider_members(provider),
        },
    )


@login_required
@require_POST
def member_remove(request, slug: str, membership_id: int):
    provider, _ = provider_for_member(request.user, slug, owner=True)
    membership = page_selectors.provider_membership(provider, membership_id)
    if membership is None:
        raise Http404("No such member.")
    try:
        services.member_remove(membership=membership, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{membership.user} has been removed.")
    return redirect("providers:members", slug=slug)
