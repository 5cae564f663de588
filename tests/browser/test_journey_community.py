"""Community journeys: a coordinator records what matters to a person and introduces her to a free stitching group,
she accepts and her plan shows it at £0; a volunteer earns and spends credits; an equipment request is matched.

Every page visited is checked with axe-core (WCAG 2.2 AA) and saved as desktop and phone screenshots."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from community.models import Introduction, Participation
from community.selectors_credits import credit_balance
from orders.models import Order
from providers.models import ProviderKind
from tests import factories

from .support import BROWSER_DB, click_and_wait, sign_in

pytestmark = [pytest.mark.browser, BROWSER_DB]


def _group_with_activity(**fields):
    pemberton = factories.NeighbourhoodFactory(name="Pemberton")
    group = factories.ProviderFactory(name="Pemberton Stitch and Natter", kind=ProviderKind.COMMUNITY_GROUP,
                                      legal_form="community_group")
    group.neighbourhoods.add(pemberton)
    owner = factories.ProviderMembershipFactory(provider=group).user
    fields.setdefault("title", "Stitch and Natter")
    service = factories.ServiceFactory(
        provider=group, category=factories.CategoryFactory(name="Activities and groups"), price_pence=0, unit="free",
        delivery="at_venue", venue_name="St John's Church Hall", schedule_note="Every Tuesday, 10am to 12 noon",
        **fields)
    return group, owner, service


def test_coordinator_records_what_matters_introduces_and_she_accepts(page, new_page, url, check_accessibility):
    _group, _owner, stitching = _group_with_activity()
    margaret = factories.PersonFactory(full_name="Margaret Hughes", user__full_name="Margaret Hughes")
    coordinator = factories.CaseloadFactory(person=margaret).coordinator

    sign_in(page, url(""), coordinator)
    page.goto(url("/account/"))
    click_and_wait(page.get_by_role("link", name="Your caseload"))
    check_accessibility(page, "1-caseload")
    click_and_wait(page.get_by_role("link", name="Margaret Hughes", exact=True))
    click_and_wait(page.get_by_role("link", name="Write what matters"))
    check_accessibility(page, "2-what-matters")
    page.get_by_label("Their story").fill("Worked on the market for 30 years.")
    page.get_by_label("What they enjoy and are interested in").fill("Tapestry and knitting.")
    page.get_by_label("What they want to achieve").fill("To be with people who like making things.")
    click_and_wait(page.get_by_role("button", name="Save"))
    assert page.get_by_text("Tapestry and knitting.").is_visible()
    check_accessibility(page, "3-person")

    click_and_wait(page.get_by_role("link", name="Make an introduction"))
    click_and_wait(page.get_by_role("button", name="Send the introduction"))  # nothing chosen: errors beside fields
    assert "Choose the service or activity." in page.locator("#id_service_error").inner_text()
    check_accessibility(page, "4-introduce-error")
    page.get_by_label("Introduce them to").select_option(str(stitching.pk))
    page.get_by_label("A note for them").fill("They meet near you on Tuesdays and love tapestry.")
    click_and_wait(page.get_by_role("button", name="Send the introduction"))
    assert Introduction.objects.get().status == "offered"

    her = new_page()
    sign_in(her, url(""), margaret.user)
    her.goto(url(f"/community/people/{margaret.pk}/"))
    assert her.get_by_text("They meet near you on Tuesdays and love tapestry.").is_visible()
    check_accessibility(her, "5-her-introduction")
    click_and_wait(her.get_by_role("button", name="Accept Stitch and Natter"))
    assert Participation.objects.get(person=margaret).service == stitching
    assert Order.objects.count() == 0
    click_and_wait(her.get_by_role("link", name="Margaret Hughes's plan"))
    row = her.get_by_role("row", name=re.compile("Stitch and Natter")).first
    assert "£0.00 (free)" in row.inner_text()
    check_accessibility(her, "6-her-plan")

    page.goto(url("/community/caseload/"))
    assert page.get_by_text("Accepted: on their plan").is_visible()


def test_a_volunteer_earns_and_spends_credits(page, new_page, url, check_accessibility):
    group, owner, lunch = _group_with_activity(title="Lunch club", accepts_credits=True)
    volunteer = factories.UserFactory(full_name="Ken Volunteer")

    sign_in(page, url(""), volunteer)
    page.goto(url("/community/credits/"))
    check_accessibility(page, "1-credits")
    page.get_by_label("Group you helped").select_option(str(group.pk))
    page.get_by_label("Day (day/month/year)").fill(timezone.localdate().strftime("%d/%m/%Y"))
    page.get_by_label("Hours", exact=True).fill("25")
    page.get_by_label("What you did").fill("Washing up")
    click_and_wait(page.get_by_role("button", name="Send to the group"))
    assert page.get_by_text("A day has 24 hours: enter 24 or fewer.").first.is_visible()
    check_accessibility(page, "2-too-many-hours")
    page.get_by_label("Hours", exact=True).fill("3")
    click_and_wait(page.get_by_role("button", name="Send to the group"))

    group_page = new_page()
    sign_in(group_page, url(""), owner)
    group_page.goto(url("/community/credits/"))
    check_accessibility(group_page, "3-group-confirms")
    click_and_wait(group_page.get_by_role("button", name="Confirm 3 hours from Ken Volunteer"))
    assert credit_balance(user=volunteer) == 3

    page.goto(url("/community/credits/"))
    page.get_by_label("Activity").select_option(str(lunch.pk))
    page.get_by_label("Credits to spend").fill("2")
    click_and_wait(page.get_by_role("button", name="Spend them"))
    assert "You have 1 credit." in page.locator("p.lead").inner_text()
    check_accessibility(page, "4-spent")
    assert credit_balance(provider=group) == 2


def test_an_equipment_request_is_matched(page, new_page, url, check_accessibility):
    asker, giver = factories.UserFactory(full_name="Ann Asker"), factories.UserFactory(full_name="Gil Giver")

    sign_in(page, url(""), giver)
    page.goto(url("/community/help/new/"))
    check_accessibility(page, "1-new-post")
    page.get_by_label("Equipment offered").check()
    page.get_by_label("Title").fill("Shower stool")
    page.get_by_label("Details").fill("Adjustable, hardly used.")
    click_and_wait(page.get_by_role("button", name="Post it"))

    hers = new_page()
    sign_in(hers, url(""), asker)
    hers.goto(url("/community/help/new/"))
    hers.get_by_label("Equipment wanted").check()
    hers.get_by_label("Title").fill("Shower seat wanted")
    hers.get_by_label("Details").fill("For my mum, who finds standing hard.")
    click_and_wait(hers.get_by_role("button", name="Post it"))
    check_accessibility(hers, "2-her-post")
    click_and_wait(hers.get_by_role("button", name="Match them"))
    assert hers.get_by_text("Matched with “Shower stool”.").is_visible()
    hers.goto(url("/community/help/"))
    check_accessibility(hers, "3-board")
    assert hers.get_by_text("Matched").first.is_visible()
