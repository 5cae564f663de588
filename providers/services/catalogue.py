"""The catalogue: a provider's services (listings) with their prices and photos, price rises and changes into
regulated care held for a commissioner as change requests, and each service's weekly times and days off."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from market.accounts.models import User
from market.core.audit import audit_record
from market.core.money import MAX_PRICE_POUNDS
from market.core.numbers import whole_within
from market.taxonomy.models import Category

from ..editors import provider_collection
from ..exceptions import IllegalTransition, ListingRefused, Refused, UploadRefused
from ..models import (
    AvailabilityException,
    ChangeRequestStatus,
    PriceUnit,
    Provider,
    ProviderStatus,
    Service,
    ServiceAvailability,
    ServiceChangeRequest,
    ServiceStatus,
)
from ..selectors import local_price_median, provider_cqc_verified
from ._shared import _full_clean, _money, _require_commissioner, _require_member, _tell_provider
from .checks import UPLOAD_KIND_MESSAGE, sniff_upload

#: Fields a provider member may set on a service.
SERVICE_FIELDS = frozenset(
    {
        "title",
        "description",
        "category",
        "needs",
        "price_pence",
        "unit",
        "minimum_units",
        "neighbourhoods",
        "travel_radius_km",
        "languages",
        "accessibility_notes",
        "is_regulated_personal_care",
        "council_budget_ok",
        "status",
        "delivery",
        "venue_name",
        "venue_address",
        "venue_postcode",
        "schedule_note",
        "come_along",
        "booking_needed",
        "accepts_credits",
    }
)
_M2M_FIELDS = ("needs", "neighbourhoods")
#: Fields held for review, stored in a change request's JSON.
_REVIEW_FIELDS = ("price_pence", "unit", "category", "is_regulated_personal_care")


def _is_regulated(service: Service) -> bool:
    return service.is_regulated_personal_care or service.category.is_regulated_personal_care


def _check_fields(fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - SERVICE_FIELDS
    if unknown:
        raise ValueError(f"Unknown service fields: {sorted(unknown)}")


def _apply(service: Service, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        if name not in _M2M_FIELDS:
            setattr(service, name, value)
    if service.unit == PriceUnit.FREE:
        service.price_pence = 0
    if service.category_id and service.category.is_regulated_personal_care:
        service.is_regulated_personal_care = True


def _validate_service(service: Service, *, was_live_regulated: bool = False) -> None:
    """Validate a service about to be saved. Regulated personal care may only be *set* live with a verified
    CQC registration or exemption (a listing that already is live stays editable; the selector hides it)."""
    if service.unit != PriceUnit.FREE and not service.price_pence:
        raise ListingRefused("Enter a price, or choose “free”.", field="price_pence")
    if not whole_within(service.price_pence, 0, MAX_PRICE_POUNDS * 100):
        raise ListingRefused(f"Enter a price of £{MAX_PRICE_POUNDS:,} or less.", field="price_pence")
    if service.languages is not None:
        service.languages = [lang.strip() for lang in service.languages if lang.strip()] or ["English"]
    _full_clean(service)
    if (
        service.status == ServiceStatus.LIVE
        and _is_regulated(service)
        and not was_live_regulated
        and not provider_cqc_verified(service.provider)
    ):
        raise ListingRefused(
            "Regulated personal care can only go live once your CQC registration is verified (or the council "
            "has recorded an exemption). Save it as a draft for now.",
            field="status",
        )


def _set_m2m(service: Service, fields: Mapping[str, Any]) -> None:
    for name in _M2M_FIELDS:
        if name in fields:
            getattr(service, name).set(fields[name])


@dataclass(frozen=True)
class PhotoUpload:
    """A photo for a listing (JPEG or PNG) and its description for people who cannot see it."""

    file: UploadedFile
    alt_text: str


def _photo_check(photo: PhotoUpload | None) -> None:
    """Validate before anything is written."""
    if photo is None:
        return
    if not photo.alt_text.strip():
        raise ListingRefused("Describe the photo for someone who cannot see it.", field="photo_alt_text")
    try:
        content_type, _ = sniff_upload(photo.file)
    except UploadRefused as error:
        message = "The photo must be a JPEG or PNG." if error.message == UPLOAD_KIND_MESSAGE else error.message
        raise ListingRefused(message, field="photo_file") from error
    if not content_type.startswith("image/"):
        raise ListingRefused("The photo must be a JPEG or PNG.", field="photo_file")


def _photo_attach(service: Service, actor: User, photo: PhotoUpload | None, remove: bool) -> None:
    """Store the photo as a Wagtail image in the provider's collection (the storefront uses the same one)."""
    from wagtail.images import get_image_model

    old = service.photo
    if photo is not None:
        _, extension = sniff_upload(photo.file)
        image = get_image_model()(
            title=photo.alt_text.strip()[:255],
            collection=provider_collection(service.provider),
            uploaded_by_user=actor,
        )
        image.file.save(f"{service.provider.slug}-{service.pk}{extension}", photo.file, save=False)
        image.save()
        service.photo, service.photo_alt_text = image, photo.alt_text.strip()[:200]
    elif remove:
        service.photo, service.photo_alt_text = None, ""
    else:
        return
    service.save(update_fields=["photo", "photo_alt_text", "updated_at"])
    if old is not None and old != service.photo:
        old.delete()  # Wagtail removes the file after commit


