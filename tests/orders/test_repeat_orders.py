"""Issue 18, item 3: a second order that repeats an open one (same person, service and days) is asked about on
a question page before it is placed; the answer places it, or places nothing and shows the order already there."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse

from orders.models import Order, OrderStatus
from orders.selectors import budget_balance, orders_overlapping
from orders.services import order_cancel

from .helpers import in_days, make_budget, make_service, place
from .test_booking import ONE_VISIT, _answer, _check


@pytest.fixture
def service(holder):
    return make_service(neighbourhood=holder.neighbourhood)


def _place_through_pages(client, service, person):
    _answer(client, service, person, ONE_VISIT)
    key = client.get(_check(service, person)).context["idempotency_key"]
    return key, client.post(_check(service, person), {"idempotency_key": key})


def test_repeating_an_open_order_asks_first_and_places_nothing(client, holder, budget, service):
    first = place(user=holder.user, budget=budget, service=service, first_visit_on=in_days(3))
    committed = budget_balance(budget).committed
    client.force_login(holder.user)

    _key, response = _place_through_pages(client, service, holder)

    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "already has an open order for this on the same days" in body
    assert f'<a href="/orders/{first.pk}/">{first.reference}</a>' in body
    assert "Do you want to place this order as well?" in body
    assert Order.objects.count() == 1
    assert budget_balance(budget).committed == committed


def test_no_answer_is_shown_beside_the_question(client, holder, budget, service):
    place(user=holder.user, budget=budget, service=service, first_visit_on=in_days(3))
    client.force_login(holder.user)
    key, _ = _place_through_pages(client, service, holder)

    response = client.post(_check(service, holder), {"idempotency_key": key, "place_anyway": ""})

    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "<title>Error:" in body
    assert "Choose whether to place this order as well" in body
    assert Order.objects.count() == 1


def test_answering_no_places_nothing_and_shows_the_open_order(client, holder, budget, service):
    first = place(user=holder.user, budget=budget, service=service, first_visit_on=in_days(3))
    client.force_login(holder.user)
    key, _ = _place_through_pages(client, service, holder)

    response = client.post(_check(service, holder), {"idempotency_key": key, "place_anyway": "no"})

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("orders:order", args=[first.pk])
    assert Order.objects.count() == 1


def test_answering_yes_places_the_second_order(client, holder, budget, service):
    place(user=holder.user, budget=budget, service=service, first_visit_on=in_days(3))
    client.force_login(holder.user)
    key, _ = _place_through_pages(client, service, holder)

    response = client.post(_check(service, holder), {"idempotency_key": key, "place_anyway": "yes"})

    second = Order.objects.latest("pk")
    assert response["Location"] == reverse("orders:order", args=[second.pk])
    assert Order.objects.count() == 2
    assert budget_balance(budget).committed == 1750 + 3500  # an hour already, two more now


def test_a_cancelled_order_or_another_day_is_not_a_repeat(client, holder, budget, service):
    cancelled = place(user=holder.user, budget=budget, service=service, first_visit_on=in_days(3))
    order_cancel(order=cancelled, by=holder.user, reason="Not needed")
    place(user=holder.user, budget=budget, service=service, first_visit_on=in_days(4))
    client.force_login(holder.user)

    _key, response = _place_through_pages(client, service, holder)

    assert response.status_code == HTTPStatus.FOUND
    assert Order.objects.filter(status=OrderStatus.PLACED).count() == 2


@pytest.mark.parametrize(
    ("existing", "new", "repeats"),
    [
        # a weekly arrangement on Mondays, and one visit on a Monday inside it
        ({"kind": "weekly", "weekdays": [0]}, {"kind": "one_off", "weekday": 0}, True),
        # the same weekly arrangement, and one visit on a Tuesday inside it
        ({"kind": "weekly", "weekdays": [0]}, {"kind": "one_off", "weekday": 1}, False),
        # weekly Mondays and Wednesdays, and a new weekly on Wednesdays
        ({"kind": "weekly", "weekdays": [0, 2]}, {"kind": "weekly", "weekdays": [2]}, True),
        # a block can be used any day
        ({"kind": "block"}, {"kind": "one_off", "weekday": 4}, True),
    ],
)
def test_which_orders_repeat_an_open_one(holder, service, existing, new, repeats):
    budget = make_budget(holder=holder, amount_pence=500_000, period="annual", starts_on=in_days(-1),
                         ends_on=in_days(360))
    start = in_days(7 - in_days(0).weekday() + 7)  # a Monday at least a week ahead
    end = start + datetime.timedelta(days=20)
    if existing["kind"] == "block":
        place(user=holder.user, budget=budget, service=service, kind="block", block_hours=4,
              first_visit_on=start, last_visit_on=end)
    else:
        place(user=holder.user, budget=budget, service=service, kind="weekly", weekdays=existing["weekdays"],
              first_visit_on=start, last_visit_on=end)
    if new["kind"] == "one_off":
        day = start + datetime.timedelta(days=7 + new["weekday"])
        found = orders_overlapping(holder=holder, service=service, kind="one_off", first_visit_on=day,
                                   last_visit_on=None)
    else:
        found = orders_overlapping(holder=holder, service=service, kind="weekly", first_visit_on=start,
                                   last_visit_on=end, weekdays=new["weekdays"])
    assert bool(found) is repeats
