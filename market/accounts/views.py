"""Sign-in, the second factor, the signed-in dashboard, a person's record and their consents."""

from __future__ import annotations

import base64
from datetime import datetime, time

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from wagtail import hooks

from market.core.exceptions import DomainError
from market.core.forms import posted
from market.core.redirects import redirect_to_next, safe_next_url
from market.outbox.selectors import notices_unread_count

from . import selectors, services
from .forms import ConsentGrantForm, ConsentRevokeForm, OutboxPasswordResetForm, SecondFactorForm, SignInForm
from .models import ConsentScope, Person
from .permissions import Capacity, capacity_for, person_access

#: The Wagtail hook through which a higher layer adds a section to the account home page (see `dashboard`).
ACCOUNT_HOME_SECTIONS_HOOK = "account_home_sections"


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_redirect_url(self):
        """Where to go once signed in: `next` only through the site's one redirect rule (market.core.redirects),
        which also refuses an encoded `%2F%2Fhost` that Django's own check lets through."""
        return safe_next_url(self.request, settings.LOGIN_REDIRECT_URL)


class SignOutView(auth_views.LogoutView):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = OutboxPasswordResetForm
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-sent")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")


@login_required
def second_factor(request):
    """Ask for the TOTP code of a user who must have one; send them to set it up if they have none."""
    user = request.user
    if not selectors.user_has_second_factor(user=user):
        return redirect("accounts:second-factor-setup")
    form = SecondFactorForm(posted(request))
    if request.method == "POST" and form.is_valid():
        device = services.second_factor_match(user=user, token=form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect_to_next(request, "accounts:dashboard")
        form.add_error("token", "That code did not match. Check the time on your phone and try the newest code.")
    return render(request, "accounts/second_factor.html", {"form": form})


@login_required
def second_factor_setup(request):
    """First sign-in of a commissioner or admin: scan a QR code, then type a code to prove it works."""
    user = request.user
    if selectors.user_has_second_factor(user=user):
        return redirect("accounts:second-factor")
    device = services.second_factor_device_prepare(user=user)
    form = SecondFactorForm(posted(request))
    if request.method == "POST" and form.is_valid():
        if services.second_factor_device_confirm(device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            messages.success(request, "Your authenticator app is set up.")
            return redirect("accounts:dashboard")
        form.add_error("token", "That code did not match. Scan the code again, then type the newest code.")
    qr_svg = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage).to_string(encoding="unicode")
    secret = base64.b32encode(device.bin_key).decode()
    return render(request, "accounts/second_factor_setup.html", {"form": form, "qr_svg": qr_svg, "secret": secret})


@login_required
def dashboard(request):
    people = selectors.people_for_user(user=request.user)
    # Higher layers add what waits for this person (a coordinator's to-do list across her caseload, from orders)
    # through this hook: each function takes the request and returns HTML, or "" when it has nothing to show.
    sections = [section for hook in hooks.get_hooks(ACCOUNT_HOME_SECTIONS_HOOK) if (section := hook(request))]
    return render(request, "accounts/dashboard.html", {
        "people": people, "notices_unread": notices_unread_count(request.user), "sections": sections,
    })


def _person(person_id: int) -> Person:
    person = selectors.person_record(person_id=person_id)
    if person is None:
        raise Http404("No such person.")
    return person


@login_required
def person_detail(request, person_id: int):
    person = _person(person_id)
    acting = person_access(request.user, person, ConsentScope.VIEW, request=request)
    may_manage_consents = acting.capacity in (Capacity.SELF, Capacity.COORDINATOR)
    context = {
        "person": person,
        "acting": acting,
        "may_manage_consents": may_manage_consents,
        "consents": selectors.consents_for_person(person=person) if may_manage_consents else [],
        "record_views": selectors.record_views_for_person(person=person)[:20]
        if acting.capacity in (Capacity.SELF, Capacity.COORDINATOR, Capacity.OVERSIGHT) else [],
    }
    return render(request, "accounts/person_detail.html", context)


@login_required
def person_export(request, person_id: int):
    """Download everything held about the person, as JSON. Recorded in the audit trail."""
    person = _person(person_id)
    acting = person_access(request.user, person, ConsentScope.VIEW, request=request)
    if acting.capacity is Capacity.OVERSIGHT:
        raise PermissionDenied("Only the person, their coordinator or a supporter can export their data.")
    data = services.person_data_export(person=person, exported_by=request.user)
    response = JsonResponse(data, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="my-data-{person.pk}.json"'
    return response


def _consent_manager(request, person: Person) -> Capacity:
    """Only the person themselves or a coordinator working with them may manage their consents."""
    capacity = capacity_for(request.user, person, ConsentScope.VIEW)
    if capacity is None:
        raise Http404("No such person.")
    if capacity not in (Capacity.SELF, Capacity.COORDINATOR):
        raise PermissionDenied("Only the person, or a coordinator working with them, can change who helps them.")
    return capacity


@login_required
def consent_grant(request, person_id: int):
    person = _person(person_id)
    _consent_manager(request, person)
    form = ConsentGrantForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        supporter = selectors.active_user_by_email(email=data["supporter_email"])
        if supporter is None:
            form.add_error("supporter_email", "There is no account with that email address. "
                                              "Ask them to create one first.")
        else:
            expires_at = None
            if data["expires_on"]:
                expires_at = timezone.make_aware(datetime.combine(data["expires_on"], time.max))
            try:
                services.consent_grant(
                    holder=person, supporter=supporter, scopes=data["scopes"], relationship=data["relationship"],
                    granted_by=request.user, expires_at=expires_at,
                )
            except DomainError as error:
                form.add_error(_form_field(error.field), error.message)
            else:
                messages.success(request, f"{supporter} can now help {person.display_name}.")
                return redirect("accounts:person", person_id=person.pk)
    return render(request, "accounts/consent_grant.html", {"form": form, "person": person})


def _form_field(domain_field: str | None) -> str | None:
    return {"supporter": "supporter_email", "expires_at": "expires_on"}.get(domain_field or "", domain_field)


@login_required
@require_POST
def consent_revoke(request, person_id: int, consent_id: int):
    person = _person(person_id)
    consent = selectors.person_consent(person=person, consent_id=consent_id)
    if consent is None:
        raise Http404("No such consent.")
    form = ConsentRevokeForm(request.POST)
    if request.user.pk != consent.supporter_id:
        _consent_manager(request, person)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.consent_revoke(consent=consent, revoked_by=request.user, reason=reason)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{consent.supporter} can no longer act for {person.display_name}.")
    if request.user.pk == consent.supporter_id:
        return redirect("accounts:dashboard")
    return redirect("accounts:person", person_id=person.pk)
