"""Order placement in one statement in PostgreSQL (orders_order_place, orders/sql/placement.sql), and the per-period
totals the database keeps from the ledger."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from market.core.models import AuditEvent
from orders.exceptions import BudgetExceeded, OrderRefused
from orders.models import BudgetPeriodTotal, EntryKind, LedgerEntry, Order, OrderTransition
from orders.selectors import Balance, budget_balance, budget_periods
from orders.services import (
    budget_adjust,
    budget_release,
    budget_reserve,
    budget_spend,
    budget_top_up,
    order_cancel,
    order_quote,
)
from providers.models import ServiceAvailability, ServiceStatus

from .helpers import in_days, make_budget, make_service, place, today
from .test_budget_concurrency import run_at_once


@pytest.fixture
def service(holder):
    return make_service(neighbourhood=holder.neighbourhood)


def _rows():
    """How many rows placement can write, table by table."""
    return (Order.objects.count(), LedgerEntry.objects.count(), OrderTransition.objects.count(),
            AuditEvent.objects.filter(action="order.placed").count(), _totals())


def _totals(budget=None):
    rows = BudgetPeriodTotal.objects.order_by("budget_id", "period_starts_on")
    if budget is not None:
        rows = rows.filter(budget=budget)
    return list(rows.values_list("period_starts_on", "left_pence", "committed_pence"))


def _ledger_by_period(budget):
    """What the totals must equal, summed by hand from the ledger (the source of truth)."""
    left_sign = {"allocation": 1, "top_up": 1, "adjustment": 1, "release": 1, "refund": 1, "reservation": -1,
                 "spend": 0}
    committed_sign = {"reservation": 1, "release": -1, "spend": -1}
    sums: dict = {}
    for entry in LedgerEntry.objects.filter(budget=budget):
        left, committed = sums.get(entry.period_starts_on, (0, 0))
        sums[entry.period_starts_on] = (left + left_sign[entry.kind] * entry.amount_pence,
                                        committed + committed_sign.get(entry.kind, 0) * entry.amount_pence)
    return [(start, left, committed) for start, (left, committed) in sorted(sums.items())]


def test_a_weekly_order_writes_exactly_its_rows(holder, service):
    # Given £100 a week for two weeks, and a weekly order with a visit in each week (3 days apart, across the
    # week boundary)...
    budget = make_budget(holder=holder, amount_pence=10_000, ends_on=in_days(13))
    first = in_days(5)
    second = first + datetime.timedelta(days=7)
    before = AuditEvent.objects.count()

    order = place(user=holder.user, budget=budget, service=service, kind="weekly", weekdays=[first.weekday()],
                  first_visit_on=first, last_visit_on=second)

    # ...one order, one reservation per budget period on the visit's day, one "placed" transition, one audit event
    stored = Order.objects.get()
    assert (stored.pk, stored.status, stored.visit_count, stored.total_pence, stored.funding_route) == (
        order.pk, "placed", 2, 3500, budget.funding_route)
    assert (stored.created_at, stored.updated_at, stored.provider_told_at) == (order.created_at, order.created_at,
                                                                                None)
    reservations = list(LedgerEntry.objects.filter(kind=EntryKind.RESERVATION).order_by("period_starts_on").values_list(
        "period_starts_on", "effective_on", "amount_pence", "order_id", "actor_id", "on_behalf_of_id", "reason"))
    assert reservations == [
        (today(), first, 1750, order.pk, holder.user.pk, holder.pk, f"{order.reference} placed"),
        (in_days(7), second, 1750, order.pk, holder.user.pk, holder.pk, f"{order.reference} placed"),
    ]
    assert list(OrderTransition.objects.values_list("order_id", "from_status", "to_status", "actor_id",
                                                    "on_behalf_of_id", "capacity", "reason")) == [
        (order.pk, "", "placed", holder.user.pk, holder.pk, "self", "")]
    event = AuditEvent.objects.get(action="order.placed")
    assert (event.actor_id, event.on_behalf_of_id, event.object_type, event.object_id, event.summary, event.data) == (
        holder.user.pk, holder.pk, "orders.order", str(order.pk),
        f"{holder.user} ordered {service} for {holder}: £35.00", {"total_pence": 3500, "visits": 2, "capacity": "self"})
    assert AuditEvent.objects.count() == before + 1
    # ...and the totals moved with the ledger, period by period.
    assert _totals(budget) == [(today(), 8250, 1750), (in_days(7), 8250, 1750)] == _ledger_by_period(budget)


def test_the_returned_order_is_the_stored_one(holder, budget, service):
    order = place(user=holder.user, budget=budget, service=service, notes="  Ring twice  ")
    stored = Order.objects.get(pk=order.pk)
    fields = [field.attname for field in Order._meta.concrete_fields]
    assert [getattr(order, name) for name in fields] == [getattr(stored, name) for name in fields]
    assert (order.notes, order.reference, order._state.adding) == ("Ring twice", f"ORD-{order.pk:06d}", False)


def test_an_unaffordable_order_is_refused_and_writes_nothing(holder, service):
    # Given £30 this week and £10 next week (savings carry forward, future money cannot be spent early)...
    budget = make_budget(holder=holder, amount_pence=3000, ends_on=in_days(13))
    budget_adjust(budget=budget, amount_pence=-2000, on=in_days(7), reason="Plan change",
                  actor=holder.caseload_assignments.get().coordinator)
    place(user=holder.user, budget=budget, service=service, first_visit_on=in_days(2))  # £17.50 this week
    before = _rows()

    # ...a second £17.50 visit this week is more than is left (£12.50) for this week...
    with pytest.raises(BudgetExceeded) as refused:
        place(user=holder.user, budget=budget, service=service, first_visit_on=in_days(3))
    assert refused.value.message == (
        f"The budget cannot afford this: it costs £17.50, which is £5.00 more than is left for the period starting "
        f"{today():%-d %B %Y} (£12.50 left then).")
    assert refused.value.field == "budget"
    # ...and nothing at all was written.
    assert _rows() == before
    assert budget_balance(budget) == Balance(allocated=4000, committed=1750, spent=0, left=2250)


def _call_place_function(*, budget, service, user, key, periods, days, amounts):
    """orders_order_place called directly, as any code path could, without the Python rules."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT order_id, outcome FROM orders_order_place(%s, %s, %s, %s, %s, 'one_off', %s, %s, '{}', '10:00', "
            "60, 1::smallint, 'per_hour', 1750, 1, NULL, %s, '', false, %s, 'self', now(), %s::date[], %s::date[], "
            "%s::bigint[], 'test', '{}'::jsonb, NULL, NULL, true)",  # the service's facts taken as checked
            [budget.pk, key, budget.holder_id, service.pk, service.provider_id, days[0], days[0], sum(amounts), user.pk,
             periods, days, amounts],
        )
        return cursor.fetchone()


