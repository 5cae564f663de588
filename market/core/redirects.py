"""The one way to redirect to an address a request supplies (`?next=`): only to a path on this site."""

from __future__ import annotations

from urllib.parse import unquote

from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request, default: str, *, field: str = "next") -> str:
    """The `next` address of the request (query string, then form) if it stays on this site, else `default`
    (a URL name or path). Refuses other hosts, scheme-relative `//host`, backslash tricks (`/\\host`),
    `javascript:` and the like; an https page never sends to http."""
    candidate = request.POST.get(field) or request.GET.get(field) or ""
    # Checked as given and once decoded, so an encoded `%2F%2Fhost` is refused too (a proxy or a second
    # redirect may decode it).
    if candidate and all(
        url_has_allowed_host_and_scheme(form, allowed_hosts={request.get_host()}, require_https=request.is_secure())
        for form in (candidate, unquote(candidate))
    ):
        return candidate
    return resolve_url(default)


def redirect_to_next(request, default: str, *, field: str = "next"):
    return redirect(safe_next_url(request, default, field=field))
