"""Fifty reservations at the same moment, each on its own database connection, against one budget."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from orders.exceptions import BudgetExceeded
from orders.models import EntryKind, LedgerEntry
from orders.selectors import Balance, budget_balance, budget_periods
from orders.services import budget_reserve

from .helpers import make_budget, today


def run_at_once(count: int, work) -> list:
    """Run work(i) in `count` threads released together; each thread uses (and closes) its own connection."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def runner(index: int):
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except Exception as error:  # recorded, then asserted on by the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_reservations_never_overspend():
    # Given a budget of £100.00 for this week, and 50 people each trying to reserve £7.00 at once...
    budget = make_budget(amount_pence=10_000)
    holder = budget.holder

    def reserve(_index):
        return budget_reserve(budget=budget, lines=[(today(), 700)], actor=holder.user, on_behalf_of=holder)

    results = run_at_once(50, reserve)

    # ...exactly the 14 affordable ones succeed (14 x £7 = £98) and the other 36 are refused.
    succeeded = [r for r in results if isinstance(r, list)]
    refused = [r for r in results if isinstance(r, BudgetExceeded)]
    assert (len(succeeded), len(refused)) == (14, 36), [r for r in results if not isinstance(r, list | BudgetExceeded)]
    assert budget_balance(budget) == Balance(allocated=10_000, committed=9800, spent=0, left=200)
    assert LedgerEntry.objects.filter(budget=budget, kind=EntryKind.RESERVATION).count() == 14

    # The ledger, summed by hand, agrees with the derived balance, and no period is below zero.
    signed = {EntryKind.ALLOCATION: 1, EntryKind.RESERVATION: -1}
    assert sum(signed[e.kind] * e.amount_pence for e in LedgerEntry.objects.filter(budget=budget)) == 200
    assert min(line.available for line in budget_periods(budget)) == 200
