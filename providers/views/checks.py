"""A provider's checks: uploading evidence, and opening an evidence file (its members and commissioners only)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render

from market.core.exceptions import DomainError
from market.core.forms import add_refusal, posted, posted_files

from .. import page_selectors, services
from ..forms import CheckUploadForm
from ..permissions import may_open_check_file, provider_for_member

_EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


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
    check = page_selectors.provider_check(check_id)
    if check is None or not may_open_check_file(request.user, check):
        raise Http404("No such document.")
    try:
        handle = services.check_file_open(check=check, actor=request.user)
    except FileNotFoundError as error:
        raise Http404("The file is missing.") from error
    response = FileResponse(
        handle,
        content_type=check.content_type or "application/octet-stream",
        as_attachment=True,
        filename=f"{check.check_type.slug}-{check.pk}.{_EXTENSIONS.get(check.content_type, 'bin')}",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