def service_create(
    *, provider: Provider, actor: User, fields: Mapping[str, Any], photo: PhotoUpload | None = None,
    weekly_times: Sequence[tuple[int, datetime.time, datetime.time]] = (),
) -> Service:
    """A new service, with its usual weekly times (weekday, from, until) when given (the sign-up asks them)."""
    _require_member(provider, actor)
    _check_weekly_times(weekly_times)
    _check_fields(fields)
    _photo_check(photo)
    with transaction.atomic():
        Provider.objects.select_for_update().get(pk=provider.pk)
        service = Service(provider=provider)
        _apply(service, fields)
        _validate_service(service)
        reasons = _new_price_reasons(service) if provider.status == ProviderStatus.APPROVED else []
        if reasons and service.status == ServiceStatus.LIVE:
            service.status = ServiceStatus.DRAFT  # until a commissioner approves going live
        service.save()
        _set_m2m(service, fields)
        _photo_attach(service, actor, photo, remove=False)
        slots = [ServiceAvailability(service=service, weekday=day, starts_at=starts, ends_at=ends)
                 for day, starts, ends in weekly_times]
        for slot in slots:
            _full_clean(slot)
        ServiceAvailability.objects.bulk_create(slots)
        audit_record(
            action="service.created",
            actor=actor,
            target=service,
            summary=f"{actor} added “{service}” for {provider}" + (" (waits for approval)" if reasons else ""),
            data={"price_pence": service.price_pence, "unit": service.unit, "status": service.status,
                  **({"usual_times": [str(slot) for slot in slots]} if slots else {})},
        )
        if reasons and fields.get("status", ServiceStatus.LIVE) == ServiceStatus.LIVE:
            _change_request_open(service=service, actor=actor, changes={"status": ServiceStatus.LIVE},
                                 reasons=reasons)
    return service


def _check_weekly_times(weekly_times: Sequence[tuple[int, datetime.time, datetime.time]]) -> None:
    """Usual times: each ends after it starts, one a day (the sign-up asks one span for the days chosen)."""
    for _day, starts, ends in weekly_times:
        if starts >= ends:
            raise Refused("The time you finish must be after the time you start.", field="usual_until")
    days = [day for day, _starts, _ends in weekly_times]
    if len(days) != len(set(days)):
        raise Refused("Give each day once.", field="usual_days")


def _new_price_reasons(service: Service) -> list[str]:
    """Why a new service must wait for a commissioner: a price far above the local range for its kind."""
    if service.unit == PriceUnit.FREE or not service.price_pence:
        return []
    median = local_price_median(category_id=service.category_id, unit=service.unit)
    multiple = settings.NEW_PRICE_REVIEW_MULTIPLE
    if median is None or service.price_pence <= median * multiple:
        return []
    return [f"Its price, {_money(service.price_pence)}, is more than {multiple:g} times the local median for "
            f"{service.category} ({_money(median)})."]


def _review_reasons(service: Service, proposed: Service) -> list[str]:
    reasons = []
    old, new = service.price_pence, proposed.price_pence
    threshold = settings.MAX_UNREVIEWED_PRICE_RISE_PERCENT
    if new > old and (old == 0 or (new - old) * 100 > old * threshold):
        reasons.append(f"The price goes up from {_money(old)} to {_money(new)}, more than {threshold}%.")
    if _is_regulated(proposed) and not _is_regulated(service):
        reasons.append("It becomes regulated personal care.")
    return reasons


