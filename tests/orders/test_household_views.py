"""The shared booking's pages: share question, check page, the shared booking's page, statements."""

from __future__ import annotations

from http import HTTPStatus

from django.urls import reverse

from market.accounts.models import ConsentScope
from market.accounts.services import consent_grant
from orders.models import Order, OrderStatus, SharedBooking
from orders.selectors import budget_balance
from tests import factories

from .helpers import make_service, place
from .test_booking import ONE_VISIT, _answer, _check
from .test_households import place_shared


def _share(service, person) -> str:
    return reverse("orders:share", args=[service.pk, person.pk])


def _mother_of_both(coordinator, first, second):
    mother = factories.SupporterFactory()
    for person in (first, second):
        consent_grant(holder=person, supporter=mother, relationship="Mother", granted_by=coordinator,
                      scopes=[ConsentScope.VIEW, ConsentScope.ORDER, ConsentScope.CONFIRM_VISITS])
    return mother


def test_the_mother_shares_a_booking_60_40_from_the_check_page(client, brothers):
    coordinator, first, second, first_budget, second_budget, service = brothers
    client.force_login(_mother_of_both(coordinator, first, second))
    _answer(client, service, first, ONE_VISIT)

    check = client.get(_check(service, first)).content.decode()
    assert f'<a href="{_share(service, first)}">Share this with someone in the same household</a>' in check

    question = client.get(_share(service, first))
    assert question.status_code == HTTPStatus.OK
    assert "Samuel Okafor" in question.content.decode()
    answered = client.post(_share(service, first), {"partner": second.pk, "first_percent": "60",
                                                    "second_percent": "40"})
    assert answered.status_code == HTTPStatus.FOUND
    shared_check = client.get(answered["Location"])
    body = shared_check.content.decode()
    # two hours at £17.50: £35.00; Daniel pays £21.00 (60%), Samuel £14.00 (40%)
    assert "Total for both</dt><dd><strong>£35.00" in body
    assert "Daniel Okafor</th><td data-label=\"Share\">60%</td><td data-label=\"Pays\">£21.00" in body
    assert "Samuel Okafor</th><td data-label=\"Share\">40%</td><td data-label=\"Pays\">£14.00" in body
    assert "<strong>£79.00</strong>" in body and "<strong>£86.00</strong>" in body
    assert not Order.objects.exists()

    key = shared_check.context["idempotency_key"]
    data = {"idempotency_key": str(key), "with": second.pk, "share": "60"}
    placed = client.post(answered["Location"].split("?")[0], data)
    again = client.post(answered["Location"].split("?")[0], data)

    booking = SharedBooking.objects.get()
    assert placed["Location"] == again["Location"] == reverse("orders:shared", args=[booking.pk])
    assert (budget_balance(first_budget).left, budget_balance(second_budget).left) == (7900, 8600)
    page = client.get(placed["Location"]).content.decode()
    assert "shared by Daniel Okafor and Samuel Okafor" in page


def test_share_errors_are_shown_beside_the_field_and_nothing_is_placed(client, brothers):
    coordinator, first, second, _first_budget, second_budget, service = brothers
    client.force_login(_mother_of_both(coordinator, first, second))
    outing = make_service(neighbourhood=second.neighbourhood, price_pence=8000, unit="per_visit")
    place(user=coordinator, budget=second_budget, service=outing)  # Samuel has £20.00 left
    _answer(client, service, first, ONE_VISIT)

    not_100 = client.post(_share(service, first), {"partner": second.pk, "first_percent": "60",
                                                   "second_percent": "30"})
    short = client.post(_share(service, first), {"partner": second.pk, "first_percent": "20",
                                                 "second_percent": "80"})

    assert not_100.status_code == short.status_code == HTTPStatus.OK
    assert not_100.context["form"].errors == {
        "second_percent": ["The shares must add up to 100%: 60% and 30% make 90%."]}
    # Samuel's 80% of £35.00 is £28.00: £8.00 more than his £20.00
    [message] = short.context["form"].errors["second_percent"]
    assert message.startswith("Samuel Okafor's budget cannot afford their 80% share: it costs £28.00, which is "
                              "£8.00 more than is left")
    assert 'id="second_percent-error"' in short.content.decode() or "second_percent" in short.content.decode()
    assert Order.objects.count() == 1  # only the outing


def test_someone_outside_the_household_is_not_offered_and_is_refused(client, brothers):
    coordinator, first, _second, _first_budget, _second_budget, service = brothers
    client.force_login(coordinator)
    stranger = factories.PersonFactory()
    factories.CaseloadFactory(person=stranger, coordinator=coordinator)
    _answer(client, service, first, ONE_VISIT)

    response = client.post(_share(service, first), {"partner": stranger.pk, "first_percent": "50",
                                                    "second_percent": "50"})

    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["partner"] == ["Choose one of the people listed"]
    assert str(stranger.display_name) not in response.content.decode().split("<form")[1]


