"""A mother books support for her two sons once, shared 60/40 between their budgets, and the provider accepts it
once. Every page is checked with axe-core (WCAG 2.2 AA), structure, skip link and reflow."""

from __future__ import annotations

import pytest

from market.accounts.models import ConsentScope
from market.accounts.services import consent_grant
from orders.models import Order, OrderStatus, SharedBooking
from orders.selectors import budget_balance
from orders.services import household_record
from tests import factories
from tests.orders.helpers import in_days, make_budget

from .support import BROWSER_DB, click_and_wait, sign_in
from .test_journey_orders import _listed_service

pytestmark = [pytest.mark.browser, BROWSER_DB]


def test_a_mother_shares_a_booking_between_her_sons_budgets(page, new_page, url, live_server, check_accessibility):
    coordinator = factories.CoordinatorFactory()
    tom = factories.PersonFactory(full_name="Tom Baxter", user=None)
    joe = factories.PersonFactory(full_name="Joe Baxter", user=None, neighbourhood=tom.neighbourhood)
    mother = factories.SupporterFactory(full_name="Linda Baxter")
    for person in (tom, joe):
        factories.CaseloadFactory(person=person, coordinator=coordinator)
        consent_grant(holder=person, supporter=mother, relationship="Mother", granted_by=coordinator,
                      scopes=[ConsentScope.VIEW, ConsentScope.ORDER, ConsentScope.CONFIRM_VISITS])
    household_record(by=coordinator, name="The Baxter household", people=[tom, joe])
    tom_budget = make_budget(holder=tom, amount_pence=10_000, created_by=coordinator)
    joe_budget = make_budget(holder=joe, amount_pence=10_000, created_by=coordinator)
    service = _listed_service(tom.neighbourhood)

    sign_in(page, live_server.url, mother)
    page.goto(url(f"/orders/new/{service.pk}/?for={tom.pk}"))
    page.get_by_label("One visit").check()
    click_and_wait(page.get_by_role("button", name="Continue"))
    page.get_by_label("What day would you like the visit?").fill(in_days(3).isoformat())
    click_and_wait(page.get_by_role("button", name="Continue"))
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("How long?").select_option(label="2 hours")
    click_and_wait(page.get_by_role("button", name="Continue"))
    page.get_by_label("No").check()
    click_and_wait(page.get_by_role("button", name="Continue"))
    click_and_wait(page.get_by_role("button", name="Continue"))

    click_and_wait(page.get_by_role("link", name="Share this with someone in the same household"))
    assert page.get_by_role("heading", level=1).inner_text() == "Share this with someone in the same household"
    check_accessibility(page, "1-share-question")
    page.get_by_label("Joe Baxter").check()
    page.get_by_label("Tom Baxter's share, in percent").fill("60")
    page.get_by_label("The other person's share, in percent").fill("30")
    click_and_wait(page.get_by_role("button", name="Continue"))
    error = "The shares must add up to 100%: 60% and 30% make 90%."
    assert page.get_by_role("link", name=error).is_visible()
    check_accessibility(page, "2-shares-not-100")
    page.get_by_label("The other person's share, in percent").fill("40")
    click_and_wait(page.get_by_role("button", name="Continue"))

    # Two hours at £17.50 is £35.00: Tom pays £21.00 (60%), Joe £14.00 (40%); nothing is placed yet.
    assert page.get_by_role("heading", level=1).inner_text() == "Check the shared booking before placing it"
    table = page.locator("table").inner_text()
    assert "Tom Baxter\t60%\t£21.00" in table and "Joe Baxter\t40%\t£14.00" in table
    assert Order.objects.count() == 0
    check_accessibility(page, "3-check-the-shared-booking")
    click_and_wait(page.get_by_role("button", name="Place the shared booking"))

    booking = SharedBooking.objects.get()
    assert (budget_balance(tom_budget).left, budget_balance(joe_budget).left) == (7900, 8600)
    assert "shared by Tom Baxter and Joe Baxter" in page.locator("main").inner_text()
    check_accessibility(page, "4-shared-booking")

    provider = new_page()
    sign_in(provider, live_server.url, service.owner)
    provider.goto(url("/orders/provider/"))
    click_and_wait(provider.get_by_role("link", name=f"Shared booking: {service}"))
    check_accessibility(provider, "5-provider-sees-one-booking")
    click_and_wait(provider.get_by_role("button", name="Accept the booking"))
    assert set(Order.objects.filter(pk__in=[booking.first_order_id, booking.second_order_id])
               .values_list("status", flat=True)) == {OrderStatus.ACCEPTED}
    check_accessibility(provider, "6-accepted-for-both")
