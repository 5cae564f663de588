"""Uploading check evidence: content-checked, size-limited, private; nothing saved half-way."""

from __future__ import annotations

import datetime
from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DataError
from django.urls import reverse
from django.utils import timezone

from market.core.models import AuditEvent
from providers.models import CheckStatus, CheckType, ProviderCheck

from .conftest import pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


def _form(**overrides):
    data = {
        "check_type": CheckType.objects.get(slug="dbs-enhanced").pk,
        "person_name": "Jo Fairclough",
        "reference": "001234567890",
        "issued_on": (_today() - datetime.timedelta(days=30)).isoformat(),
        "expires_on": (_today() + datetime.timedelta(days=335)).isoformat(),
        "file": SimpleUploadedFile("dbs.pdf", pdf_bytes(), content_type="application/pdf"),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _private_files() -> set[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def test_a_member_uploads_a_pdf_and_it_waits_for_review(client, provider, staff):
    client.force_login(staff)

    response = client.post(reverse("providers:check-upload", kwargs={"slug": provider.slug}), _form())

    check = ProviderCheck.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert (check.status, check.content_type, check.person_name, check.reference, check.uploaded_by) == (
        CheckStatus.PENDING,
        "application/pdf",
        "Jo Fairclough",
        "001234567890",
        staff,
    )
    assert check.file.name.startswith(f"checks/{provider.pk}/") and check.file.name.endswith(".pdf")
    assert Path(settings.PRIVATE_MEDIA_ROOT, check.file.name).read_bytes() == pdf_bytes()
    assert not str(Path(settings.PRIVATE_MEDIA_ROOT).resolve()).startswith(str(Path(settings.MEDIA_ROOT).resolve()))
    assert AuditEvent.objects.filter(action="check.uploaded", actor=staff).count() == 1


def test_a_png_is_accepted_by_its_content_whatever_its_name(client, provider, owner):
    client.force_login(owner)
    upload = SimpleUploadedFile("photo-of-certificate.pdf", png_bytes(), content_type="application/pdf")

    client.post(reverse("providers:check-upload", kwargs={"slug": provider.slug}), _form(file=upload))

    check = ProviderCheck.objects.get()
    assert (check.content_type, Path(check.file.name).suffix) == ("image/png", ".png")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"file": SimpleUploadedFile("dbs.pdf", b"MZ\x90\x00 this is an exe", content_type="application/pdf")},
            "file",
            "The file must be a PDF, JPEG or PNG.",
        ),
        (
            {"file": SimpleUploadedFile("dbs.png", b"\x89PNG\r\n\x1a\nnot really a png", content_type="image/png")},
            "file",
            "The image could not be read. Try saving it again, or send a PDF.",
        ),
        (
            {"file": SimpleUploadedFile("dbs.txt", b"hello", content_type="text/plain")},
            "file",
            "The file must be a PDF, JPEG or PNG.",
        ),
        (
            {"expires_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat()},
            "expires_on",
            "This has already expired. Upload the renewed one.",
        ),
        (
            {"issued_on": (timezone.localdate() + datetime.timedelta(days=3)).isoformat()},
            "issued_on",
            "The issue date cannot be in the future.",
        ),
        ({"person_name": ""}, "person_name", "Enter the name of the person this check is for."),
        ({"issued_on": "31/02/2026"}, "issued_on", "Enter a real date, like 2026-03-31."),
        ({"reference": "x" * 81}, "reference", "Ensure this value has at most 80 characters (it has 81)."),
    ],
)
def test_bad_evidence_is_refused_beside_the_field_and_nothing_is_saved(
    client, provider, owner, overrides, field, message
):
    client.force_login(owner)
    before = _private_files()

    response = client.post(reverse("providers:check-upload", kwargs={"slug": provider.slug}), _form(**overrides))

    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors[field] == [message]
    assert ProviderCheck.objects.count() == 0
    assert _private_files() == before
    assert not AuditEvent.objects.filter(action="check.uploaded").exists()


def test_insurance_needs_the_amount_of_cover(client, provider, owner):
    client.force_login(owner)
    insurance = CheckType.objects.get(slug="public-liability-insurance")

    refused = client.post(
        reverse("providers:check-upload", kwargs={"slug": provider.slug}),
        _form(check_type=insurance.pk, person_name=""),
    )
    assert refused.context["form"].errors["amount_pence"] == ["Enter the amount of cover, in pounds."]

    client.post(
        reverse("providers:check-upload", kwargs={"slug": provider.slug}),
        _form(check_type=insurance.pk, person_name="", amount_pence="5,000,000"),
    )
    assert list(ProviderCheck.objects.values_list("amount_pence", flat=True)) == [500_000_000]


def test_a_file_over_the_size_limit_is_refused(client, provider, owner, settings):
    settings.PROVIDER_CHECK_MAX_UPLOAD_BYTES = 1024 * 1024
    client.force_login(owner)
    big = SimpleUploadedFile("big.pdf", pdf_bytes() + b"0" * (1024 * 1024), content_type="application/pdf")

    response = client.post(reverse("providers:check-upload", kwargs={"slug": provider.slug}), _form(file=big))

    assert response.context["form"].errors["file"] == ["The file must be smaller than 1 MB."]
    assert ProviderCheck.objects.count() == 0


def test_if_the_database_refuses_the_row_the_stored_file_is_removed(provider, owner):
    from providers import services

    before = _private_files()
    # PostgreSQL refuses a NUL character in text: the file is already stored when the INSERT fails.
    evidence = services.CheckEvidence(
        check_type=CheckType.objects.get(slug="dbs-enhanced"),
        reference="REF\x00",
        person_name="Jo",
        issued_on=_today(),
        expires_on=None,
        file=SimpleUploadedFile("a.pdf", pdf_bytes()),
    )

    with pytest.raises(DataError):
        services.check_upload(provider=provider, actor=owner, evidence=evidence)

    assert ProviderCheck.objects.count() == 0
    assert _private_files() == before
    assert not AuditEvent.objects.filter(action="check.uploaded").exists()


def test_an_empty_upload_form_is_validated_not_shown_afresh(client, provider, owner):
    client.force_login(owner)
    response = client.post(reverse("providers:check-upload", kwargs={"slug": provider.slug}), {})
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].is_bound
    assert "check_type" in response.context["form"].errors
    assert not provider.checks.exists()