def _json_value(name: str, value):
    return value.pk if name == "category" else value


def service_update(
    *,
    service: Service,
    actor: User,
    fields: Mapping[str, Any],
    photo: PhotoUpload | None = None,
    remove_photo: bool = False,
) -> tuple[Service, ServiceChangeRequest | None]:
    """Change a listing. For an approved provider, changes go live at once, except a price rise above
    MAX_UNREVIEWED_PRICE_RISE_PERCENT or a change into regulated personal care: those fields wait in a
    ServiceChangeRequest for a commissioner (a newer request replaces an older pending one)."""
    _require_member(service.provider, actor)
    _check_fields(fields)
    _photo_check(photo)
    with transaction.atomic():
        service = Service.objects.select_for_update().select_related("provider", "category").get(pk=service.pk)
        proposed = Service.objects.select_related("provider", "category").get(pk=service.pk)
        _apply(proposed, fields)
        if proposed.unit != PriceUnit.FREE and not proposed.price_pence:
            raise ListingRefused("Enter a price, or choose “free”.", field="price_pence")
        _full_clean(proposed)

        reasons = _review_reasons(service, proposed) if service.provider.status == ProviderStatus.APPROVED else []
        held: dict[str, Any] = {}
        if reasons:
            held = {
                name: _json_value(name, getattr(proposed, name))
                for name in _REVIEW_FIELDS
                if getattr(proposed, name) != getattr(service, name)
            }
        now_fields = {name: value for name, value in fields.items() if name not in held}
        if held:
            # Keep the current values of the held fields (and their knock-on effects) until approved.
            for name in _REVIEW_FIELDS:
                now_fields.pop(name, None)
        before = {name: _json_value(name, getattr(service, name)) for name in _REVIEW_FIELDS}
        was_live_regulated = service.status == ServiceStatus.LIVE and _is_regulated(service)
        _apply(service, now_fields)
        _validate_service(service, was_live_regulated=was_live_regulated)
        service.save()
        _set_m2m(service, now_fields)
        _photo_attach(service, actor, photo, remove_photo)
        audit_record(
            action="service.changed",
            actor=actor,
            target=service,
            summary=f"{actor} changed “{service}”" + (" (some changes wait for approval)" if held else ""),
            data={"changed": sorted(now_fields), "held": held, "before": before},
        )
        change_request = None
        if held:
            change_request = _change_request_open(service=service, actor=actor, changes=held, reasons=reasons)
    return service, change_request


def _change_request_open(*, service: Service, actor: User, changes: dict, reasons: list[str]) -> ServiceChangeRequest:
    for old in service.change_requests.filter(status=ChangeRequestStatus.PENDING):
        old.status, old.decided_at, old.reason = (
            ChangeRequestStatus.WITHDRAWN,
            timezone.now(),
            "Replaced by a newer change.",
        )
        old.save()
        audit_record(action="service_change.withdrawn", actor=actor, target=old, summary="Replaced by a newer change")
    change_request = ServiceChangeRequest.objects.create(
        service=service, changes=changes, why_review=reasons, requested_by=actor
    )
    audit_record(
        action="service_change.requested",
        actor=actor,
        target=change_request,
        summary=f"{actor} asked to change “{service}”: {' '.join(reasons)}"[:300],
        data={"service_id": service.pk, "changes": changes, "why": reasons},
    )
    return change_request


def _changes_as_fields(changes: Mapping[str, Any]) -> dict[str, Any]:
    fields = dict(changes)
    if "category" in fields:
        category = Category.objects.filter(pk=fields["category"]).first()
        if category is None:
            raise ListingRefused("The proposed kind of support no longer exists. Reject this change.")
        fields["category"] = category
    return fields


