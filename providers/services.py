"""Writes for providers: keyword-only functions named <thing>_<verb>, one transaction each, each writing its
audit row in the same transaction. They raise `providers.exceptions` errors with a message a person can read
(and, where it is about one form field, that field's name)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail import hooks

from market.accounts.models import Role, User
from market.accounts.services import user_grant_roles
from market.core.audit import audit_record
from market.places.postcodes import normalise_postcode
from market.taxonomy.models import Category

from .editors import editors_sync, provider_collection
from .exceptions import IllegalTransition, ListingRefused, NotAllowed, Refused, UploadRefused
from .models import (
    AvailabilityException,
    ChangeRequestStatus,
    CheckStatus,
    CheckType,
    LegalForm,
    MemberRole,
    PriceUnit,
    Provider,
    ProviderCheck,
    ProviderMembership,
    ProviderStatus,
    Service,
    ServiceAvailability,
    ServiceChangeRequest,
    ServiceStatus,
)
from .selectors import provider_cqc_verified

#: The sign-up steps, in order. `Provider.onboarding_step` is the furthest one reached.
ONBOARDING_STEPS = {1: "about", 2: "contact", 3: "neighbourhoods", 4: "service", 5: "submit"}

#: The one table of allowed provider status changes: (from, to) -> the action's name in the audit trail.
PROVIDER_TRANSITIONS: dict[tuple[str, str], str] = {
    (ProviderStatus.DRAFT, ProviderStatus.PENDING): "provider.submitted",
    (ProviderStatus.REJECTED, ProviderStatus.PENDING): "provider.resubmitted",
    (ProviderStatus.PENDING, ProviderStatus.APPROVED): "provider.approved",
    (ProviderStatus.PENDING, ProviderStatus.REJECTED): "provider.rejected",
    (ProviderStatus.APPROVED, ProviderStatus.SUSPENDED): "provider.suspended",
    (ProviderStatus.SUSPENDED, ProviderStatus.APPROVED): "provider.reinstated",
}


def _money(pence: int) -> str:
    return f"£{pence // 100:,}.{pence % 100:02d}"


def _require_member(provider: Provider, actor: User, *, owner: bool = False) -> ProviderMembership:
    membership = ProviderMembership.objects.filter(provider=provider, user=actor).first() if actor else None
    if membership is None:
        raise NotAllowed("You are not a member of this provider.")
    if owner and membership.role != MemberRole.OWNER:
        raise NotAllowed("Only the owner can do that.")
    return membership


def _require_commissioner(actor: User) -> None:
    if actor is None or not (actor.has_role(Role.COMMISSIONER) or actor.has_role(Role.PLATFORM_ADMIN)):
        raise NotAllowed("Only a commissioner can do that.")


def _full_clean(instance, *, exclude: Iterable[str] = ()) -> None:
    """full_clean(), turning the first error into a Refused about that field."""
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise Refused(" ".join(messages), field=None if field == "__all__" else field) from error


def _tell_provider(provider: Provider, subject: str, body: str) -> None:
    """Email the provider's contact address and owners after the transaction commits (a failed email is
    logged, never undoes the decision: the dashboard shows the same news)."""
    from django.urls import reverse

    recipients = sorted(
        {provider.email, *provider.memberships.filter(role=MemberRole.OWNER).values_list("user__email", flat=True)}
        - {""}
    )
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("providers:dashboard", kwargs={"slug": provider.slug})
    text = f"{body}\n\nSee your provider page: {link}\n"
    transaction.on_commit(lambda: send_mail(subject, text, None, recipients), robust=True)


_STATUS_NEWS = {
    ProviderStatus.APPROVED: (
        "{name} is approved",
        "The council has approved {name}. People can now find and book "
        "your live services, as long as your checks stay up to date.",
    ),
    ProviderStatus.REJECTED: ("{name} is not approved yet", "The council has not approved {name} yet."),
    ProviderStatus.SUSPENDED: ("{name} is suspended", "The council has suspended {name}: your services are hidden."),
}


# --- Sign-up and details -------------------------------------------------------------------------------


def _unique_slug(name: str) -> str:
    base = slugify(name)[:110] or "provider"
    slug, n = base, 2
    while Provider.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def provider_start(*, user: User, name: str, legal_form: str, description: str = "") -> Provider:
    """A signed-in person starts signing up a provider: a draft provider with them as its owner."""
    name = name.strip()
    if not name:
        raise Refused("Enter the name people will know you by.", field="name")
    if legal_form not in LegalForm.values:
        raise Refused("Choose how your organisation is set up.", field="legal_form")
    with transaction.atomic():
        provider = Provider(
            name=name,
            slug=_unique_slug(name),
            legal_form=legal_form,
            description=description.strip(),
            email=user.email,
            status=ProviderStatus.DRAFT,
            onboarding_step=2,
        )
        _full_clean(provider)
        provider.save()
        ProviderMembership.objects.create(provider=provider, user=user, role=MemberRole.OWNER)
        if not user.has_role(Role.PROVIDER_MEMBER):
            user_grant_roles(user=user, roles=[Role.PROVIDER_MEMBER], granted_by=user)
        audit_record(
            action="provider.started",
            actor=user,
            target=provider,
            summary=f"{user} started signing up {provider}",
            data={"legal_form": legal_form},
        )
    return provider


def provider_sign_up(
    *, email: str, password: str, full_name: str, name: str, legal_form: str, description: str = ""
) -> Provider:
    """Someone new signs up a provider: their own login (role provider member), the draft provider and
    their owner membership, all or nothing."""
    email = email.strip().lower()
    full_name = full_name.strip()
    if not full_name:
        raise Refused("Enter your full name.", field="full_name")
    if User.objects.filter(email__iexact=email).exists():
        raise Refused(
            "There is already an account with that email address. Sign in first, then sign up your provider.",
            field="email",
        )
    candidate = User(email=email, full_name=full_name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        raise Refused(" ".join(error.messages), field="password") from error
    with transaction.atomic():
        try:
            user = User.objects.create_user(
                email=email, password=password, full_name=full_name, roles=[Role.PROVIDER_MEMBER]
            )
        except IntegrityError as error:  # someone took the email a moment ago
            raise Refused("There is already an account with that email address.", field="email") from error
        audit_record(action="user.signed_up", actor=user, target=user, summary=f"{user} signed up as a provider")
        return provider_start(user=user, name=name, legal_form=legal_form, description=description)


def _advance(provider: Provider, step: int) -> None:
    if provider.onboarding_step < step:
        provider.onboarding_step = step


def provider_update_about(*, provider: Provider, actor: User, name: str, legal_form: str, description: str) -> Provider:
    _require_member(provider, actor)
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        provider.name, provider.legal_form, provider.description = name.strip(), legal_form, description.strip()
        _advance(provider, 2)
        _full_clean(provider)
        provider.save()
        audit_record(action="provider.details_changed", actor=actor, target=provider, data={"step": "about"})
    return provider


def provider_update_contact(
    *, provider: Provider, actor: User, email: str, phone: str, website: str, postcode: str
) -> Provider:
    _require_member(provider, actor)
    if postcode.strip():
        try:
            postcode = normalise_postcode(postcode)
        except ValidationError as error:
            raise Refused(error.messages[0], field="postcode") from error
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        provider.email, provider.phone, provider.website, provider.postcode = (
            email.strip(),
            phone.strip(),
            website.strip(),
            postcode.strip(),
        )
        _advance(provider, 3)
        _full_clean(provider)
        provider.save()
        audit_record(action="provider.details_changed", actor=actor, target=provider, data={"step": "contact"})
    return provider


def provider_set_neighbourhoods(*, provider: Provider, actor: User, neighbourhoods: Iterable) -> Provider:
    _require_member(provider, actor)
    neighbourhoods = list(neighbourhoods)
    if not neighbourhoods:
        raise Refused("Choose at least one neighbourhood you cover.", field="neighbourhoods")
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        provider.neighbourhoods.set(neighbourhoods)
        _advance(provider, 4)
        provider.save(update_fields=["onboarding_step"])
        audit_record(
            action="provider.details_changed",
            actor=actor,
            target=provider,
            data={"step": "neighbourhoods", "neighbourhoods": sorted(n.slug for n in neighbourhoods)},
        )
    return provider


def provider_mark_step(*, provider: Provider, actor: User, step: int) -> Provider:
    _require_member(provider, actor)
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        _advance(provider, step)
        provider.save(update_fields=["onboarding_step"])
    return provider


# --- Status changes ------------------------------------------------------------------------------------


def _transition(*, provider: Provider, to: str, actor: User, reason: str = "", extra: dict | None = None) -> str:
    """Move a locked provider to `to` if the transition table allows it; returns the audit action name."""
    action = PROVIDER_TRANSITIONS.get((provider.status, to))
    if action is None:
        raise IllegalTransition(
            f"A provider that is “{provider.get_status_display()}” cannot become “{ProviderStatus(to).label}”."
        )
    before = provider.status
    provider.status = to
    provider.save()
    if to in _STATUS_NEWS:
        subject, body = (text.format(name=provider.name) for text in _STATUS_NEWS[to])
        _tell_provider(provider, subject, body + (f"\n\nThe council's reason: {reason}" if reason else ""))
    audit_record(
        action=action,
        actor=actor,
        target=provider,
        summary=f"{provider}: {ProviderStatus(before).label} → {ProviderStatus(to).label}"
        + (f" ({reason[:200]})" if reason else ""),
        data={"from": before, "to": to, "reason": reason, **(extra or {})},
    )
    return action


def provider_submit(*, provider: Provider, actor: User) -> Provider:
    """The provider asks for approval (draft or rejected → pending)."""
    _require_member(provider, actor, owner=True)
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        missing = []
        if not provider.email:
            missing.append("an email address")
        if not provider.neighbourhoods.exists():
            missing.append("the neighbourhoods you cover")
        if not provider.services.exists():
            missing.append("at least one service")
        if missing and provider.status in (ProviderStatus.DRAFT, ProviderStatus.REJECTED):
            raise Refused(f"Before you submit, add {' and '.join(missing)}.")
        _transition(provider=provider, to=ProviderStatus.PENDING, actor=actor)
        provider.submitted_at = timezone.now()
        provider.onboarding_step = max(provider.onboarding_step, 5)
        provider.save(update_fields=["submitted_at", "onboarding_step"])
    return provider


def _decide_provider(*, provider: Provider, actor: User, to: str, reason: str, reason_required: bool) -> Provider:
    _require_commissioner(actor)
    reason = reason.strip()
    if reason_required and not reason:
        raise Refused("Give a reason: the provider will see it.", field="reason")
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        now = timezone.now()
        provider.decided_by, provider.decision_reason = actor, reason
        if to == ProviderStatus.APPROVED and provider.status == ProviderStatus.PENDING:
            provider.approved_at = now
        _transition(provider=provider, to=to, actor=actor, reason=reason)
        if to == ProviderStatus.APPROVED:
            _after_approval(provider)
    return provider


#: Areas above providers act on an approval, in the same transaction, by registering a function under this Wagtail
#: hook (cms makes the provider's storefront): the providers area names no area above it.
PROVIDER_APPROVED_HOOK = "after_provider_approved"


def _after_approval(provider: Provider) -> None:
    for hook in hooks.get_hooks(PROVIDER_APPROVED_HOOK):
        hook(provider=provider)


def provider_approve(*, provider: Provider, actor: User, reason: str = "") -> Provider:
    return _decide_provider(
        provider=provider, actor=actor, to=ProviderStatus.APPROVED, reason=reason, reason_required=False
    )


def provider_reject(*, provider: Provider, actor: User, reason: str) -> Provider:
    return _decide_provider(
        provider=provider, actor=actor, to=ProviderStatus.REJECTED, reason=reason, reason_required=True
    )


def provider_suspend(*, provider: Provider, actor: User | None, reason: str) -> Provider:
    """Suspend an approved provider (a commissioner, or the system with actor=None). Its listings disappear."""
    if actor is not None:
        _require_commissioner(actor)
    if not reason.strip():
        raise Refused("Give a reason: the provider will see it.", field="reason")
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        provider.decided_by, provider.decision_reason = actor, reason.strip()
        _transition(provider=provider, to=ProviderStatus.SUSPENDED, actor=actor, reason=reason.strip())
    return provider


def provider_reinstate(*, provider: Provider, actor: User, reason: str = "") -> Provider:
    return _decide_provider(
        provider=provider, actor=actor, to=ProviderStatus.APPROVED, reason=reason, reason_required=False
    )


def provider_record_cqc_exemption(*, provider: Provider, actor: User, reason: str) -> Provider:
    """A commissioner records why this provider may offer regulated personal care without its own CQC
    registration (an empty reason removes the exemption)."""
    _require_commissioner(actor)
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        before = provider.cqc_exemption_reason
        provider.cqc_exemption_reason = reason.strip()
        provider.save(update_fields=["cqc_exemption_reason"])
        audit_record(
            action="provider.cqc_exemption_recorded" if reason.strip() else "provider.cqc_exemption_removed",
            actor=actor,
            target=provider,
            summary=f"CQC exemption for {provider}: {reason.strip()[:200] or 'removed'}",
            data={"before": before, "after": provider.cqc_exemption_reason},
        )
    return provider


# --- Members -------------------------------------------------------------------------------------------


def member_add(*, provider: Provider, actor: User, email: str, full_name: str) -> ProviderMembership:
    """The owner adds a staff member. Someone new gets a login and an email with a link to set a password."""
    _require_member(provider, actor, owner=True)
    email = email.strip().lower()
    with transaction.atomic():
        Provider.objects.select_for_update().get(pk=provider.pk)
        user = User.objects.filter(email__iexact=email).first()
        created = user is None
        if created:
            if not full_name.strip():
                raise Refused("Enter their full name.", field="full_name")
            user = User.objects.create_user(
                email=email, password=None, full_name=full_name.strip(), roles=[Role.PROVIDER_MEMBER]
            )
        elif ProviderMembership.objects.filter(provider=provider, user=user).exists():
            raise Refused(f"{user} is already a member of {provider}.", field="email")
        elif not user.has_role(Role.PROVIDER_MEMBER):
            user_grant_roles(user=user, roles=[Role.PROVIDER_MEMBER], granted_by=actor)
        membership = ProviderMembership.objects.create(provider=provider, user=user, role=MemberRole.STAFF)
        audit_record(
            action="provider.member_added",
            actor=actor,
            target=provider,
            summary=f"{actor} added {user} to {provider}",
            data={"user_id": user.pk, "new_login": created},
        )
        editors_sync(provider)
        transaction.on_commit(lambda: _send_member_invite(provider=provider, user=user, new_login=created))
    return membership


def _send_member_invite(*, provider: Provider, user: User, new_login: bool) -> None:
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    if new_login:
        link = base + reverse(
            "accounts:password-reset-confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        body = f"{provider} has added you to {settings.SITE_NAME}.\n\nChoose your password here to sign in:\n{link}\n"
    else:
        body = f"{provider} has added you to {settings.SITE_NAME}. Sign in with your usual account.\n"
    send_mail(f"You have been added to {provider}", body, None, [user.email])


def member_remove(*, membership: ProviderMembership, actor: User) -> None:
    """The owner removes a member. The last owner cannot be removed."""
    provider = membership.provider
    _require_member(provider, actor, owner=True)
    with transaction.atomic():
        Provider.objects.select_for_update().get(pk=provider.pk)
        membership = ProviderMembership.objects.select_related("user").get(pk=membership.pk)
        if (
            membership.role == MemberRole.OWNER
            and not provider.memberships.filter(role=MemberRole.OWNER).exclude(pk=membership.pk).exists()
        ):
            raise Refused("You cannot remove the only owner.")
        user = membership.user
        membership.delete()
        audit_record(
            action="provider.member_removed",
            actor=actor,
            target=provider,
            summary=f"{actor} removed {user} from {provider}",
            data={"user_id": user.pk},
        )
        editors_sync(provider)


# --- Checks --------------------------------------------------------------------------------------------

_SIGNATURES = [
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
]
UPLOAD_KIND_MESSAGE = "The file must be a PDF, JPEG or PNG."


def sniff_upload(file) -> tuple[str, str]:
    """(content type, extension) from the file's content, not its name. Raises UploadRefused."""
    max_bytes = settings.PROVIDER_CHECK_MAX_UPLOAD_BYTES
    if file.size is not None and file.size > max_bytes:
        raise UploadRefused(f"The file must be smaller than {max_bytes // (1024 * 1024)} MB.", field="file")
    if not file.size:
        raise UploadRefused("The file is empty.", field="file")
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    detected = next(((ct, ext) for signature, ct, ext in _SIGNATURES if head.startswith(signature)), None)
    if detected is None:
        raise UploadRefused(UPLOAD_KIND_MESSAGE, field="file")
    content_type, extension = detected
    if content_type.startswith("image/"):
        from PIL import Image

        try:
            with Image.open(io.BytesIO(file.read())) as image:
                image.verify()
        except Exception as error:  # Pillow raises many kinds for a broken image
            raise UploadRefused(
                "The image could not be read. Try saving it again, or send a PDF.", field="file"
            ) from error
        finally:
            file.seek(0)
    return content_type, extension


