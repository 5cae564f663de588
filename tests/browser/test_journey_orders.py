"""Journeys that go through orders and visits:

1. (second half) a holder books a weekly visit from a storefront, seeing the effect on the budget before confirming;
2. a supporter, under consent, confirms last week's visits and disputes one;
3. (second half) a provider accepts an order and records a visit;
4. (second half) a safeguarding concern reaches the commissioners' queue first, marked urgent, and is handled;
5. a coordinator adjusts a holder's budget with a reason and places an order on the holder's behalf.

Key steps are keyboard only; every page is checked with axe-core and saved as desktop and phone screenshots."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from cms.storefronts import storefront_ensure
from market.accounts.models import ConsentScope
from market.accounts.services import consent_grant
from orders.models import LedgerEntry, Order, OrderStatus, Visit
from orders.selectors import budget_balance
from orders.services import order_accept, visit_record_delivery
from tests import factories
from tests.orders.helpers import in_days, make_budget, place

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
HOUR = datetime.timedelta(hours=1)


def _listed_service(neighbourhood, *, title="Companionship visits", price_pence=1750, name="Jo's Companions"):
    provider = factories.ProviderFactory(name=name)
    owner = factories.ProviderMembershipFactory(provider=provider, user__full_name="Jo Fairclough").user
    service = factories.ListedServiceFactory(
        provider=provider, title=title, price_pence=price_pence, unit="per_hour", languages=["English"]
    )
    provider.neighbourhoods.add(neighbourhood)
    service.neighbourhoods.set([neighbourhood])
    storefront_ensure(provider=provider)
    service.owner = owner
    return service


def _next_weekday(weekday: int) -> datetime.date:
    day = in_days(1)
    while day.weekday() != weekday:
        day += datetime.timedelta(days=1)
    return day


def test_holder_books_a_weekly_visit_seeing_the_budget_before_confirming(page, url, live_server, check_accessibility):
    holder = factories.PersonFactory(full_name="Margaret Hughes", user__full_name="Margaret Hughes")
    budget = make_budget(
        holder=holder, amount_pence=50_000, period="annual", starts_on=in_days(-30), ends_on=in_days(334)
    )
    service = _listed_service(holder.neighbourhood)
    first = _next_weekday(1)  # a Tuesday
    last = first + datetime.timedelta(days=21)  # four Tuesdays

    sign_in(page, live_server.url, holder.user)
    page.goto(url(f"/providers/{service.provider.slug}/"))
    click_and_wait(page.get_by_role("link", name=re.compile("Book this")))
    check_accessibility(page, "1-order-form")

    # One question a page, keyboard only: arrow keys choose "A weekly arrangement", Space ticks Tuesday.
    assert page.get_by_role("heading", level=1).inner_text() == "How often do you want this support?"
    page.locator("main").focus()
    tab_to_field(page, "One visit")
    page.keyboard.press("ArrowDown")
    assert page.get_by_label("A weekly arrangement").is_checked()
    assert_focus_visible(page)
    tab_to(page, "Continue")
    press_and_wait(page)

    assert page.get_by_role("heading", level=1).inner_text() == "Which days of the week?"
    click_and_wait(page.get_by_role("button", name="Continue"))  # nothing ticked: the error is beside the field
    assert page.get_by_role("link", name="Choose at least one day of the week").is_visible()
    check_accessibility(page, "1b-days-error")
    page.locator("main").focus()
    tab_to_field(page, "Tuesday")
    page.keyboard.press("Space")
    assert page.get_by_label("Tuesday").is_checked()
    tab_to(page, "Continue")
    press_and_wait(page)

    assert page.get_by_role("heading", level=1).inner_text() == "When should the visits start and end?"
    check_accessibility(page, "1c-dates")
    page.locator("main").focus()
    tab_to_field(page, "Start date")
    page.get_by_label("Start date").fill(first.isoformat())
    tab_to_field(page, "End date")
    page.get_by_label("End date").fill(last.isoformat())
    tab_to(page, "Continue")
    press_and_wait(page)

    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("How long?").select_option(label="1 hour")
    click_and_wait(page.get_by_role("button", name="Continue"))
    page.get_by_label("No").check()  # a direct payment: is the provider a relative in the household?
    click_and_wait(page.get_by_role("button", name="Continue"))
    page.get_by_label("Is there anything the provider should know?").fill("The side door is easier.")
    click_and_wait(page.get_by_role("button", name="Continue"))

    # The check page shows the total and what is left in the budget before and after; nothing is reserved yet.
    assert page.get_by_role("heading", level=1).inner_text() == "Check your order before placing it"
    assert "Tuesdays" in page.locator("dl.summary-list--actions").inner_text()
    summary = page.locator("dl.summary-list:not(.summary-list--actions)").inner_text()
    assert "Number of visits\n4" in summary
    assert "Total\n£70.00" in summary
    assert "Left in the budget now\n£500.00" in summary
    assert "Left after this order\n£430.00" in summary
    assert Order.objects.count() == 0
    check_accessibility(page, "2-check-your-order")

    tab_to(page, "Place the order")
    press_and_wait(page)
    order = Order.objects.get()
    assert (order.kind, order.status, order.total_pence) == ("weekly", OrderStatus.PLACED, 7000)
    assert budget_balance(budget).left == 43_000
    assert page.get_by_role("status").inner_text().strip().startswith(f"Order {order.reference} placed.")
    check_accessibility(page, "3-order-placed")


def _order_with_visits_last_week(holder, service, *, visits: int):
    """A weekly order, accepted, whose visits happened last week and were recorded by the provider."""
    budget = make_budget(
        holder=holder, amount_pence=50_000, period="annual", starts_on=in_days(-30), ends_on=in_days(334)
    )
    first = in_days(1)
    order = place(
        user=holder.user,
        budget=budget,
        service=service,
        kind="weekly",
        first_visit_on=first,
        last_visit_on=first + datetime.timedelta(days=6),
        weekdays=sorted({(first + datetime.timedelta(days=n)).weekday() for n in range(visits)}),
    )
    order_accept(order=order, by=service.owner)
    # Move the booked visits into last week (the clock cannot be turned back), then record each one.
    start = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) - datetime.timedelta(days=7)
    for offset, visit in enumerate(order.visits.order_by("starts_at")):
        starts = start + datetime.timedelta(days=offset)
        Visit.objects.filter(pk=visit.pk).update(starts_at=starts, ends_at=starts + HOUR)
        visit.refresh_from_db()
        visit_record_delivery(visit=visit, by=service.owner, actual_starts_at=starts, actual_ends_at=starts + HOUR)
    return order


def test_supporter_confirms_last_weeks_visits_and_disputes_one(page, url, live_server, check_accessibility):
    holder = factories.PersonFactory(full_name="Margaret Hughes", user__full_name="Margaret Hughes")
    service = _listed_service(holder.neighbourhood)
    order = _order_with_visits_last_week(holder, service, visits=3)
    supporter = factories.SupporterFactory(full_name="Susan Hughes")
    consent_grant(
        holder=holder,
        supporter=supporter,
        scopes=[ConsentScope.VIEW, ConsentScope.ORDER, ConsentScope.CONFIRM_VISITS],
        relationship="daughter",
        granted_by=holder.user,
    )
    first, second, third = order.visits.order_by("starts_at")

    sign_in(page, live_server.url, supporter)
    page.goto(url(f"/orders/{order.pk}/"))
    check_accessibility(page, "1-order-with-visits")

    # Keyboard only: Tab to each visit's Confirm button and press Enter.
    for visit in (first, second):
        day = timezone.localtime(visit.starts_at).strftime("%-d %b")
        page.locator("main").focus()
        tab_to(page, f"Confirm the visit on {day}")
        press_and_wait(page)
        visit.refresh_from_db()
        assert visit.status == "confirmed"
    check_accessibility(page, "2-two-confirmed")

    # The third did not go well: dispute it, with a reason.
    day = timezone.localtime(third.starts_at).strftime("%-d %b")
    page.locator("main").focus()
    tab_to(page, f"Something was wrong with the visit on {day}")
    press_and_wait(page)
    check_accessibility(page, "3-dispute-form")
    click_and_wait(page.get_by_role("button", name="Send to the coordinator"))
    third.refresh_from_db()
    assert third.status == "delivered"  # no reason given: refused, nothing changed
    check_accessibility(page, "4-dispute-needs-a-reason")
    page.get_by_label("What went wrong?").fill("Jo did not come; nobody phoned.")
    click_and_wait(page.get_by_role("button", name="Send to the coordinator"))
    third.refresh_from_db()
    assert (third.status, third.dispute_reason) == ("disputed", "Jo did not come; nobody phoned.")
    assert page.get_by_role("status").inner_text().strip().startswith("Thank you. The coordinator will look into it")
    check_accessibility(page, "5-after-dispute")


def test_provider_accepts_an_order_and_records_a_visit(page, url, live_server, check_accessibility):
    holder = factories.PersonFactory(full_name="Dave Turner", user__full_name="Dave Turner")
    service = _listed_service(holder.neighbourhood)
    budget = make_budget(
        holder=holder, amount_pence=20_000, period="annual", starts_on=in_days(-30), ends_on=in_days(334)
    )
    order = place(user=holder.user, budget=budget, service=service, notes="Ring the bell twice, please.")

    sign_in(page, live_server.url, service.owner)
    page.goto(url("/orders/provider/"))
    check_accessibility(page, "1-provider-orders")
    page.goto(url(f"/orders/{order.pk}/"))
    check_accessibility(page, "2-new-order")

    # Keyboard only: Tab to "Accept the order", Enter.
    page.locator("main").focus()
    tab_to(page, "Accept the order")
    press_and_wait(page)
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED
    check_accessibility(page, "3-accepted")

    # The visit time comes; the provider records it.
    visit = order.visits.get()
    starts = timezone.localtime().replace(second=0, microsecond=0) - 2 * HOUR
    Visit.objects.filter(pk=visit.pk).update(starts_at=starts, ends_at=starts + HOUR)
    page.reload()
    click_and_wait(page.get_by_role("link", name=re.compile("Record this visit")))
    check_accessibility(page, "4-record-visit")
    page.locator("main").focus()
    tab_to(page, "Record the visit")
    press_and_wait(page)
    visit.refresh_from_db()
    assert visit.status == "delivered"
    check_accessibility(page, "5-visit-recorded")


def test_safeguarding_concern_reaches_the_commissioners_first(page, new_page, url, live_server, check_accessibility):
    holder = factories.PersonFactory(full_name="Peter Lowe", user__full_name="Peter Lowe")
    service = _listed_service(holder.neighbourhood)
    order = _order_with_visits_last_week(holder, service, visits=1)
    other = _listed_service(holder.neighbourhood, title="Gardening", name="Green Fingers")
    factories.UserFactory()  # someone unrelated

    sign_in(page, live_server.url, holder.user)
    page.goto(url(f"/orders/concerns/new/{other.provider.pk}/"))
    page.get_by_label("What is the concern?").fill("The gardener was late.")
    click_and_wait(page.get_by_role("button", name="Send the concern"))
    page.goto(url(f"/orders/{order.pk}/"))
    click_and_wait(page.get_by_role("link", name=re.compile("Raise a concern about the visit")))
    check_accessibility(page, "1-raise-concern")
    page.get_by_label("What is the concern?").fill("Jo shouted at me and took money from my purse.")
    page.get_by_label("Someone may be at risk of abuse or neglect (a safeguarding concern)").check()
    click_and_wait(page.get_by_role("button", name="Send the concern"))
    check_accessibility(page, "2-concern-raised")

    commissioner = factories.CommissionerFactory(full_name="Cath Bennett")
    officer = new_page()
    sign_in(officer, live_server.url, commissioner)
    officer.goto(url("/orders/concerns/"))
    check_accessibility(officer, "3-concern-queue")
    rows = officer.locator("table tbody tr")
    assert rows.count() == 2
    assert "Urgent: safeguarding" in rows.nth(0).inner_text()
    assert "took money from my purse" in rows.nth(0).inner_text()
    assert "Urgent" not in rows.nth(1).inner_text()

    # The commissioner handles the urgent one, by keyboard: takes it on with a note, then closes it.
    tab_to(officer, "Handle the concern about Jo")
    press_and_wait(officer)
    check_accessibility(officer, "4-concern-detail")
    tab_to_field(officer, "What have you done or decided?")
    officer.keyboard.type("Section 42 enquiry opened with the safeguarding team; provider suspended meanwhile.")
    tab_to(officer, "Take it on")
    press_and_wait(officer)
    assert "Being looked into" in officer.locator("main").inner_text()
    officer.get_by_label("What have you done or decided?").fill("Enquiry closed: police informed, provider removed.")
    click_and_wait(officer.get_by_role("button", name="Close it"))
    check_accessibility(officer, "5-concern-closed")
    assert "Closed" in officer.locator("main").inner_text()
    assert "Enquiry closed: police informed" in officer.locator("main").inner_text()


def test_coordinator_adjusts_a_budget_and_orders_for_a_holder(page, url, live_server, check_accessibility):
    holder = factories.PersonFactory(full_name="Dave Turner", user__full_name="Dave Turner")
    caseload = factories.CaseloadFactory(person=holder, coordinator__full_name="Carol Wright")
    budget = make_budget(
        holder=holder,
        amount_pence=10_000,
        period="annual",
        starts_on=in_days(-30),
        ends_on=in_days(334),
        created_by=caseload.coordinator,
    )
    service = _listed_service(holder.neighbourhood)

    sign_in(page, live_server.url, caseload.coordinator)
    page.goto(url(f"/orders/budgets/{budget.pk}/"))
    check_accessibility(page, "1-budget-statement")
    click_and_wait(page.get_by_role("link", name=re.compile("Adjust")))
    check_accessibility(page, "2-adjust-form")

    # A reason is required: refused without one, and the ledger is unchanged.
    entries_before = LedgerEntry.objects.filter(budget=budget).count()
    page.get_by_label("Add money").check()
    page.get_by_label("Amount in pounds").fill("25.00")
    page.get_by_label("Which day does it apply to?").fill(timezone.localdate().isoformat())
    click_and_wait(page.get_by_role("button", name="Save the adjustment"))
    assert LedgerEntry.objects.filter(budget=budget).count() == entries_before
    check_accessibility(page, "3-adjust-needs-a-reason")

    # Keyboard only for the reason and the save.
    page.locator("main").focus()
    tab_to_field(page, "Reason (the holder will see it)")
    page.keyboard.type("Extra hours agreed at review while his carer is in hospital.")
    tab_to(page, "Save the adjustment")
    press_and_wait(page)
    assert budget_balance(budget).left == 12_500
    assert page.get_by_role("status").inner_text().strip() == "Adjusted by £25.00."
    check_accessibility(page, "4-adjusted")

    # Order on Dave's behalf from the storefront.
    page.goto(url(f"/orders/new/{service.pk}/?for={holder.pk}"))
    check_accessibility(page, "5-order-for-holder")
    page.get_by_label("One visit").check()
    click_and_wait(page.get_by_role("button", name="Continue"))
    page.get_by_label("What day would you like the visit?").fill(in_days(5).isoformat())
    click_and_wait(page.get_by_role("button", name="Continue"))
    page.get_by_label("Start time").fill("14:00")
    page.get_by_label("How long?").select_option(label="2 hours")
    click_and_wait(page.get_by_role("button", name="Continue"))
    check_accessibility(page, "5b-order-question-for-holder")
    page.get_by_label("No").check()
    click_and_wait(page.get_by_role("button", name="Continue"))
    click_and_wait(page.get_by_role("button", name="Continue"))  # no notes
    assert "Left after this order\n£90.00" in page.locator("dl.summary-list:not(.summary-list--actions)").inner_text()
    check_accessibility(page, "6-check-order-for-holder")
    click_and_wait(page.get_by_role("button", name="Place the order"))
    order = Order.objects.get()
    assert (order.holder, order.placed_by, order.total_pence) == (holder, caseload.coordinator, 3500)
    check_accessibility(page, "7-order-placed-for-holder")


def test_other_order_and_provider_pages(page, new_page, url, live_server, check_accessibility):
    """Pages the journeys pass by without stopping: each is checked the same way."""
    holder = factories.PersonFactory(full_name="Margaret Hughes", user__full_name="Margaret Hughes")
    service = _listed_service(holder.neighbourhood)
    budget = make_budget(
        holder=holder, amount_pence=20_000, period="annual", starts_on=in_days(-30), ends_on=in_days(334)
    )
    order = place(user=holder.user, budget=budget, service=service)
    supporter = factories.SupporterFactory(full_name="Susan Hughes")
    consent_grant(
        holder=holder,
        supporter=supporter,
        scopes=[ConsentScope.VIEW, ConsentScope.ORDER],
        relationship="daughter",
        granted_by=holder.user,
    )

    sign_in(page, live_server.url, holder.user)
    for path, name in [
        (f"/orders/people/{holder.pk}/budgets/", "holder-budgets"),
        (f"/orders/budgets/{budget.pk}/", "holder-budget-statement"),
        (f"/orders/people/{holder.pk}/orders/", "holder-orders"),
        (f"/orders/{order.pk}/cancel/", "holder-cancel-form"),
    ]:
        page.goto(url(path))
        check_accessibility(page, name)

    helper = new_page()
    sign_in(helper, live_server.url, supporter)
    helper.goto(url(f"/orders/new/{service.pk}/"))
    check_accessibility(helper, "supporter-choose-person")

    provider_page = new_page()
    sign_in(provider_page, live_server.url, service.owner)
    slug = service.provider.slug
    for path, name in [
        ("/provider/", "provider-home"),
        (f"/provider/{slug}/members/", "provider-members"),
        (f"/provider/{slug}/services/{service.pk}/", "provider-service-edit"),
        (f"/orders/{order.pk}/decline/", "provider-decline-form"),
        (f"/orders/{order.pk}/propose/", "provider-propose-form"),
    ]:
        provider_page.goto(url(path))
        check_accessibility(provider_page, name)
