"""Hardening: a redirect to an address the request supplies stays on this site (market.core.redirects)."""

import ast
from pathlib import Path
from urllib.parse import quote

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, CommissionerFactory

ROOT = Path(__file__).resolve().parents[2]
AREAS = ["market", "providers", "directory", "oruk", "orders", "quality", "invoicing", "payments", "commissioning",
         "cms", "worker"]

OFF_SITE = [
    "https://evil.example/phish",
    "http://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "/%2F%2Fevil.example/",
    "%2F%2Fevil.example",
    "https:evil.example",
    " //evil.example",
    "http://testserver@evil.example/",
]


def _second_factor(client, next_url):
    commissioner = CommissionerFactory()
    device = TOTPDevice.objects.create(user=commissioner, name="phone", confirmed=True)
    client.post(reverse("accounts:sign-in"), {"username": commissioner.email, "password": PASSWORD})
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    return client.post(f"{reverse('accounts:second-factor')}?next={quote(next_url, safe='')}", {"token": code})


@pytest.mark.parametrize("next_url", OFF_SITE)
def test_the_second_factor_never_sends_off_site(client, db, next_url):
    response = _second_factor(client, next_url)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")


def test_the_second_factor_sends_on_to_a_page_of_this_site(client, db):
    response = _second_factor(client, "/admin/pages/")

    assert response["Location"] == "/admin/pages/"


def _redirects_to_request_value(node) -> bool:
    if not isinstance(node, ast.Call):
        return False
    if getattr(node.func, "id", getattr(node.func, "attr", "")) not in {"redirect", "HttpResponseRedirect"}:
        return False
    return any(isinstance(inner, ast.Attribute) and inner.attr in {"GET", "POST", "META", "headers"}
               for argument in node.args for inner in ast.walk(argument))


def test_no_view_redirects_to_a_request_value_except_through_the_helper():
    """The class of the defect: any redirect( or HttpResponseRedirect( whose argument reads the request."""
    offenders = []
    for area in AREAS:
        for path in (ROOT / area).rglob("*.py"):
            if "migrations" in path.parts or path.name == "redirects.py":
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if _redirects_to_request_value(node):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
