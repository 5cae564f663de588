"""Issue 18, item 2: a family books a block of twelve hours over twelve weeks once, across three four-week budget
periods, sees each period's share before placing it, and finds the shares on the order's page."""

from __future__ import annotations

import re

import pytest

from orders.models import Order
from orders.selectors import order_committed_by_period
from tests import factories
from tests.orders.helpers import in_days, make_budget

from .support import BROWSER_DB, click_and_wait, sign_in
from .test_journey_orders import _listed_service

pytestmark = [pytest.mark.browser, BROWSER_DB]


def test_a_family_books_a_block_across_three_budget_periods(page, url, live_server, check_accessibility):
    holder = factories.PersonFactory(full_name="Irene Young", user__full_name="Irene Young")
    # four-week periods from today; the block's twelve weeks are the second, third and fourth periods
    budget = make_budget(holder=holder, amount_pence=20_000, period="four_weekly", ends_on=in_days(111))
    service = _listed_service(holder.neighbourhood)
    first, last = in_days(28), in_days(111)

    sign_in(page, live_server.url, holder.user)
    page.goto(url(f"/providers/{service.provider.slug}/"))
    click_and_wait(page.get_by_role("link", name=re.compile("Book this")))
    page.get_by_label("A block of hours to use as needed").check()
    click_and_wait(page.get_by_role("button", name="Continue"))
    page.get_by_label("Start date").fill(first.isoformat())
    page.get_by_label("End date").fill(last.isoformat())
    click_and_wait(page.get_by_role("button", name="Continue"))
    page.get_by_label("How many hours do you want to buy?").fill("12")
    click_and_wait(page.get_by_role("button", name="Continue"))
    page.get_by_label("No").check()
    click_and_wait(page.get_by_role("button", name="Continue"))
    click_and_wait(page.get_by_role("button", name="Continue"))

    assert page.get_by_role("heading", level=1).inner_text() == "Check your order before placing it"
    summary = page.locator("dl.summary-list:not(.summary-list--actions)").inner_text()
    assert (f"Hours in each budget period\n4 hours in the period from {in_days(28):%-d %B %Y}, 4 hours in the "
            f"period from {in_days(56):%-d %B %Y}, 4 hours in the period from {in_days(84):%-d %B %Y}.") in summary
    assert "Total\n£210.00" in summary
    check_accessibility(page, "block-across-periods-check")

    click_and_wait(page.get_by_role("button", name="Place the order"))
    order = Order.objects.get()
    assert order_committed_by_period(budget=budget, order=order) == {in_days(28): 7000, in_days(56): 7000,
                                                                     in_days(84): 7000}
    page.goto(url(f"/orders/{order.pk}/"))
    shares = page.locator("dt", has_text="Hours in each budget period").locator("xpath=..").inner_text()
    assert f"4 hours in the period from {in_days(56):%-d %B %Y}" in shares
    assert "Hours for a later period cannot be used early" in shares
    check_accessibility(page, "block-across-periods-order")
