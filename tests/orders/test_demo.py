"""The demo data gives every demo holder a budget and has orders in every state, idempotently."""

import pytest

from cms.demo import load_demo
from orders.models import Budget, LedgerEntry, Order, OrderStatus, SharedBooking, Visit, VisitStatus
from orders.selectors import budget_balance

pytestmark = pytest.mark.django_db


def _counts():
    return (Budget.objects.count(), Order.objects.count(), Visit.objects.count(), LedgerEntry.objects.count())


def test_demo_budgets_and_orders_in_every_state():
    load_demo()
    first = _counts()
    load_demo()  # a second run changes nothing

    assert _counts() == first
    routes = dict(Budget.objects.values_list("holder__full_name", "funding_route"))
    assert routes == {"Margaret Hughes": "direct_payment", "Dave Turner": "council_managed",
                      "Jane Ashworth": "individual_service_fund", "Peter Lowe": "self_funded",
                      "Tom Baxter": "direct_payment", "Joe Baxter": "council_managed"}
    assert set(Order.objects.values_list("status", flat=True)) == set(OrderStatus.values)
    assert Visit.objects.filter(status=VisitStatus.DELIVERED).count() == 1  # one waiting for Dave to confirm
    shared = SharedBooking.objects.get()  # the Baxter brothers' Wednesday outings, split 60/40
    assert (shared.first_order.holder.full_name, shared.second_order.holder.full_name) == ("Tom Baxter", "Joe Baxter")
    assert shared.first_order.total_pence + shared.second_order.total_pence == 4 * 5400
    assert [budget_balance(order.budget).spent for order in shared.orders] == [3240, 2160]
    for budget in Budget.objects.all():
        balance = budget_balance(budget)
        assert balance.left >= 0
        assert balance.left == balance.allocated - balance.committed - balance.spent


def test_every_demo_order_page_renders_for_each_side(client):
    from http import HTTPStatus

    from django.urls import reverse

    from market.accounts.models import User

    load_demo()
    sides = {
        "margaret@demo.example": Order.objects.filter(holder__full_name="Margaret Hughes"),
        "susan@demo.example": Order.objects.filter(holder__full_name="Margaret Hughes"),
        "coop@demo.example": Order.objects.filter(provider__slug="scholes-care-cooperative"),
        "jo@demo.example": Order.objects.filter(provider__slug="jos-companions"),
        "dave@demo.example": Order.objects.filter(holder__full_name="Dave Turner"),
        "carol.coordinator@demo.example": Order.objects.all(),
    }
    for email, orders in sides.items():
        client.force_login(User.objects.get(email=email))
        for order in orders:
            response = client.get(reverse("orders:order", args=[order.pk]))
            assert response.status_code == HTTPStatus.OK, (email, order.status)
    client.force_login(User.objects.get(email="carol.coordinator@demo.example"))
    disputed = Order.objects.get(status=OrderStatus.DISPUTED)
    assert "Settle the dispute" in client.get(reverse("orders:order", args=[disputed.pk])).content.decode()
    client.force_login(User.objects.get(email="coop@demo.example"))
    dashboard = client.get(reverse("orders:provider-dashboard")).content.decode()
    assert Order.objects.get(status=OrderStatus.PLACED).reference in dashboard
    client.force_login(User.objects.get(email="margaret@demo.example"))
    budget = Budget.objects.get(holder__full_name="Margaret Hughes")
    assert client.get(reverse("orders:budget", args=[budget.pk])).status_code == HTTPStatus.OK
