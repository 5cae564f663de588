"""Checks: a provider's evidence (DBS, insurance, CQC registration) uploaded as a private file whose kind is read from
its content, and the commissioners' decisions on it."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from market.accounts.models import User
from market.core.audit import audit_record
from market.core.money import MAX_COVER_POUNDS
from market.core.numbers import whole_within

from ..exceptions import IllegalTransition, Refused, UploadRefused
from ..models import CheckStatus, CheckType, Provider, ProviderCheck
from ._shared import _full_clean, _is_commissioner, _require_commissioner, _require_member, _tell_provider

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
    if evidence.amount_pence is not None and not whole_within(evidence.amount_pence, 0, MAX_COVER_POUNDS * 100):
        raise UploadRefused(f"Enter an amount of cover of £{MAX_COVER_POUNDS:,} or less.", field="amount_pence")
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


def check_file_open(*, check: ProviderCheck, actor: User) -> File:
    """Open a check's evidence file for reading, for one of the provider's members or a commissioner. A
    commissioner's opening is written to the audit trail (once the file is open: a missing file raises
    FileNotFoundError and records nothing)."""
    commissioner = _is_commissioner(actor)
    if not commissioner:
        _require_member(check.provider, actor)
    handle = check.file.open("rb")
    if commissioner:
        with transaction.atomic():
            audit_record(
                action="check.file_opened",
                actor=actor,
                target=check,
                summary=f"{actor} opened {check.check_type} evidence of {check.provider}",
            )
    return handle


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
