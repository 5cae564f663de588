"""Provider pages (sign-up, dashboard, checks, services, members) and the commissioners' verification queue.

Views are thin: they check who is asking (providers.permissions), call a service and show the result.
A provider member who asks for another provider's page or document gets a 404, so nothing is revealed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from market.core.audit import audit_record
from market.core.exceptions import DomainError
from market.core.forms import add_refusal, posted, posted_files

from . import selectors, services
from .forms import (
    AboutForm,
    AvailabilityExceptionForm,
    AvailabilityForm,
    CheckUploadForm,
    ContactForm,
    DecisionForm,
    ExemptionForm,
    FirstServiceForm,
    MemberAddForm,
    NeighbourhoodsForm,
    ReasonForm,
    ServiceForm,
    SignUpForm,
)
from .models import (
    AvailabilityException,
    MemberRole,
    Provider,
    ProviderCheck,
    ProviderStatus,
    Service,
    ServiceAvailability,
    ServiceChangeRequest,
    ServiceStatus,
)
from .permissions import is_commissioner, may_open_check_file, provider_for_member, require_commissioner

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


def _step_url(provider: Provider, number: int) -> str:
    return reverse("providers:onboarding", kwargs={"slug": provider.slug, "step": STEP_SLUG[min(number, 5)]})


# --- Entry points --------------------------------------------------------------------------------------


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
                login(request, provider.memberships.get().user, backend="django.contrib.auth.backends.ModelBackend")
        except DomainError as error:
            add_refusal(form, error.field, error.message)
        else:
            messages.success(request, "Saved. You can stop at any time and carry on later from your account.")
            return redirect(_step_url(provider, 2))
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
        return redirect(_step_url(provider, provider.onboarding_step))
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
        context.update(_dashboard_context(provider))
        return render(request, "providers/onboarding_submit.html", context)

    if step == "service" and provider.services.exists() and "add" not in request.GET:
        if request.method == "POST":
            services.provider_mark_step(provider=provider, actor=request.user, step=5)
            return redirect("providers:dashboard", slug=slug) if later else redirect(_step_url(provider, 5))
        context["services"] = provider.services.select_related("category")
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
            return redirect(_step_url(provider, number + 1))
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
        return NeighbourhoodsForm(data, initial={"neighbourhoods": list(provider.neighbourhoods.all())})
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
        fields = dict(data)
        regulated = fields["is_regulated_personal_care"] or fields["category"].is_regulated_personal_care
        fields["status"] = ServiceStatus.DRAFT if regulated else ServiceStatus.LIVE
        fields["price_pence"] = fields["price_pence"] or 0
        services.service_create(provider=provider, actor=user, fields=fields)
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


# --- Dashboard -----------------------------------------------------------------------------------------


def _dashboard_context(provider: Provider) -> dict:
    listed_ids = set(selectors.listed_services().filter(provider=provider).values_list("pk", flat=True))
    service_rows = list(provider.services.select_related("category").order_by("title"))
    for service in service_rows:
        service.is_listed = service.pk in listed_ids
    return {
        "checks": provider.checks.select_related("check_type").order_by("check_type__sort_order", "-issued_on"),
        "missing_checks": selectors.provider_missing_checks(provider),
        "services": service_rows,
        "change_requests": ServiceChangeRequest.objects.filter(service__provider=provider)
        .select_related("service")
        .order_by("-requested_at")[:10],
        "provider_listed": selectors.provider_is_listed(provider),
        "cqc_verified": selectors.provider_cqc_verified(provider),
        "today": timezone.localdate(),
    }


@login_required
def dashboard(request, slug: str):
    provider, membership = provider_for_member(request.user, slug)
    context = {
        "provider": provider,
        "membership": membership,
        "is_owner": membership.role == MemberRole.OWNER,
        "next_step_url": _step_url(provider, provider.onboarding_step),
        **_dashboard_context(provider),
    }
    return render(request, "providers/dashboard.html", context)


# --- Checks --------------------------------------------------------------------------------------------


@login_required
def check_upload(request, slug: str):
    provider, _ = provider_for_member(request.user, slug)
    form = CheckUploadForm(posted(request), posted_files(request), initial={"check_type": request.GET.get("type")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.check_upload(
                provider=provider,
                actor=request.user,
                evidence=services.CheckEvidence(
                    check_type=data["check_type"],
                    reference=data["reference"],
                    issued_on=data["issued_on"],
                    expires_on=data["expires_on"],
                    file=data["file"],
                    person_name=data["person_name"],
                    amount_pence=data["amount_pence"],
                ),
            )
        except DomainError as error:
            add_refusal(form, error.field, error.message)
        else:
            messages.success(request, f"{data['check_type']} uploaded. The council will check it.")
            return redirect("providers:dashboard", slug=slug)
    return render(request, "providers/check_upload.html", {"provider": provider, "form": form})


@login_required
def check_file(request, check_id: int):
    """Serve check evidence to the provider's members and commissioners only (404 for anyone else)."""
    check = get_object_or_404(ProviderCheck.objects.select_related("provider", "check_type"), pk=check_id)
    if not may_open_check_file(request.user, check):
        raise Http404("No such document.")
    if is_commissioner(request.user):
        audit_record(
            action="check.file_opened",
            actor=request.user,
            target=check,
            summary=f"{request.user} opened {check.check_type} evidence of {check.provider}",
        )
    try:
        handle = check.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The file is missing.") from error
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(check.content_type, "bin")
    response = FileResponse(
        handle,
        content_type=check.content_type or "application/octet-stream",
        as_attachment=True,
        filename=f"{check.check_type.slug}-{check.pk}.{extension}",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Services ------------------------------------------------------------------------------------------


def _service_for_member(request, slug: str, service_id: int) -> tuple[Provider, Service]:
    provider, _ = provider_for_member(request.user, slug)
    return provider, get_object_or_404(Service.objects.select_related("category"), pk=service_id, provider=provider)


@login_required
def service_create(request, slug: str):
    provider, _ = provider_for_member(request.user, slug)
    form = ServiceForm(
        posted(request),
        posted_files(request),
        initial={"languages": "English", "council_budget_ok": True, "minimum_units": 1, "status": ServiceStatus.LIVE},
    )
    del form.fields["remove_photo"]
    if request.method == "POST" and form.is_valid():
        try:
            service = services.service_create(
                provider=provider, actor=request.user, fields=_service_fields(form), photo=_photo(form)
            )
        except DomainError as error:
            add_refusal(form, error.field, error.message)
        else:
            messages.success(request, f"“{service}” saved. Now add the times you are usually available.")
            return redirect("providers:service-availability", slug=slug, service_id=service.pk)
    return render(request, "providers/service_form.html", {"provider": provider, "form": form, "service": None})


_PHOTO_FIELDS = ("photo_file", "photo_alt_text", "remove_photo")


def _service_fields(form) -> dict:
    fields = {name: value for name, value in form.cleaned_data.items() if name not in _PHOTO_FIELDS}
    fields["price_pence"] = fields["price_pence"] or 0
    return fields


def _photo(form) -> services.PhotoUpload | None:
    data = form.cleaned_data
    if not data.get("photo_file"):
        return None
    return services.PhotoUpload(file=data["photo_file"], alt_text=data.get("photo_alt_text", ""))


@login_required
def service_edit(request, slug: str, service_id: int):
    provider, service = _service_for_member(request, slug, service_id)
    form = ServiceForm(posted(request), posted_files(request), initial=ServiceForm.initial_for(service))
    if service.photo_id is None:
        del form.fields["remove_photo"]
    if request.method == "POST" and form.is_valid():
        try:
            service, change_request = services.service_update(
                service=service,
                actor=request.user,
                fields=_service_fields(form),
                photo=_photo(form),
                remove_photo=form.cleaned_data.get("remove_photo", False),
            )
        except DomainError as error:
            add_refusal(form, error.field, error.message)
        else:
            if change_request is not None:
                messages.warning(
                    request,
                    "Saved. "
                    + " ".join(change_request.why_review)
                    + " That part waits for the council's approval; the rest is live now.",
                )
            else:
                messages.success(request, f"“{service}” saved.")
            return redirect("providers:dashboard", slug=slug)
    pending = service.change_requests.filter(status="pending").first()
    return render(
        request,
        "providers/service_form.html",
        {"provider": provider, "form": form, "service": service, "pending_change": pending},
    )


@login_required
def service_availability(request, slug: str, service_id: int):
    provider, service = _service_for_member(request, slug, service_id)
    slot_form = AvailabilityForm(request.POST if "add_slot" in request.POST else None, prefix="slot")
    exception_form = AvailabilityExceptionForm(
        request.POST if "add_exception" in request.POST else None, prefix="exception"
    )
    if request.method == "POST":
        form, call = (
            (slot_form, services.availability_add)
            if "add_slot" in request.POST
            else (exception_form, services.availability_exception_set)
        )
        if form.is_valid():
            try:
                call(service=service, actor=request.user, **form.cleaned_data)
            except DomainError as error:
                add_refusal(form, error.field, error.message)
            else:
                messages.success(request, "Saved.")
                return redirect("providers:service-availability", slug=slug, service_id=service.pk)
    return render(
        request,
        "providers/service_availability.html",
        {
            "provider": provider,
            "service": service,
            "slot_form": slot_form,
            "exception_form": exception_form,
            "slots": service.availability.all(),
            "exceptions": service.availability_exceptions.all(),
        },
    )


@login_required
@require_POST
def availability_remove(request, slug: str, service_id: int, slot_id: int):
    _, service = _service_for_member(request, slug, service_id)
    slot = get_object_or_404(ServiceAvailability, pk=slot_id, service=service)
    services.availability_remove(slot=slot, actor=request.user)
    messages.success(request, "Removed.")
    return redirect("providers:service-availability", slug=slug, service_id=service.pk)


@login_required
@require_POST
def exception_remove(request, slug: str, service_id: int, exception_id: int):
    _, service = _service_for_member(request, slug, service_id)
    exception = get_object_or_404(AvailabilityException, pk=exception_id, service=service)
    services.availability_exception_remove(exception=exception, actor=request.user)
    messages.success(request, "Removed.")
    return redirect("providers:service-availability", slug=slug, service_id=service.pk)


# --- Members -------------------------------------------------------------------------------------------


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
            "memberships": provider.memberships.select_related("user").order_by("role", "user__full_name"),
        },
    )