def change_request_approve(*, change_request: ServiceChangeRequest, actor: User, reason: str = "") -> Service:
    _require_commissioner(actor)
    with transaction.atomic():
        change_request = ServiceChangeRequest.objects.select_for_update().get(pk=change_request.pk)
        if change_request.status != ChangeRequestStatus.PENDING:
            raise IllegalTransition(f"This change has already been decided ({change_request.get_status_display()}).")
        service = (
            Service.objects.select_for_update().select_related("provider", "category").get(pk=change_request.service_id)
        )
        fields = _changes_as_fields(change_request.changes)
        was_live_regulated = service.status == ServiceStatus.LIVE and _is_regulated(service)
        _apply(service, fields)
        try:
            _validate_service(service, was_live_regulated=was_live_regulated)
        except ListingRefused as error:
            raise ListingRefused(
                "This change would put regulated personal care live without a verified CQC registration or "
                "exemption. Verify the CQC registration (or record an exemption) first, or reject the change."
                if error.field == "status"
                else error.message
            ) from error
        service.save()
        change_request.status, change_request.decided_by = ChangeRequestStatus.APPROVED, actor
        change_request.decided_at, change_request.reason = timezone.now(), reason.strip()
        change_request.save()
        audit_record(
            action="service_change.approved",
            actor=actor,
            target=change_request,
            summary=f"{actor} approved the change to “{service}”" + (f" ({reason.strip()[:200]})" if reason else ""),
            data={"service_id": service.pk, "changes": change_request.changes, "reason": reason.strip()},
        )
        _tell_provider(
            service.provider,
            f"Your change to “{service}” is live",
            f"The council approved your change to “{service}”. "
            + (f"\n\nThe council's note: {reason.strip()}" if reason.strip() else ""),
        )
    return service


def change_request_reject(*, change_request: ServiceChangeRequest, actor: User, reason: str) -> ServiceChangeRequest:
    _require_commissioner(actor)
    if not reason.strip():
        raise Refused("Give a reason: the provider will see it.", field="reason")
    with transaction.atomic():
        change_request = ServiceChangeRequest.objects.select_for_update().get(pk=change_request.pk)
        if change_request.status != ChangeRequestStatus.PENDING:
            raise IllegalTransition(f"This change has already been decided ({change_request.get_status_display()}).")
        change_request.status, change_request.decided_by = ChangeRequestStatus.REJECTED, actor
        change_request.decided_at, change_request.reason = timezone.now(), reason.strip()
        change_request.save()
        audit_record(
            action="service_change.rejected",
            actor=actor,
            target=change_request,
            summary=f"{actor} rejected the change to “{change_request.service}” ({reason.strip()[:200]})",
            data={"service_id": change_request.service_id, "changes": change_request.changes, "reason": reason.strip()},
        )
        _tell_provider(
            change_request.service.provider,
            f"Your change to “{change_request.service}” was not approved",
            f"The council did not approve your change to “{change_request.service}”.\n\n"
            f"The council's reason: {reason.strip()}",
        )
    return change_request


def availability_add(
    *, service: Service, actor: User, weekday: int, starts_at: datetime.time, ends_at: datetime.time
) -> ServiceAvailability:
    _require_member(service.provider, actor)
    if starts_at >= ends_at:
        raise Refused("The end time must be after the start time.", field="ends_at")
    with transaction.atomic():
        Service.objects.select_for_update().get(pk=service.pk)
        if service.availability.filter(weekday=weekday, starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
            raise Refused("This overlaps a time you already have on that day.", field="starts_at")
        slot = ServiceAvailability(service=service, weekday=weekday, starts_at=starts_at, ends_at=ends_at)
        _full_clean(slot)
        slot.save()
        audit_record(action="service.availability_added", actor=actor, target=service, summary=f"{service}: {slot}")
    return slot


def availability_remove(*, slot: ServiceAvailability, actor: User) -> None:
    service = slot.service
    _require_member(service.provider, actor)
    with transaction.atomic():
        description = str(slot)
        slot.delete()
        audit_record(
            action="service.availability_removed", actor=actor, target=service, summary=f"{service}: {description}"
        )


def availability_exception_set(
    *, service: Service, actor: User, date: datetime.date, is_available: bool, note: str = ""
) -> AvailabilityException:
    _require_member(service.provider, actor)
    if date < timezone.localdate():
        raise Refused("Choose today or a date in the future.", field="date")
    with transaction.atomic():
        exception, _ = AvailabilityException.objects.update_or_create(
            service=service, date=date, defaults={"is_available": is_available, "note": note.strip()}
        )
        audit_record(
            action="service.availability_exception_set", actor=actor, target=service, summary=f"{service}: {exception}"
        )
    return exception


def availability_exception_remove(*, exception: AvailabilityException, actor: User) -> None:
    service = exception.service
    _require_member(service.provider, actor)
    with transaction.atomic():
        description = str(exception)
        exception.delete()
        audit_record(
            action="service.availability_exception_removed",
            actor=actor,
            target=service,
            summary=f"{service}: {description}",
        )