def test_the_sql_function_itself_refuses_an_overspend(holder, budget, service):
    before = _rows()
    assert _call_place_function(budget=budget, service=service, user=holder.user, key=uuid.uuid4(),
                                periods=[today()], days=[in_days(1)], amounts=[10_001]) == (None, "short")
    assert _rows() == before

    # Exactly what is left is allowed
    order_id, outcome = _call_place_function(budget=budget, service=service, user=holder.user, key=uuid.uuid4(),
                                             periods=[today()], days=[in_days(1)], amounts=[10_000])
    assert (outcome, budget_balance(budget)) == ("placed", Balance(allocated=10_000, committed=10_000, spent=0, left=0))
    assert LedgerEntry.objects.get(kind=EntryKind.RESERVATION).order_id == order_id


def test_the_sql_function_returns_the_first_order_for_a_repeated_key_even_on_another_budget(holder, budget, service):
    other = make_budget(holder=holder)
    key = uuid.uuid4()
    first_id, outcome = _call_place_function(budget=budget, service=service, user=holder.user, key=key,
                                             periods=[today()], days=[in_days(1)], amounts=[1750])
    assert outcome == "placed"
    before = _rows()

    assert _call_place_function(budget=budget, service=service, user=holder.user, key=key, periods=[today()],
                                days=[in_days(1)], amounts=[1750]) == (first_id, "existing")
    assert _call_place_function(budget=other, service=service, user=holder.user, key=key, periods=[other.starts_on],
                                days=[in_days(1)], amounts=[1750]) == (first_id, "existing")
    assert _rows() == before


def test_the_totals_cannot_be_written_directly(budget):
    total = BudgetPeriodTotal.objects.get(budget=budget)
    for write in (
        lambda: BudgetPeriodTotal.objects.filter(pk=total.pk).update(left_pence=1_000_000),
        lambda: BudgetPeriodTotal.objects.filter(pk=total.pk).delete(),
        lambda: BudgetPeriodTotal.objects.create(budget=budget, period_starts_on=in_days(7), left_pence=5,
                                                 committed_pence=0),
    ):
        with pytest.raises(DatabaseError, match="derived from the ledger"), transaction.atomic():
            write()
    assert _totals(budget) == [(today(), 10_000, 0)]


def test_the_guard_reads_the_totals_and_still_refuses_an_overspend_without_the_service(budget):
    with pytest.raises(IntegrityError, match="would be overspent"), transaction.atomic():
        LedgerEntry.objects.bulk_create([
            LedgerEntry(budget=budget, kind=EntryKind.RESERVATION, amount_pence=6000, effective_on=today(),
                        period_starts_on=today()) for _ in range(2)
        ])
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert _totals(budget) == [(today(), 10_000, 0)] == _ledger_by_period(budget)


