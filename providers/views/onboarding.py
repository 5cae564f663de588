"""Signing up a provider: one question a page, saved after each step, then asking the council for approval."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from market.core.exceptions import DomainError
from market.core.forms import add_refusal, posted

from .. import page_selectors, selectors, services
from ..forms import AboutForm, ContactForm, FirstServiceForm, NeighbourhoodsForm, SignUpForm
from ..models import Provider, ServiceStatus
from ..permissions import provider_for_member

STEPS = [
    # number, slug, title
    (1, "about", "About you"),
    (2, "contact", "Contact details"),
    (3, "neighbourhoods", "Where you work"),
    (4, "service", "Your first service"),
    (5, "submit", "Check and submit"),
]
STEP_BY_SLUG = {slug: (number, title) for number, slug, title in STEPS}
STEP_SLUG = {number: slug for number, slug, _ in STEPS}


def step_url(provider: Provider, number: int) -> str:
    return reverse("providers:onboarding", kwargs={"slug": provider.slug, "step": STEP_SLUG[min(number, 5)]})


def home(request):
    """/provider/: a member goes to their provider; anyone else is offered sign-up."""
    providers = list(selectors.providers_for_member(request.user))
    if len(providers) == 1:
        return redirect("providers:dashboard", slug=providers[0].slug)
    return render(request, "providers/home.html", {"providers": providers})


def sign_up(request):
    """Sign-up step 1. Someone new also creates their login here; a signed-in person uses their own."""
    signed_in = request.user.is_authenticated
    form_class = AboutForm if signed_in else SignUpForm
    form = form_class(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if signed_in:
                provider = services.provider_start(
                    user=request.user,
                    name=data["name"],
                    legal_form=data["legal_form"],
                    description=data["description"],
                )
            else:
                provider = services.provider_sign_up(
                    email=data["email"],
                    password=data["password"],
                    full_name=data["full_name"],
                    name=data["name"],
                    legal_form=data["legal_form"],
                    description=data["description"],
                )
                login(
                    request,
                    page_selectors.provider_owner(provider),
                    backend="django.contrib.auth.backends.ModelBackend",
                )
        except DomainError as error:
            add_refusal(form, error.field, error.message)
        else:
            messages.success(request, "Saved. You can stop at any time and carry on later from your account.")
            return redirect(step_url(provider, 2))
    existing = list(selectors.providers_for_member(request.user))
    return render(
        request,
        "providers/sign_up.html",
        {
            "form": form,
            "steps": STEPS,
            "step": 1,
            "existing": existing,
        },
    )


@login_required
def onboarding(request, slug: str, step: str):
    provider, membership = provider_for_member(request.user, slug)
    if step not in STEP_BY_SLUG:
        raise Http404("No such step.")
    number, title = STEP_BY_SLUG[step]
    if number > provider.onboarding_step:
        return redirect(step_url(provider, provider.onboarding_step))
    later = "later" in request.POST
    context = {
        "provider": provider,
        "membership": membership,
        "steps": STEPS,
        "step": number,
        "title": title,
        "step_slug": step,
    }

    if step == "submit":
        context.update(page_selectors.provider_dashboard(provider))
        context["approval_typical"] = page_selectors.approval_typical_days()
        return render(request, "providers/onboarding_submit.html", context)

    if step == "service" and "add" not in request.GET and page_selectors.provider_has_services(provider):
        if request.method == "POST":
            services.provider_mark_step(provider=provider, actor=request.user, step=5)
            return redirect("providers:dashboard", slug=slug) if later else redirect(step_url(provider, 5))
        context["services"] = page_selectors.provider_services(provider)
        return render(request, "providers/onboarding_services_done.html", context)

    form = _onboarding_form(step, provider, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            _onboarding_save(step, provider, request.user, form.cleaned_data)
        except DomainError as error:
            add_refusal(form, error.field, error.message)
        else:
            if later:
                messages.success(request, "Saved. Carry on whenever you are ready.")
                return redirect("providers:dashboard", slug=slug)
            return redirect(step_url(provider, number + 1))
    context["form"] = form
    return render(request, "providers/onboarding_step.html", context)


def _onboarding_form(step: str, provider: Provider, data):
    if step == "about":
        return AboutForm(
            data,
            initial={"name": provider.name, "legal_form": provider.legal_form, "description": provider.description},
        )
    if step == "contact":
        return ContactForm(
            data,
            initial={
                "email": provider.email,
                "phone": provider.phone,
                "website": provider.website,
                "postcode": provider.postcode,
            },
        )
    if step == "neighbourhoods":
        return NeighbourhoodsForm(data, initial={"neighbourhoods": page_selectors.provider_neighbourhoods(provider)})
    return FirstServiceForm(data, initial={"languages": "English", "council_budget_ok": True, "minimum_units": 1})


def _onboarding_save(step: str, provider: Provider, user, data) -> None:
    if step == "about":
        services.provider_update_about(
            provider=provider,
            actor=user,
            name=data["name"],
            legal_form=data["legal_form"],
            description=data["description"],
        )
    elif step == "contact":
        services.provider_update_contact(
            provider=provider,
            actor=user,
            email=data["email"],
            phone=data["phone"],
            website=data["website"],
            postcode=data["postcode"],
        )
    elif step == "neighbourhoods":
        services.provider_set_neighbourhoods(provider=provider, actor=user, neighbourhoods=data["neighbourhoods"])
    else:
        fields, weekly_times = FirstServiceForm.split(data)
        regulated = fields["is_regulated_personal_care"] or fields["category"].is_regulated_personal_care
        fields["status"] = ServiceStatus.DRAFT if regulated else ServiceStatus.LIVE
        fields["price_pence"] = fields["price_pence"] or 0
        services.service_create(provider=provider, actor=user, fields=fields, weekly_times=weekly_times)
        services.provider_mark_step(provider=provider, actor=user, step=5)


@login_required
@require_POST
def submit(request, slug: str):
    provider, _ = provider_for_member(request.user, slug, owner=True)
    try:
        services.provider_submit(provider=provider, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("providers:dashboard", slug=slug)
    messages.success(request, "Thank you. The council will check your details and let you know.")
    return redirect("providers:dashboard", slug=slug)
