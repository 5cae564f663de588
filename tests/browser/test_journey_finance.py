"""Journey: finance staff invoice a period in the running product and watch the real worker do it, download a PDF,
issue a credit note and record a payment; the provider sees its invoices. Every page checked with axe-core."""

from __future__ import annotations

import datetime
import io
import time

import pytest
from django.utils import timezone
from pypdf import PdfReader

from market.accounts.models import FundingRoute, Role
from tests import factories
from tests.invoicing.test_invoicing import _budget, confirmed_visit
from tests.orders.helpers import make_service

from .support import BROWSER_DB, click_and_wait, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.worker, BROWSER_DB]


def _wait_for_text(page, text: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while text not in page.locator("main").inner_text():
        assert time.monotonic() < deadline, f"{text!r} never appeared on {page.url}"
        time.sleep(1)
        page.reload()


def test_finance_invoices_a_period_downloads_credits_and_records_a_payment(
        page, url, live_server, check_accessibility, celery_worker_process, new_page):
    holder = factories.PersonFactory()
    council_person = factories.PersonFactory(neighbourhood=holder.neighbourhood)
    service = make_service(neighbourhood=holder.neighbourhood, price_pence=1750)
    confirmed_visit(holder, service, _budget(holder, FundingRoute.DIRECT_PAYMENT), days_ago=3)
    confirmed_visit(council_person, service, _budget(council_person, FundingRoute.COUNCIL_MANAGED), days_ago=2)
    finance = factories.UserFactory(roles=[Role.FINANCE], full_name="Fran Okafor")
    sign_in(page, live_server.url, finance)

    # She invoices the last thirty days; the worker does it while the background page shows its progress.
    page.goto(url("/finance/invoices/"))
    check_accessibility(page, "1-invoices-empty")
    today = timezone.localdate()
    page.get_by_label("First day").fill((today - datetime.timedelta(days=30)).isoformat())
    page.get_by_label("Last day").fill(today.isoformat())
    click_and_wait(page.get_by_role("button", name="Start invoicing"))
    assert "has started" in page.locator("main").inner_text()
    check_accessibility(page, "2-background")
    page.goto(url("/finance/invoices/?status=issued"))
    _wait_for_text(page, "Issued, unpaid (2)")
    check_accessibility(page, "3-invoices-issued")

    # The person's invoice: download its PDF...
    click_and_wait(page.get_by_role("row", name=holder.display_name).get_by_role("link"))
    check_accessibility(page, "4-invoice")
    number = page.get_by_role("heading", level=1).inner_text().split()[-1]
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Download invoice {number} (PDF)").click()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(download.value.path().read_bytes())).pages)
    assert f"Invoice {number}" in text and "£17.50" in text

    # ...and credit it, giving the reason.
    page.get_by_label("Why is it being credited?").fill("The visit was 45 minutes, not an hour")
    click_and_wait(page.get_by_role("button", name="Issue credit note"))
    assert "Credit note" in page.locator("main").inner_text() and "issued" in page.locator("main").inner_text()
    check_accessibility(page, "5-credited")

    # The council's invoice: record its payment.
    page.goto(url("/finance/invoices/?status=issued"))
    click_and_wait(page.get_by_role("row", name="Council").get_by_role("link"))
    page.get_by_label("Payment reference (optional)").fill("BACS 449102")
    click_and_wait(page.get_by_role("button", name="Record payment"))
    assert "recorded" in page.locator("main").inner_text()
    page.goto(url("/finance/invoices/?status=paid"))
    assert "Paid (1)" in page.locator("main").inner_text()
    check_accessibility(page, "6-paid")

    # The provider sees its own invoices.
    provider_page = new_page()
    sign_in(provider_page, live_server.url, service.owner)
    provider_page.goto(url(f"/provider/{service.provider.slug}/invoices/"))
    check_accessibility(provider_page, "7-provider-invoices")
    assert number in provider_page.locator("main").inner_text()