@login_required
@require_POST
def member_remove(request, slug: str, membership_id: int):
    provider, _ = provider_for_member(request.user, slug, owner=True)
    membership = get_object_or_404(provider.memberships.select_related("user"), pk=membership_id)
    try:
        services.member_remove(membership=membership, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{membership.user} has been removed.")
    return redirect("providers:members", slug=slug)


# --- Commissioners: the verification queue -------------------------------------------------------------


@login_required
def verification_queue(request):
    require_commissioner(request.user)
    return render(request, "providers/verification_queue.html", selectors.verification_queue())


def _review(request, provider: Provider, *, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    checks = list(
        provider.checks.select_related("check_type", "uploaded_by", "decided_by").order_by(
            "status", "check_type__sort_order", "-uploaded_at"
        )
    )
    for check in checks:
        check.form = bound.get(("check", check.pk)) or DecisionForm(
            prefix=f"check-{check.pk}", subject=_check_subject(check)
        )
    change_requests = list(
        ServiceChangeRequest.objects.filter(service__provider=provider)
        .select_related("service", "requested_by")
        .order_by("-requested_at")[:20]
    )
    for change in change_requests:
        change.form = bound.get(("change", change.pk)) or DecisionForm(
            prefix=f"change-{change.pk}", subject=f"the change to {change.service.title}"
        )
    context = {
        "provider": provider,
        "checks": checks,
        "change_requests": change_requests,
        "provider_form": bound.get("provider") or DecisionForm(prefix="provider", subject=provider.name),
        "suspend_form": bound.get("suspend") or ReasonForm(prefix="suspend"),
        "exemption_form": bound.get("exemption")
        or ExemptionForm(prefix="exemption", initial={"reason": provider.cqc_exemption_reason}),
        "services": provider.services.select_related("category").order_by("title"),
        "missing_checks": selectors.provider_missing_checks(provider),
        "provider_listed": selectors.provider_is_listed(provider),
        "memberships": provider.memberships.select_related("user"),
        "history": _history(provider),
        "today": timezone.localdate(),
    }
    return render(request, "providers/verification_provider.html", context, status=status)


def _history(provider: Provider):
    from market.core.models import AuditEvent

    return AuditEvent.objects.filter(object_type="providers.provider", object_id=str(provider.pk)).select_related(
        "actor"
    )[:20]


@login_required
def verification_provider(request, slug: str):
    require_commissioner(request.user)
    return _review(request, get_object_or_404(Provider, slug=slug))


@login_required
@require_POST
def verification_provider_decide(request, slug: str):
    require_commissioner(request.user)
    provider = get_object_or_404(Provider, slug=slug)
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
    return _review(request, provider, bound={"provider": form}, status=400)


@login_required
@require_POST
def verification_provider_suspend(request, slug: str):
    require_commissioner(request.user)
    provider = get_object_or_404(Provider, slug=slug)
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
    return _review(request, provider, bound={"suspend": form}, status=400)


@login_required
@require_POST
def verification_exemption(request, slug: str):
    require_commissioner(request.user)
    provider = get_object_or_404(Provider, slug=slug)
    form = ExemptionForm(request.POST, prefix="exemption")
    if form.is_valid():
        services.provider_record_cqc_exemption(
            provider=provider, actor=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, "CQC exemption saved.")
        return redirect("verification:provider", slug=slug)
    return _review(request, provider, bound={"exemption": form}, status=400)


@login_required
@require_POST
def verification_check_decide(request, check_id: int):
    require_commissioner(request.user)
    check = get_object_or_404(ProviderCheck.objects.select_related("provider"), pk=check_id)
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
    return _review(request, check.provider, bound={("check", check.pk): form}, status=400)


@login_required
@require_POST
def verification_change_decide(request, change_id: int):
    require_commissioner(request.user)
    change = get_object_or_404(ServiceChangeRequest.objects.select_related("service__provider"), pk=change_id)
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
    return _review(request, provider, bound={("change", change.pk): form}, status=400)


def _check_subject(check) -> str:
    return f"{check.check_type.name} for {check.person_name}" if check.person_name else check.check_type.name
