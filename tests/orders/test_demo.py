"""The demo data gives every demo holder a budget and has orders in every state, idempotently."""

import pytest

from market import demo
from orders.models import Budget, LedgerEntry, Order, OrderStatus, Visit, VisitStatus
from orders.selectors import budget_balance

pytestmark = pytest.mark.django_db


def _counts():
    return (Budget.objects.count(), Order.objects.count(), Visit.objects.count(), LedgerEntry.objects.count())


def test_demo_budgets_and_orders_in_every_state():
    demo.load()
    first = _counts()
    demo.load()  # a second run changes nothing

    assert _counts() == first
    routes = dict(Budget.objects.values_list("holder__full_name", "funding_route"))
    assert routes == {"Margaret Hughes": "direct_payment", "Dave Turner": "council_managed",
                      "Jane Ashworth": "individual_service_fund", "Peter Lowe": "self_funded"}
    assert set(Order.objects.values_list("status", flat=True)) == set(OrderStatus.values)
    assert Visit.objects.filter(status=VisitStatus.DELIVERED).count() == 1  # one waiting for Dave to confirm
    for budget in Budget.objects.all():
        balance = budget_balance(budget)
        assert balance.left >= 0
        assert balance.left == balance.allocated - balance.committed - balance.spent