@dataclass(frozen=True)
class CheckEvidence:
    check_type: CheckType
    reference: str
    issued_on: datetime.date
    expires_on: datetime.date | None
    file: UploadedFile
    person_name: str = ""
    amount_pence: int | None = None


def check_upload(*, provider: Provider, actor: User, evidence: CheckEvidence) -> ProviderCheck:
    """A provider member uploads evidence of a check. Everything is validated before anything is written;
    if the database refuses the row, the stored file is removed again, so nothing is saved half-way."""
    _require_member(provider, actor)
    today = timezone.localdate()
    check_type = evidence.check_type
    if not evidence.reference.strip():
        raise UploadRefused("Enter the certificate, policy or registration number.", field="reference")
    if check_type.per_person and not evidence.person_name.strip():
        raise UploadRefused("Enter the name of the person this check is for.", field="person_name")
    if check_type.requires_amount and not evidence.amount_pence:
        raise UploadRefused("Enter the amount of cover, in pounds.", field="amount_pence")
    if evidence.issued_on > today:
        raise UploadRefused("The issue date cannot be in the future.", field="issued_on")
    if evidence.expires_on is not None and evidence.expires_on < today:
        raise UploadRefused("This has already expired. Upload the renewed one.", field="expires_on")
    if evidence.expires_on is not None and evidence.expires_on < evidence.issued_on:
        raise UploadRefused("The expiry date must be after the issue date.", field="expires_on")
    content_type, extension = sniff_upload(evidence.file)
    original = (getattr(evidence.file, "name", "") or "evidence")[-200:]

    check = ProviderCheck(
        provider=provider,
        check_type=check_type,
        person_name=evidence.person_name.strip(),
        reference=evidence.reference.strip(),
        amount_pence=evidence.amount_pence if check_type.requires_amount else None,
        issued_on=evidence.issued_on,
        expires_on=evidence.expires_on,
        original_filename=original,
        content_type=content_type,
        status=CheckStatus.PENDING,
        uploaded_by=actor,
    )
    _full_clean(check, exclude=["file"])
    stored_name = None
    try:
        with transaction.atomic():
            check.file.save(f"evidence{extension}", evidence.file, save=False)
            stored_name = check.file.name
            check.save()
            audit_record(
                action="check.uploaded",
                actor=actor,
                target=check,
                summary=f"{actor} uploaded {check_type} for {provider}",
                data={
                    "provider_id": provider.pk,
                    "check_type": check_type.slug,
                    "content_type": content_type,
                    "expires_on": evidence.expires_on.isoformat() if evidence.expires_on else None,
                },
            )
    except Exception:
        if stored_name:
            check.file.storage.delete(stored_name)
        raise
    return check


