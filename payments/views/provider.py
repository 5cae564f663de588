"""A provider's payouts page (/provider/<slug>/payouts/): the Stripe account's status, onboarding, money waiting."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from market.core.exceptions import DomainError
from providers.models import MemberRole
from providers.permissions import provider_for_member

from .. import selectors, services, stripe_api


@login_required
def page(request, slug: str):
    provider, membership = provider_for_member(request.user, slug)
    return render(request, "payments/payouts.html", {
        "provider": provider, "is_owner": membership.role == MemberRole.OWNER, "payouts":
        selectors.provider_payouts(provider), "set_up": stripe_api.is_set_up(),
    })


def _to_stripe(request, slug: str):
    provider, _ = provider_for_member(request.user, slug, owner=True)
    try:
        return redirect(services.account_link_for(provider=provider, actor=request.user))
    except stripe_api.StripeUnavailable:
        messages.error(request, "Stripe did not answer. Try again in a minute.")
    except DomainError as refusal:
        messages.error(request, refusal.message)
    return redirect("payouts:page", slug=slug)


@login_required
@require_POST
def start(request, slug: str):
    """The owner starts (or carries on with) onboarding at Stripe."""
    return _to_stripe(request, slug)


@login_required
def refresh(request, slug: str):
    """Stripe sends the owner here when their onboarding link has expired: a fresh one, at once."""
    return _to_stripe(request, slug)


@login_required
def back(request, slug: str):
    """Stripe sends the owner back here when they finish or leave onboarding. The status is not taken from this
    visit: it changes when Stripe's `account.updated` arrives."""
    provider_for_member(request.user, slug)
    messages.info(request, "Thank you. Stripe is checking your details; your status below changes when Stripe tells "
                           "us, usually within a few minutes.")
    return redirect("payouts:page", slug=slug)
