"""Journey 3: a provider signs up, adds a service and uploads a check (keyboard only for the sign-up).
Journey 4: a commissioner approves a provider's checks, rejects one document with a reason, approves the provider.

Every page visited is checked with axe-core (WCAG 2.2 AA) and saved as desktop and phone screenshots."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from providers.models import CheckStatus, CheckType, Provider, ProviderStatus
from providers.services import CheckEvidence, check_upload
from tests import factories

from .support import (
    BROWSER_DB,
    assert_focus_visible,
    click_and_wait,
    press_and_wait,
    sign_in,
    tab_to,
    tab_to_field,
)

pytestmark = [pytest.mark.browser, BROWSER_DB]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _type_into(page, label: str, text: str) -> None:
    tab_to_field(page, label)
    page.keyboard.type(text)


def test_provider_signs_up_adds_a_service_and_uploads_a_check(page, url, check_accessibility, tmp_path):
    scholes = factories.NeighbourhoodFactory(name="Scholes")
    factories.CategoryFactory(name="Companionship")

    # The way in, from the home page.
    page.goto(url("/"))
    click_and_wait(page.get_by_role("link", name="Offer your support"))
    if "/provider/sign-up/" not in page.url:
        page.goto(url("/provider/sign-up/"))
    check_accessibility(page, "1-sign-up")

    # Step 1, keyboard only: Tab to each field, type, Space to choose, Enter to send.
    page.locator("main").focus()
    _type_into(page, "Your full name", "Jo Fairclough")
    _type_into(page, "Your email address", "jo@example.org")
    _type_into(page, "Choose a password", "a long enough password")
    _type_into(page, "Your name, or your organisation's name", "Jo's Companions")
    tab_to_field(page, "Sole trader")
    page.keyboard.press("Space")
    _type_into(page, "Tell people about yourself", "I visit older people in Scholes for a chat and a brew.")
    tab_to(page, "Save and continue")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/sign-up/contact/$"))
    provider = Provider.objects.get(name="Jo's Companions")
    assert provider.legal_form == "sole_trader"
    assert provider.memberships.get().user.email == "jo@example.org"
    check_accessibility(page, "2-contact")

    page.get_by_label("Email address for enquiries").fill("hello@jos-companions.example")
    page.get_by_label("Phone number").fill("01942 123456")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r"/sign-up/neighbourhoods/$"))
    check_accessibility(page, "3-neighbourhoods")

    # An empty choice is answered beside the field, and nothing is saved.
    click_and_wait(page.get_by_role("button", name="Save and continue"))
    assert page.get_by_role("link", name="Choose at least one neighbourhood you cover.").is_visible()
    assert list(provider.neighbourhoods.all()) == []
    check_accessibility(page, "3-neighbourhoods-error")
    page.get_by_label("Scholes").check()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r"/sign-up/service/$"))
    assert list(provider.neighbourhoods.all()) == [scholes]
    check_accessibility(page, "4-first-service")

    page.get_by_label("Name of the service").fill("Companionship visits")
    page.get_by_label("What happens, and who it suits").fill("A chat, a brew and a walk if you fancy it.")
    page.get_by_label("Kind of support").select_option(label="Companionship")
    page.get_by_label("How you charge").select_option(label="per hour")
    page.get_by_label("Price in pounds").fill("17.50")
    page.get_by_label("Tuesday").check()
    page.get_by_label("Thursday").check()
    page.get_by_label("Usually from").fill("10:00")
    page.get_by_label("Usually until").fill("09:00")
    click_and_wait(page.get_by_role("button", name="Save and continue"))
    assert page.get_by_role("link", name="The time you finish must be after the time you start.").is_visible()
    check_accessibility(page, "4-first-service-error")
    page.get_by_label("Usually until").fill("15:00")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r"/sign-up/submit/$"))
    service = provider.services.get()
    assert (service.title, service.price_pence, service.unit) == ("Companionship visits", 1750, "per_hour")
    assert [str(slot) for slot in service.availability.all()] == ["Tuesday 10:00-15:00", "Thursday 10:00-15:00"]
    check_accessibility(page, "5-check-and-submit")

    page.get_by_role("button", name="Submit for approval").click()
    page.wait_for_url(re.compile(rf"/provider/{provider.slug}/$"))
    provider.refresh_from_db()
    assert provider.status == ProviderStatus.PENDING
    check_accessibility(page, "6-dashboard-pending")

    # Upload the DBS check: the file is chosen by the test (a file dialog is the operating system's, not ours).
    page.get_by_role("link", name="Upload a check").click()
    page.wait_for_url(re.compile(r"/checks/new/"))
    check_accessibility(page, "7-upload-check")
    page.get_by_label("Which check is this?").select_option(label="Enhanced DBS check")
    page.get_by_label("Whose check is it? (for a DBS or a certificate)").fill("Jo Fairclough")
    page.get_by_label("Certificate, policy or registration number").fill("001234567890")
    page.get_by_label("Date issued").fill((date.today() - timedelta(days=30)).isoformat())
    page.get_by_label("Expiry date (leave empty if it does not expire)").fill(
        (date.today() + timedelta(days=1065)).isoformat()
    )
    document = tmp_path / "dbs.pdf"
    document.write_bytes(PDF)
    page.get_by_label("The document").set_input_files(str(document))
    tab_to(page, "Upload")
    assert_focus_visible(page)
    press_and_wait(page)
    page.wait_for_url(re.compile(rf"/provider/{provider.slug}/$"))
    check = provider.checks.get()
    assert (check.check_type.slug, check.reference, check.status) == ("dbs-enhanced", "001234567890", "pending")
    assert page.get_by_role("status").inner_text().strip() == "Enhanced DBS check uploaded. The council will check it."
    check_accessibility(page, "8-dashboard-with-check")

    # A second service, added from the dashboard.
    page.get_by_role("link", name="Add a service").click()
    page.wait_for_url(re.compile(r"/services/new/$"))
    check_accessibility(page, "9-add-service")
    page.get_by_label("Name of the service").fill("Trips to the match")
    page.get_by_label("What happens, and who it suits").fill("Home games at the DW, with a lift there and back.")
    page.get_by_label("Kind of support").select_option(label="Companionship")
    page.get_by_label("How you charge").select_option(label="per session")
    page.get_by_label("Price in pounds").fill("25")
    page.get_by_role("button", name=re.compile("Save")).first.click()
    page.wait_for_url(re.compile(r"/availability/$"))
    assert provider.services.get(title="Trips to the match").price_pence == 2500
    check_accessibility(page, "10-service-times")


def _pending_provider_with_checks():
    owner = factories.UserFactory(full_name="Ray Molyneux", roles=["provider_member"])
    provider = factories.ProviderFactory(
        name="Scholes Care Co-op", status=ProviderStatus.PENDING, legal_form="cooperative"
    )
    factories.ProviderMembershipFactory(provider=provider, user=owner)
    today = date.today()
    for slug, reference, person, amount in [
        ("dbs-enhanced", "DBS-0001", "Ray Molyneux", None),
        ("public-liability-insurance", "PL-77-2026", "", 500_000_000),
    ]:
        check_upload(
            provider=provider,
            actor=owner,
            evidence=CheckEvidence(
                check_type=CheckType.objects.get(slug=slug),
                reference=reference,
                issued_on=today - timedelta(days=10),
                expires_on=today + timedelta(days=355),
                file=SimpleUploadedFile(f"{slug}.pdf", PDF, content_type="application/pdf"),
                person_name=person,
                amount_pence=amount,
            ),
        )
    return provider


def test_commissioner_approves_checks_rejects_one_and_approves_the_provider(
    page, url, live_server, check_accessibility
):
    provider = _pending_provider_with_checks()
    dbs = provider.checks.get(check_type__slug="dbs-enhanced")
    insurance = provider.checks.get(check_type__slug="public-liability-insurance")
    commissioner = factories.CommissionerFactory(full_name="Cath Bennett")

    sign_in(page, live_server.url, commissioner)
    page.goto(url("/commissioners/verification/"))
    check_accessibility(page, "1-queue")
    page.get_by_role("link", name=re.compile("Scholes Care Co-op")).first.click()
    page.wait_for_url(re.compile(rf"/providers/{provider.slug}/$"))
    check_accessibility(page, "2-review")

    # Approve the DBS check, keyboard only: Tab to "Approve", Space, Tab to its button, Enter.
    card = page.locator(f"#check-{dbs.pk}")
    card.get_by_role("link", name=re.compile("Open the document")).focus()
    page.keyboard.press("Tab")
    assert card.get_by_label("Approve").evaluate("el => el === document.activeElement")
    assert_focus_visible(page)
    page.keyboard.press("Space")
    tab_to(page, "Record decision")
    press_and_wait(page)
    dbs.refresh_from_db()
    assert (dbs.status, dbs.decided_by) == (CheckStatus.APPROVED, commissioner)
    check_accessibility(page, "3-after-approving-dbs")

    # Rejecting without a reason is refused beside the field, and changes nothing.
    card = page.locator(f"#check-{insurance.pk}")
    card.get_by_label("Reject").check()
    click_and_wait(card.get_by_role("button", name=re.compile("Record decision")))
    assert page.get_by_role("link", name="Give a reason: the provider will see it.").is_visible()
    insurance.refresh_from_db()
    assert insurance.status == CheckStatus.PENDING
    check_accessibility(page, "4-reject-needs-a-reason")

    card = page.locator(f"#check-{insurance.pk}")
    card.get_by_label("Reject").check()
    reason = card.get_by_label(re.compile("Reason for the decision on Public liability insurance"))
    reason.fill("The policy document is cut off: upload all pages.")
    click_and_wait(card.get_by_role("button", name=re.compile("Record decision")))
    insurance.refresh_from_db()
    assert (insurance.status, insurance.decision_reason) == (
        CheckStatus.REJECTED,
        "The policy document is cut off: upload all pages.",
    )
    check_accessibility(page, "5-after-rejecting-insurance")

    # Approve the provider itself: the decision section has its own form.
    decision = page.locator("section", has=page.get_by_role("heading", name="Decision on the provider"))
    decision.get_by_label("Approve").check()
    click_and_wait(decision.get_by_role("button", name=re.compile("Record decision")))
    provider.refresh_from_db()
    assert provider.status == ProviderStatus.APPROVED
    assert page.get_by_role("status").inner_text().strip() == "Scholes Care Co-op: Approved."
    check_accessibility(page, "6-queue-after-approval")