def test_the_provider_accepts_once_on_the_shared_page_and_the_statements_show_the_shares(client, brothers):
    coordinator, _first, second, first_budget, second_budget, service = brothers
    booking = place_shared(coordinator, first_budget, second, service, first_percent=60)
    client.force_login(service.owner)

    dashboard = client.get(reverse("orders:provider-dashboard")).content.decode()
    assert dashboard.count("Shared booking: ") == 1
    assert "Shared by Daniel Okafor and Samuel Okafor</td>" in dashboard
    assert booking.second_order.reference not in dashboard
    page = client.get(reverse("orders:shared", args=[booking.pk])).content.decode()
    assert "Accept the booking" in page
    alone = client.get(reverse("orders:order", args=[booking.first_order.pk])).content.decode()
    assert "Accept the order" not in alone and "the shared booking's page" in alone
    response = client.post(reverse("orders:shared-accept", args=[booking.pk]))

    assert response.status_code == HTTPStatus.FOUND
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.ACCEPTED}

    client.force_login(coordinator)
    first_statement = client.get(reverse("orders:budget", args=[first_budget.pk])).content.decode()
    second_statement = client.get(reverse("orders:budget", args=[second_budget.pk])).content.decode()
    assert "shared with Samuel Okafor, your share 60% (£42.00)" in first_statement
    assert "shared with Daniel Okafor, your share 40% (£28.00)" in second_statement


def test_the_provider_declines_once_with_a_reason_and_both_orders_are_declined(client, brothers):
    coordinator, _first, second, first_budget, second_budget, service = brothers
    booking = place_shared(coordinator, first_budget, second, service)
    client.force_login(service.owner)
    url = reverse("orders:shared-decline", args=[booking.pk])

    unexplained = client.post(url, {"reason": ""})

    assert unexplained.status_code == HTTPStatus.OK
    assert "Give a reason" in unexplained.content.decode()
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.PLACED}

    declined = client.post(url, {"reason": "No one free on Wednesdays"})

    assert declined["Location"] == reverse("orders:shared", args=[booking.pk])
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.DECLINED}
    assert budget_balance(first_budget).committed == budget_balance(second_budget).committed == 0


def test_a_stranger_cannot_see_a_shared_booking(client, brothers):
    coordinator, _first, second, first_budget, _second_budget, service = brothers
    booking = place_shared(coordinator, first_budget, second, service)
    client.force_login(factories.HolderUserFactory())
    assert client.get(reverse("orders:shared", args=[booking.pk])).status_code == HTTPStatus.NOT_FOUND


def test_a_coordinator_records_a_household_on_its_page(client, coordinator):
    first, second = factories.PersonFactory(full_name="Ann Lee"), factories.PersonFactory(full_name="Bea Lee")
    for person in (first, second):
        factories.CaseloadFactory(person=person, coordinator=coordinator)
    client.force_login(coordinator)
    url = reverse("orders:household", args=[first.pk])

    blank = client.post(url, {"name": "", "people": []})
    recorded = client.post(url, {"name": "The Lee household", "people": [str(second.pk)]})

    assert blank.status_code == HTTPStatus.OK
    assert set(blank.context["form"].errors) == {"name", "people"}
    assert recorded.status_code == HTTPStatus.FOUND
    page = client.get(url).content.decode()
    assert "is in The Lee household, with Bea Lee" in page
    client.force_login(first.user)
    budgets = client.get(reverse("orders:budgets", args=[first.pk])).content.decode()
    assert "Ann Lee lives with Bea Lee and can share bookings with them." in budgets


def test_each_brother_sees_the_booking_but_not_the_others_budget(client, brothers):
    coordinator, first, second, first_budget, _second_budget, service = brothers
    booking = place_shared(coordinator, first_budget, second, service)
    client.force_login(first.user)

    page = client.get(reverse("orders:shared", args=[booking.pk])).content.decode()

    assert "shared by Daniel Okafor and Samuel Okafor" in page
    assert reverse("orders:order", args=[booking.first_order.pk]) in page
    assert reverse("orders:order", args=[booking.second_order.pk]) not in page
    assert "Their own budget" in page
    assert "Cancel the booking" not in page  # Daniel may not act for Samuel


def test_a_share_in_the_address_that_is_not_a_plain_number_goes_back_to_the_question(client, brothers):
    """Hardening: `share=²` passed isdigit() and int() refused it (a 500); now any share that is not ASCII digits
    sends the user back to the share question."""
    coordinator, first, second, _, _, service = brothers
    client.force_login(_mother_of_both(coordinator, first, second))
    _answer(client, service, first, ONE_VISIT)
    check = reverse("orders:share-check", args=[service.pk, first.pk])

    for share in ("\u00b2", "\uff16\uff10", "+60", "60.0", "9" * 5000):
        response = client.get(check, {"with": second.pk, "share": share})
        assert response.status_code == HTTPStatus.FOUND, share
        assert response["Location"] == _share(service, first)
    assert client.get(check, {"with": second.pk, "share": "60"}).status_code == HTTPStatus.OK
    assert not Order.objects.exists()