def _decide_check(*, check: ProviderCheck, actor: User, to: str, reason: str) -> ProviderCheck:
    _require_commissioner(actor)
    reason = reason.strip()
    if to == CheckStatus.REJECTED and not reason:
        raise Refused("Give a reason: the provider will see it.", field="reason")
    with transaction.atomic():
        check = ProviderCheck.objects.select_for_update().select_related("check_type", "provider").get(pk=check.pk)
        if check.status != CheckStatus.PENDING:
            raise IllegalTransition(f"This document has already been decided ({check.get_status_display()}).")
        check.status, check.decided_by, check.decided_at, check.decision_reason = to, actor, timezone.now(), reason
        check.save()
        audit_record(
            action=f"check.{to}",
            actor=actor,
            target=check,
            summary=f"{check.check_type} for {check.provider}: {CheckStatus(to).label}"
            + (f" ({reason[:200]})" if reason else ""),
            data={"provider_id": check.provider_id, "reason": reason},
        )
        what = f"{check.check_type}" + (f" for {check.person_name}" if check.person_name else "")
        if to == CheckStatus.APPROVED:
            _tell_provider(check.provider, f"{what}: verified", f"The council has verified your {what}.")
        else:
            _tell_provider(
                check.provider,
                f"{what}: not accepted",
                f"The council could not accept your {what}.\n\nThe council's reason: {reason}\n\n"
                "Please upload it again.",
            )
    return check


def check_approve(*, check: ProviderCheck, actor: User, reason: str = "") -> ProviderCheck:
    return _decide_check(check=check, actor=actor, to=CheckStatus.APPROVED, reason=reason)


def check_reject(*, check: ProviderCheck, actor: User, reason: str) -> ProviderCheck:
    return _decide_check(check=check, actor=actor, to=CheckStatus.REJECTED, reason=reason)


# --- Services (listings) -------------------------------------------------------------------------------

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
    *, provider: Provider, actor: User, fields: Mapping[str, Any], photo: PhotoUpload | None = None
) -> Service:
    _require_member(provider, actor)
    _check_fields(fields)
    _photo_check(photo)
    with transaction.atomic():
        Provider.objects.select_for_update().get(pk=provider.pk)
        service = Service(provider=provider)
        _apply(service, fields)
        _validate_service(service)
        service.save()
        _set_m2m(service, fields)
        _photo_attach(service, actor, photo, remove=False)
        audit_record(
            action="service.created",
            actor=actor,
            target=service,
            summary=f"{actor} added “{service}” for {provider}",
            data={"price_pence": service.price_pence, "unit": service.unit, "status": service.status},
        )
    return service


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
