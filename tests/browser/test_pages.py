"""Every page that exists, checked in a real browser: one h1, lang, a skip link to <main>, labelled fields,
no sideways scrolling at 400% zoom, and zero axe-core violations at WCAG 2.2 AA. Screenshots at desktop and phone
sizes land in test-artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from market.accounts.models import ConsentScope
from market.accounts.services import consent_grant
from tests import factories

from .support import BROWSER_DB, click_and_wait, sign_in

pytestmark = [pytest.mark.browser, BROWSER_DB]


def test_public_pages(page, url, site_pages, check_accessibility):
    for path, name in [
        ("/", "home"),
        ("/how-it-works/", "how-it-works"),
        ("/for-providers/", "for-providers"),
        ("/accessibility/", "accessibility"),
        ("/privacy/", "privacy"),
        ("/contact/", "contact"),
        ("/no-such-page/", "not-found"),
    ]:
        page.goto(url(path))
        check_accessibility(page, name)


def test_sign_in_and_password_reset_pages(page, url, check_accessibility):
    user = factories.HolderUserFactory(email="margaret@example.org")

    page.goto(url("/account/sign-in/"))
    check_accessibility(page, "sign-in")

    # A wrong password: the error summary links to the problem; nothing else changes.
    page.get_by_label("Email address").fill("margaret@example.org")
    page.get_by_label("Password").fill("not-the-password")
    click_and_wait(page.get_by_role("button", name="Sign in"))
    assert page.get_by_role("alert").get_by_text("There is a problem").is_visible()
    check_accessibility(page, "sign-in-error")

    page.goto(url("/account/password-reset/"))
    check_accessibility(page, "password-reset")
    click_and_wait(page.get_by_role("button", name="Send the link"))
    check_accessibility(page, "password-reset-error")
    page.get_by_label("Email").fill(user.email)
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_url(re.compile(r"/password-reset/sent/"))
    check_accessibility(page, "password-reset-sent")

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    page.goto(url(f"/account/password-reset/{uid}/{token}/"))
    page.wait_for_url(re.compile(r"/set-password/"))
    check_accessibility(page, "password-reset-choose")
    page.goto(url(f"/account/password-reset/{uid}/not-a-token/"))
    check_accessibility(page, "password-reset-expired")


def test_second_factor_pages(page, url, live_server, check_accessibility):
    commissioner = factories.CommissionerFactory(email="cath@example.org")

    # First sign-in: no authenticator yet, so the set-up page with its QR code.
    page.goto(url("/account/sign-in/"))
    page.get_by_label("Email address").fill(commissioner.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/second-factor/set-up/"))
    check_accessibility(page, "second-factor-set-up")
    page.get_by_label("Code from your authenticator app").fill("abc")
    click_and_wait(page.get_by_role("button", name="Finish setting up"))
    check_accessibility(page, "second-factor-set-up-error")

    # Later sign-ins ask for the code.
    page.context.clear_cookies()
    page.goto(url("/account/sign-in/"))
    page.get_by_label("Email address").fill(commissioner.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/second-factor/"))
    from .support import totp_code_for

    totp_code_for(commissioner)  # confirms a device, as finishing the set-up would
    page.reload()
    page.wait_for_url(re.compile(r"/second-factor/$"))
    check_accessibility(page, "second-factor")
    page.get_by_label("Code from your authenticator app").fill(totp_code_for(commissioner))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/account/$"))
    check_accessibility(page, "commissioner-dashboard")


def test_signed_in_pages_for_holder(page, url, live_server, check_accessibility):
    holder = factories.PersonFactory(
        full_name="Margaret Hughes", user__full_name="Margaret Hughes", preferred_name="Maggie"
    )
    supporter = factories.SupporterFactory(email="susan@example.org", full_name="Susan Hughes")
    consent_grant(
        holder=holder,
        supporter=supporter,
        scopes=[ConsentScope.VIEW, ConsentScope.ORDER],
        relationship="daughter",
        granted_by=holder.user,
    )

    sign_in(page, live_server.url, holder.user)
    page.goto(url("/account/"))
    check_accessibility(page, "dashboard")

    page.get_by_role("link", name="Margaret Hughes", exact=True).click()
    page.wait_for_url(re.compile(r"/account/people/\d+/$"))
    check_accessibility(page, "person-record")

    page.get_by_role("link", name="Let someone help").click()
    page.wait_for_url(re.compile(r"/consents/new/$"))
    check_accessibility(page, "consent-form")
    click_and_wait(page.get_by_role("button", name="Give consent"))
    check_accessibility(page, "consent-form-errors")


def test_signed_in_pages_for_supporter_and_coordinator(page, new_page, url, live_server, check_accessibility):
    holder = factories.PersonFactory(full_name="Dave Turner", user__full_name="Dave Turner")
    supporter = factories.SupporterFactory(full_name="Susan Hughes")
    consent_grant(
        holder=holder, supporter=supporter, scopes=[ConsentScope.VIEW], relationship="neighbour", granted_by=holder.user
    )
    caseload = factories.CaseloadFactory(person=holder)

    sign_in(page, live_server.url, supporter)
    check_accessibility(page, "supporter-dashboard")
    page.goto(url(f"/account/people/{holder.pk}/"))
    check_accessibility(page, "supporter-person-record")

    coordinator_page = new_page()
    sign_in(coordinator_page, live_server.url, caseload.coordinator)
    coordinator_page.goto(url(f"/account/people/{holder.pk}/"))
    check_accessibility(coordinator_page, "coordinator-person-record")

    # Someone else's record: a refusal page that is itself accessible.
    stranger = factories.PersonFactory()
    coordinator_page.goto(url(f"/account/people/{stranger.pk}/consents/new/"))
    check_accessibility(coordinator_page, "refused")


def test_pages_work_without_javascript(new_page, url, live_server, check_accessibility):
    """Sign in and give consent with JavaScript switched off: plain forms and links do everything."""
    holder = factories.PersonFactory(full_name="Peter Lowe", user__full_name="Peter Lowe")
    supporter = factories.SupporterFactory(email="friend@example.org")
    page = new_page(java_script_enabled=False)

    sign_in(page, live_server.url, holder.user)
    page.goto(url(f"/account/people/{holder.pk}/consents/new/"))
    page.get_by_label("Supporter's email address").fill("friend@example.org")
    page.get_by_label("How do they know the person?").fill("friend")
    page.get_by_label("See their budget, orders and visits").check()
    page.get_by_role("button", name="Give consent").click()
    page.wait_for_url(re.compile(rf"/account/people/{holder.pk}/$"))
    assert page.get_by_role("status").inner_text().strip() == f"{supporter} can now help Peter Lowe."
    assert holder.consents.filter(supporter=supporter, revoked_at=None).count() == 1
