"""The payments pages as people see them on a site without Stripe keys (the embedded default): finance's payments
overview, Stripe events and reconciliation, a provider's payouts page and a person's invoices to pay. Every page
checked with axe-core (zero violations) and saved as screenshots; each says plainly that payments are not set up."""

from __future__ import annotations

import pytest

from invoicing.services import invoicing_run
from market.accounts.models import FundingRoute, Role
from tests import factories
from tests.invoicing.test_invoicing import _budget, _period, confirmed_visit
from tests.orders.helpers import make_service

from .support import BROWSER_DB, sign_in

pytestmark = [pytest.mark.browser, BROWSER_DB]


def test_payments_pages_without_stripe_keys(page, url, live_server, check_accessibility, new_page):
    holder = factories.PersonFactory()
    service = make_service(neighbourhood=holder.neighbourhood, price_pence=1750)
    confirmed_visit(holder, service, _budget(holder, FundingRoute.SELF_FUNDED), days_ago=2)
    invoicing_run(period_start=_period()[0], period_end=_period()[1])

    sign_in(page, live_server.url, factories.UserFactory(roles=[Role.FINANCE], full_name="Fran Okafor"))
    for path, name in [("/finance/payments/", "1-finance-payments"), ("/finance/payments/events/", "2-events"),
                       ("/finance/payments/reconciliation/", "3-reconciliation")]:
        page.goto(url(path))
        check_accessibility(page, name)
        assert page.get_by_role("heading", level=1).is_visible()
    page.goto(url("/finance/payments/"))
    assert "not set up" in page.locator("main").inner_text().lower()

    provider_page = new_page()
    sign_in(provider_page, live_server.url, service.owner)
    provider_page.goto(url(f"/provider/{service.provider.slug}/payouts/"))
    check_accessibility(provider_page, "4-provider-payouts")
    assert "not set up" in provider_page.locator("main").inner_text().lower()

    holder_page = new_page()
    sign_in(holder_page, live_server.url, holder.user)
    holder_page.goto(url("/payments/invoices/"))
    check_accessibility(holder_page, "5-invoices-to-pay")
    assert service.provider.name in holder_page.locator("main").inner_text()
