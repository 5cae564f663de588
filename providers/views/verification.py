"""The commissioners' verification queue: providers, check documents and listing changes waiting for a decision."""

from __future__ import annotations

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from market.core.exceptions import DomainError
from market.core.forms import add_refusal

from .. import page_selectors, selectors, services
from ..forms import DecisionForm, ExemptionForm, ReasonForm
from ..models import Provider, ProviderCheck, ProviderStatus
from ..permissions import require_commissioner


@login_required
def verification_queue(request):
    require_commissioner(request.user)
    return render(request, "providers/verification_queue.html", selectors.verification_queue())


def _check_subject(check: ProviderCheck) -> str:
    return f"{check.check_type.name} for {check.person_name}" if check.person_name else check.check_type.name


def _provider(slug: str) -> Provider:
    provider = page_selectors.provider_by_slug(slug)
    if provider is None:
        raise Http404("No such provider.")
    return provider


def _review(request, provider: Provider, *, bound: dict | None = None, status: int = HTTPStatus.OK):
    """The provider's review page; `bound` holds the one submitted form that was refused, to show its errors."""
    bound = bound or {}
    detail = page_selectors.verification_provider_detail(provider)
    for check in detail["checks"]:
        check.form = bound.get(("check", check.pk)) or DecisionForm(
            prefix=f"check-{check.pk}", subject=_check_subject(check)
        )
    for change in detail["change_requests"]:
        change.form = bound.get(("change", change.pk)) or DecisionForm(
            prefix=f"change-{change.pk}", subject=f"the change to {change.service.title}"
        )
    context = {
        "provider": provider,
        "provider_form": bound.get("provider") or DecisionForm(prefix="provider", subject=provider.name),
        "suspend_form": bound.get("suspend") or ReasonForm(prefix="suspend"),
        "exemption_form": bound.get("exemption")
        or ExemptionForm(prefix="exemption", initial={"reason": provider.cqc_exemption_reason}),
        **detail,
    }
    return render(request, "providers/verification_provider.html", context, status=status)


@login_required
def verification_provider(request, slug: str):
    require_commissioner(request.user)
    return _review(request, _provider(slug))


@login_required
@require_POST
def verification_provider_decide(request, slug: str):
    require_commissioner(request.user)
    provider = _provider(slug)
    form = DecisionForm(request.POST, prefix="provider", subject=provider.name)
    if form.is_valid():
        call = services.provider_approve if form.cleaned_data["decision"] == "approve" else services.provider_reject
        try:
            provider = call(provider=provider, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            add_refusal(form, error.field, error.message)
        else:
            messages.success(request, f"{provider}: {provider.get_status_display()}.")
            return redirect("verification:queue")
    return _review(request, provider, bound={"provider": form}, status=HTTPStatus.BAD_REQUEST)


@login_required
@require_POST
def verification_provider_suspend(request, slug: str):
    require_commissioner(request.user)
    provider = _provider(slug)
    form = ReasonForm(request.POST, prefix="suspend")
    if form.is_valid():
        try:
            if provider.status == ProviderStatus.SUSPENDED:
                services.provider_reinstate(provider=provider, actor=request.user, reason=form.cleaned_data["reason"])
            else:
                services.provider_suspend(provider=provider, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            add_refusal(form, error.field, error.message)
        else:
            messages.success(request, "Saved.")
            return redirect("verification:provider", slug=slug)
    return _review(request, provider, bound={"suspend": form}, status=HTTPStatus.BAD_REQUEST)


@login_required
@require_POST
def verification_exemption(request, slug: str):
    require_commissioner(request.user)
    provider = _provider(slug)
    form = ExemptionForm(request.POST, prefix="exemption")
    if form.is_valid():
        services.provider_record_cqc_exemption(
            provider=provider, actor=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, "CQC exemption saved.")
        return redirect("verification:provider", slug=slug)
    return _review(request, provider, bound={"exemption": form}, status=HTTPStatus.BAD_REQUEST)


@login_required
@require_POST
def verification_check_decide(request, check_id: int):
    require_commissioner(request.user)
    check = page_selectors.provider_check(check_id)
    if check is None:
        raise Http404("No such document.")
    form = DecisionForm(request.POST, prefix=f"check-{check.pk}", subject=_check_subject(check))
    if form.is_valid():
        call = services.check_approve if form.cleaned_data["decision"] == "approve" else services.check_reject
        try:
            check = call(check=check, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            add_refusal(form, error.field, error.message)
        else:
            messages.success(request, f"{check.check_type} for {check.provider}: {check.get_status_display()}.")
            return redirect("verification:provider", slug=check.provider.slug)
    return _review(request, check.provider, bound={("check", check.pk): form}, status=HTTPStatus.BAD_REQUEST)


@login_required
@require_POST
def verification_change_decide(request, change_id: int):
    require_commissioner(request.user)
    change = page_selectors.change_request(change_id)
    if change is None:
        raise Http404("No such change.")
    provider = change.service.provider
    form = DecisionForm(request.POST, prefix=f"change-{change.pk}", subject=f"the change to {change.service.title}")
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                services.change_request_approve(
                    change_request=change, actor=request.user, reason=form.cleaned_data["reason"]
                )
            else:
                services.change_request_reject(
                    change_request=change, actor=request.user, reason=form.cleaned_data["reason"]
                )
        except DomainError as error:
            add_refusal(form, error.field, error.message)
        else:
            messages.success(request, f"Change to “{change.service}” decided.")
            return redirect("verification:provider", slug=provider.slug)
    return _review(request, provider, bound={("change", change.pk): form}, status=HTTPStatus.BAD_REQUEST)
