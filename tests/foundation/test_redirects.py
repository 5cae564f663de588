"""Hardening: a redirect to an address the request supplies stays on this site (market.core.redirects)."""

import ast
from pathlib import Path
from urllib.parse import quote

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, CommissionerFactory, HolderUserFactory
from tests.foundation.test_import_map import LAYERS

ROOT = Path(__file__).resolve().parents[2]
#: Every area of the product: the layers of the import map, so a new app is read as soon as it is placed there.
AREAS = LAYERS

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


REDIRECTS = {"redirect", "HttpResponseRedirect", "HttpResponsePermanentRedirect", "redirect_to_login"}
REQUEST_PARTS = {"GET", "POST", "META", "headers", "COOKIES", "body", "query_params"}


def _reads_request(node) -> bool:
    return any(isinstance(inner, ast.Attribute) and inner.attr in REQUEST_PARTS for inner in ast.walk(node))


def _leading(node):
    """What an address starts with (which decides its host): f"{x}/..." -> x, x + "..." -> x."""
    while True:
        if isinstance(node, ast.JoinedStr) and node.values:
            node = node.values[0]
        elif isinstance(node, ast.FormattedValue):
            node = node.value
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            node = node.left
        else:
            return node


def _offenders_in(tree) -> list[int]:
    """Lines of a redirect whose arguments read the request, or whose address starts with a name assigned from the
    request in the same function (`url = request.GET["next"]; return redirect(url)`)."""
    lines = []
    for function in [tree, *(n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))]:
        tainted: set[str] = set()
        for node in ast.walk(function):
            if isinstance(node, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and node.value is not None \
                    and _reads_request(node.value):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                tainted |= {name.id for target in targets for name in ast.walk(target) if isinstance(name, ast.Name)}
        for node in ast.walk(function):
            name = getattr(node, "func", None) and getattr(node.func, "id", getattr(node.func, "attr", ""))
            if not (isinstance(node, ast.Call) and name in REDIRECTS):
                continue
            arguments = [*node.args, *(k.value for k in node.keywords)]
            address = _leading(node.args[0]) if node.args else None
            if any(_reads_request(argument) for argument in arguments) or (
                    isinstance(address, ast.Name) and address.id in tainted):
                lines.append(node.lineno)
    return sorted(set(lines))


def test_every_app_of_the_product_is_read_by_the_redirect_check():
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")} | {
        path.parent.parent.name for path in ROOT.glob("*/*/apps.py")}
    assert apps - set(AREAS) == set()


def test_the_check_finds_a_redirect_through_a_name_read_from_the_request():
    source = ("def view(request):\n    url = request.GET.get('next')\n    return redirect(url)\n"
              "def other(request):\n    url = request.POST['back']\n    return HttpResponseRedirect(f'{url}?done=1')\n"
              "def fine(request):\n    pk = int(request.POST['pk'])\n    return redirect('page', pk=pk)\n")
    assert _offenders_in(ast.parse(source)) == [3, 6]


def test_no_view_redirects_to_a_request_value_except_through_the_helper():
    """The class of the defect: any redirect( or HttpResponseRedirect( whose address reads the request."""
    offenders = []
    for area in AREAS:
        for path in (ROOT / area).rglob("*.py"):
            if "migrations" in path.parts or path.name == "redirects.py":
                continue
            offenders += [f"{path.relative_to(ROOT)}:{line}" for line in _offenders_in(ast.parse(path.read_text()))]
    assert offenders == []


@pytest.mark.parametrize("next_url", OFF_SITE)
def test_the_market_view_s_refresh_never_sends_off_site(verified_client, db, next_url):
    client = verified_client(CommissionerFactory())

    response = client.post(reverse("commissioning:market-refresh"), {"next": next_url})

    assert response.status_code == 302
    assert response["Location"] == reverse("commissioning:market")


@pytest.mark.parametrize("next_url", OFF_SITE)
def test_signing_in_never_sends_off_site(client, db, next_url):
    user = HolderUserFactory()

    response = client.post(f"{reverse('accounts:sign-in')}?next={quote(next_url, safe='')}",
                           {"username": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")
