"""A provider's services: adding and changing a listing (with its photo), its weekly times and its days off."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from market.core.exceptions import DomainError
from market.core.forms import add_refusal, posted, posted_files

from .. import page_selectors, services
from ..forms import AvailabilityExceptionForm, AvailabilityForm, ServiceForm
from ..models import Provider, Service, ServiceStatus
from ..permissions import provider_for_member

_PHOTO_FIELDS = ("photo_file", "photo_alt_text", "remove_photo")


def _service_for_member(request, slug: str, service_id: int) -> tuple[Provider, Service]:
    provider, _ = provider_for_member(request.user, slug)
    service = page_selectors.provider_service(provider, service_id)
    if service is None:
        raise Http404("No such service.")
    return provider, service


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
            held = service.status != form.cleaned_data.get("status", service.status)
            messages.success(request, f"“{service}” saved. Now add the times you are usually available." + (
                " Its price is far above others of its kind here, so the council will check it before it is "
                "shown; you will hear by email." if held else ""))
            return redirect("providers:service-availability", slug=slug, service_id=service.pk)
    return render(request, "providers/service_form.html", {"provider": provider, "form": form, "service": None})


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
    return render(
        request,
        "providers/service_form.html",
        {
            "provider": provider,
            "form": form,
            "service": service,
            "pending_change": page_selectors.service_pending_change(service),
        },
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
            **page_selectors.service_times(service),
        },
    )


@login_required
@require_POST
def availability_remove(request, slug: str, service_id: int, slot_id: int):
    _, service = _service_for_member(request, slug, service_id)
    slot = page_selectors.availability_slot(service, slot_id)
    if slot is None:
        raise Http404("No such time.")
    services.availability_remove(slot=slot, actor=request.user)
    messages.success(request, "Removed.")
    return redirect("providers:service-availability", slug=slug, service_id=service.pk)


@login_required
@require_POST
def exception_remove(request, slug: str, service_id: int, exception_id: int):
    _, service = _service_for_member(request, slug, service_id)
    exception = page_selectors.availability_exception(service, exception_id)
    if exception is None:
        raise Http404("No such day.")
    services.availability_exception_remove(exception=exception, actor=request.user)
    messages.success(request, "Removed.")
    return redirect("providers:service-availability", slug=slug, service_id=service.pk)