def test_the_totals_follow_every_kind_of_ledger_entry(holder, service):
    coordinator_budget = make_budget(holder=holder, amount_pence=10_000, ends_on=in_days(13))
    coordinator = holder.caseload_assignments.get().coordinator
    budget = coordinator_budget
    budget_reserve(budget=budget, lines=[(in_days(1), 3000), (in_days(8), 2000)], actor=coordinator)
    budget_release(budget=budget, lines=[(in_days(8), 500)], actor=coordinator)
    order = place(user=holder.user, budget=budget, service=service, first_visit_on=in_days(2))
    budget_spend(budget=budget, amount_pence=1000, on=in_days(2), order=order, actor=coordinator)
    budget_top_up(budget=budget, amount_pence=700, on=in_days(9), reason="Review", actor=coordinator)
    budget_adjust(budget=budget, amount_pence=-300, on=in_days(1), reason="Correction", actor=coordinator)
    order_cancel(order=order, by=holder.user, reason="Changed my mind")

    # Week 1: 10,000 - 3,000 - 1,750 - 300 + 750 released by the cancel (1,750 less the 1,000 spent);
    # week 2: 10,000 - 2,000 + 500 + 700.
    assert _totals(budget) == _ledger_by_period(budget) == [(today(), 5700, 3000), (in_days(7), 9200, 1500)]
    assert [line.left for line in budget_periods(budget)] == [5700, 9200]


@pytest.mark.django_db(transaction=True)
def test_concurrent_placements_in_autocommit_keep_the_totals_equal_to_the_ledger():
    # Given £100 a week for two weeks and 30 people ordering £17.50 visits in either week at the same moment
    # (each order_place is its own one-statement transaction here, no outer transaction)...
    budget = make_budget(amount_pence=10_000, ends_on=in_days(13))
    holder = budget.holder
    service = make_service(neighbourhood=holder.neighbourhood)

    results = run_at_once(30, lambda i: place(user=holder.user, budget=budget, service=service,
                                              first_visit_on=in_days(1 + (i % 2) * 7)))

    # ...exactly eleven are placed whatever the order they ran in (£200 / £17.50: a week-2 order may use week 1's
    # savings, never the reverse), the rest are refused, no period's running balance is below zero, and the
    # totals equal the ledger.
    placed = [r for r in results if isinstance(r, Order)]
    assert (len(placed), {type(r).__name__ for r in results if not isinstance(r, Order)}) == (11, {"BudgetExceeded"})
    assert budget_balance(budget) == Balance(allocated=20_000, committed=19_250, spent=0, left=750)
    assert min(line.available for line in budget_periods(budget)) >= 0
    assert _totals(budget) == _ledger_by_period(budget)
    assert LedgerEntry.objects.filter(budget=budget).aggregate(n=Sum("amount_pence"))["n"] == 20_000 + 19_250


@pytest.mark.parametrize(
    ("first_visit_on", "message"),
    [(3, "not listed"), (30, "not listed")],  # in the plan, or outside it too: the service's facts come first
)
def test_placement_gives_the_first_refusal_in_the_rules_order_like_a_quote(holder, budget, service, first_visit_on,
                                                                           message):
    service.status = ServiceStatus.PAUSED
    service.save()
    arguments = {"kind": "one_off", "first_visit_on": in_days(first_visit_on), "visit_starts_at": datetime.time(10),
                 "duration_minutes": 60}
    before = _rows()
    with pytest.raises(OrderRefused, match=message):
        order_quote(user=holder.user, budget=budget, service=service, **arguments)
    with pytest.raises(OrderRefused, match=message):
        place(user=holder.user, budget=budget, service=service, **arguments)
    assert _rows() == before


def test_a_service_with_published_availability_is_placed_after_the_visits_are_checked(holder, budget, service):
    ServiceAvailability.objects.create(service=service, weekday=in_days(3).weekday(), starts_at=datetime.time(9),
                                       ends_at=datetime.time(17))
    order = place(user=holder.user, budget=budget, service=service)
    assert Order.objects.get().pk == order.pk

    # Outside it: refused, nothing written.
    before = _rows()
    with pytest.raises(OrderRefused, match="is not available on"):
        place(user=holder.user, budget=budget, service=service, visit_starts_at=datetime.time(16, 30))
    assert _rows() == before


def test_placing_an_order_for_a_service_without_published_availability_is_one_statement(holder, budget, service):
    with CaptureQueriesContext(connection) as queries:
        place(user=holder.user, budget=budget, service=service)
    # (inside the test's transaction it runs in a savepoint; in autocommit it is the statement alone)
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 1 and "orders_order_place(" in statements[0]
