"""Sign-in, the second factor, the signed-in dashboard, a person's record and their consents."""

from __future__ import annotations

import base64
from datetime import datetime, time

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from market.core.audit import audit_record
from market.core.exceptions import DomainError
from market.core.forms import posted

from . import selectors, services
from .forms import ConsentGrantForm, ConsentRevokeForm, SecondFactorForm, SignInForm
from .models import Consent, ConsentScope, Person, User
from .permissions import Capacity, capacity_for, person_access


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
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
    if not TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
        return redirect("accounts:second-factor-setup")
    form = SecondFactorForm(posted(request))
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(request.GET.get("next") or "accounts:dashboard")
        form.add_error("token", "That code did not match. Check the time on your phone and try the newest code.")
    return render(request, "accounts/second_factor.html", {"form": form})


@login_required
def second_factor_setup(request):
    """First sign-in of a commissioner or admin: scan a QR code, then type a code to prove it works."""
    user = request.user
    if TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
        return redirect("accounts:second-factor")
    device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=False, defaults={"name": "Authenticator app"})
    form = SecondFactorForm(posted(request))
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
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
    return render(request, "accounts/dashboard.html", {"people": people})


@login_required
def person_detail(request, person_id: int):
    person = get_object_or_404(Person.objects.select_related("neighbourhood", "user"), pk=person_id)
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
    person = get_object_or_404(Person.objects.select_related("neighbourhood", "user"), pk=person_id)
    acting = person_access(request.user, person, ConsentScope.VIEW, request=request)
    if acting.capacity is Capacity.OVERSIGHT:
        raise PermissionDenied("Only the person, their coordinator or a supporter can export their data.")
    audit_record(action="person.data_exported", actor=request.user, on_behalf_of=person, target=person,
                 summary=f"{request.user} exported the data of {person}")
    response = JsonResponse(selectors.person_export(person=person), json_dumps_params={"indent": 2})
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
    person = get_object_or_404(Person, pk=person_id)
    _consent_manager(request, person)
    form = ConsentGrantForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        supporter = User.objects.filter(email__iexact=data["supporter_email"], is_active=True).first()
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
    person = get_object_or_404(Person, pk=person_id)
    consent = get_object_or_404(Consent, pk=consent_id, holder=person)
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
