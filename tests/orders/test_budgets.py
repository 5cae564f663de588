"""Budgets and their append-only ledger: balances derived from entries, money never below zero."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from market.accounts.models import ConsentScope, FundingRoute
from market.accounts.services import consent_grant
from market.core.models import AuditEvent
from orders.exceptions import BudgetExceeded, BudgetRefused
from orders.models import Budget, BudgetPeriod, EntryKind, LedgerEntry, period_start, period_starts
from orders.money import format_pence, parse_pounds
from orders.selectors import Balance, budget_balance, budget_periods
from orders.services import budget_adjust, budget_create, budget_release, budget_reserve
from tests import factories

from .helpers import make_budget, today

D = datetime.date


def _ledger_rows(budget):
    return list(LedgerEntry.objects.filter(budget=budget).order_by("pk").values_list("kind", "amount_pence"))


@pytest.mark.parametrize(
    ("pence", "text"), [(0, "£0.00"), (5, "£0.05"), (1234, "£12.34"), (123456789, "£1,234,567.89"), (-50, "-£0.50")]
)
def test_pence_are_formatted_as_pounds(pence, text):
    assert format_pence(pence) == text


@pytest.mark.parametrize(("text", "pence"), [("12", 1200), ("12.5", 1250), ("£12.50", 1250), ("1,000.01", 100001)])
def test_pounds_are_parsed_to_pence_without_floats(text, pence):
    assert parse_pounds(text) == pence


@pytest.mark.parametrize("text", ["", "12.345", "-1", "abc", "1e3", "12.5.1"])
def test_bad_amounts_are_refused(text):
    with pytest.raises(ValueError, match="pounds and pence"):
        parse_pounds(text)


@pytest.mark.parametrize(
    ("period", "starts_on", "day", "expected"),
    [
        (BudgetPeriod.WEEKLY, D(2026, 4, 1), D(2026, 4, 1), D(2026, 4, 1)),
        (BudgetPeriod.WEEKLY, D(2026, 4, 1), D(2026, 4, 7), D(2026, 4, 1)),
        (BudgetPeriod.WEEKLY, D(2026, 4, 1), D(2026, 4, 8), D(2026, 4, 8)),
        (BudgetPeriod.FOUR_WEEKLY, D(2026, 4, 1), D(2026, 4, 28), D(2026, 4, 1)),
        (BudgetPeriod.FOUR_WEEKLY, D(2026, 4, 1), D(2026, 4, 29), D(2026, 4, 29)),
        (BudgetPeriod.ANNUAL, D(2024, 2, 29), D(2025, 2, 27), D(2024, 2, 29)),
        (BudgetPeriod.ANNUAL, D(2024, 2, 29), D(2025, 2, 28), D(2025, 2, 28)),
        (BudgetPeriod.ANNUAL, D(2026, 4, 1), D(2027, 3, 31), D(2026, 4, 1)),
    ],
)
def test_the_period_containing_a_day(period, starts_on, day, expected):
    assert period_start(period=period, starts_on=starts_on, day=day) == expected


def test_a_yearly_plan_of_weekly_budgets_has_53_periods():
    starts = period_starts(period=BudgetPeriod.WEEKLY, starts_on=D(2026, 4, 1), ends_on=D(2027, 3, 31))
    assert len(starts) == 53
    assert starts[-1] == D(2027, 3, 31)


def test_creating_a_budget_allocates_every_period(holder):
    budget = make_budget(holder=holder, amount_pence=1700, starts_on=D(2026, 4, 1), ends_on=D(2026, 4, 21))

    assert _ledger_rows(budget) == [(EntryKind.ALLOCATION, 1700)] * 3
    assert budget_balance(budget) == Balance(allocated=5100, committed=0, spent=0, left=5100)
    assert [(line.starts_on, line.allocated, line.available) for line in budget_periods(budget)] == [
        (D(2026, 4, 1), 1700, 1700), (D(2026, 4, 8), 1700, 3400), (D(2026, 4, 15), 1700, 5100),
    ]
    assert AuditEvent.objects.filter(action="budget.created", object_id=str(budget.pk)).count() == 1


def test_a_supporter_cannot_set_up_a_council_budget(holder, supporter):
    consent_grant(holder=holder, supporter=supporter, scopes=[ConsentScope.ORDER], relationship="Son",
                  granted_by=holder.user)
    with pytest.raises(BudgetRefused, match="Only a coordinator"):
        budget_create(holder=holder, funding_route=FundingRoute.DIRECT_PAYMENT, council="Wigan Council",
                      period=BudgetPeriod.WEEKLY, amount_pence=1000, starts_on=today(), ends_on=today(),
                      created_by=supporter)
    assert Budget.objects.count() == 0
    assert LedgerEntry.objects.count() == 0


def test_a_self_funder_sets_up_their_own_budget(holder):
    budget = budget_create(holder=holder, funding_route=FundingRoute.SELF_FUNDED, period=BudgetPeriod.FOUR_WEEKLY,
                           amount_pence=40_000, starts_on=today(), ends_on=today() + datetime.timedelta(days=27),
                           created_by=holder.user)
    assert budget.council == ""
    assert budget_balance(budget).left == 40_000


def test_an_isf_budget_needs_its_provider(holder, coordinator):
    factories.CaseloadFactory(person=holder, coordinator=coordinator)
    with pytest.raises(Exception, match="budget_isf_has_provider"):
        budget_create(holder=holder, funding_route=FundingRoute.INDIVIDUAL_SERVICE_FUND, council="Wigan Council",
                      period=BudgetPeriod.WEEKLY, amount_pence=1000, starts_on=today(), ends_on=today(),
                      created_by=coordinator)
    assert Budget.objects.count() == 0


def test_reserving_within_the_budget(budget, holder):
    budget_reserve(budget=budget, lines=[(today(), 2500), (today(), 500)], actor=holder.user, on_behalf_of=holder)

    assert budget_balance(budget) == Balance(allocated=10_000, committed=3000, spent=0, left=7000)
    assert _ledger_rows(budget)[-1] == (EntryKind.RESERVATION, 3000)  # one row per period


def test_reserving_more_than_is_left_is_refused_and_changes_nothing(budget, holder):
    budget_reserve(budget=budget, lines=[(today(), 9000)], actor=holder.user)
    before = _ledger_rows(budget)

    refused = r"costs £10.01, which is £0.01 more than is left for the period starting .* \(£10.00 left then\)"
    with pytest.raises(BudgetExceeded, match=refused):
        budget_reserve(budget=budget, lines=[(today(), 1001)], actor=holder.user)

    assert _ledger_rows(budget) == before
    assert budget_balance(budget).left == 1000


def test_next_weeks_money_cannot_be_spent_this_week_but_savings_carry_forward(holder):
    budget = make_budget(holder=holder, amount_pence=1000, starts_on=D(2026, 4, 1), ends_on=D(2026, 4, 14))
    week1, week2 = D(2026, 4, 2), D(2026, 4, 9)

    with pytest.raises(BudgetExceeded):
        budget_reserve(budget=budget, lines=[(week1, 1500)], actor=holder.user)
    # Unused money from week one can be used in week two.
    budget_reserve(budget=budget, lines=[(week1, 400)], actor=holder.user)
    budget_reserve(budget=budget, lines=[(week2, 1600)], actor=holder.user)

    lines = budget_periods(budget)
    assert [(line.committed, line.left, line.available) for line in lines] == [(400, 600, 600), (1600, -600, 0)]
    # ...and now week one's savings are promised to week two, so week one cannot take them back.
    with pytest.raises(BudgetExceeded):
        budget_reserve(budget=budget, lines=[(week1, 1)], actor=holder.user)


def test_a_day_outside_the_plan_is_refused(budget, holder):
    with pytest.raises(BudgetRefused, match="outside this budget's plan"):
        budget_reserve(budget=budget, lines=[(budget.ends_on + datetime.timedelta(days=1), 100)], actor=holder.user)
    assert budget_balance(budget).committed == 0


@pytest.mark.parametrize("pence", [0, -5])
def test_a_reservation_must_be_positive(budget, holder, pence):
    with pytest.raises(BudgetRefused, match="above zero"):
        budget_reserve(budget=budget, lines=[(today(), pence)], actor=holder.user)
    assert budget_balance(budget).committed == 0


def test_releasing_more_than_is_reserved_is_refused(budget, holder):
    budget_reserve(budget=budget, lines=[(today(), 300)], actor=holder.user)
    with pytest.raises(BudgetRefused, match="more than is reserved"):
        budget_release(budget=budget, lines=[(today(), 301)], actor=holder.user)
    budget_release(budget=budget, lines=[(today(), 300)], actor=holder.user, reason="Changed my mind")
    assert budget_balance(budget) == Balance(allocated=10_000, committed=0, spent=0, left=10_000)


def test_a_coordinator_adjusts_with_a_reason(budget, holder):
    coordinator = holder.caseload_assignments.get().coordinator
    budget_adjust(budget=budget, amount_pence=-2500, on=today(), reason="Review: fewer hours needed", actor=coordinator)
    budget_adjust(budget=budget, amount_pence=500, on=today(), reason="Bus fares", actor=coordinator)

    assert budget_balance(budget) == Balance(allocated=8000, committed=0, spent=0, left=8000)
    entry = LedgerEntry.objects.filter(kind=EntryKind.ADJUSTMENT).order_by("pk").first()
    assert (entry.amount_pence, entry.reason, entry.actor, entry.on_behalf_of) == (
        -2500, "Review: fewer hours needed", coordinator, holder)
    assert AuditEvent.objects.filter(action="budget.adjusted").count() == 2


@pytest.mark.parametrize(
    ("who", "amount", "reason", "message"),
    [
        ("holder", 500, "Because", "Only a coordinator"),
        ("supporter", 500, "Because", "Only a coordinator"),
        ("other_coordinator", 500, "Because", "Only a coordinator"),
        ("coordinator", 500, "  ", "Give a reason"),
        ("coordinator", 0, "Because", "other than £0"),
        ("coordinator", -10_001, "Because", "cannot afford"),
    ],
)
def test_refused_adjustments_change_nothing(budget, holder, supporter, who, amount, reason, message):
    consent_grant(holder=holder, supporter=supporter, scopes=[ConsentScope.VIEW, ConsentScope.ORDER],
                  relationship="Son", granted_by=holder.user)
    actors = {
        "holder": holder.user,
        "supporter": supporter,
        "other_coordinator": factories.CoordinatorFactory(),
        "coordinator": holder.caseload_assignments.get().coordinator,
    }
    before = _ledger_rows(budget)
    with pytest.raises(BudgetRefused, match=message):
        budget_adjust(budget=budget, amount_pence=amount, on=today(), reason=reason, actor=actors[who])
    assert _ledger_rows(budget) == before


def test_a_commissioner_may_adjust(budget, commissioner):
    budget_adjust(budget=budget, amount_pence=100, on=today(), reason="Correction", actor=commissioner)
    assert budget_balance(budget).left == 10_100


def test_ledger_entries_cannot_be_changed_or_deleted(budget):
    entry = LedgerEntry.objects.filter(budget=budget).first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount_pence=1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.amount_pence == 10_000


def test_the_database_refuses_an_overspending_entry_even_without_the_service(budget):
    # Given code that skips the service layer (and its lock), the database still refuses the overspend.
    with pytest.raises(IntegrityError, match="would be overspent"), transaction.atomic():
        LedgerEntry.objects.create(budget=budget, kind=EntryKind.RESERVATION, amount_pence=10_001,
                                   effective_on=today(), period_starts_on=today())
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert budget_balance(budget).left == 10_000


def test_the_database_refuses_spending_more_than_was_reserved(budget):
    with pytest.raises(IntegrityError, match="more than it reserved"), transaction.atomic():
        LedgerEntry.objects.create(budget=budget, kind=EntryKind.RELEASE, amount_pence=1,
                                   effective_on=today(), period_starts_on=today())
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert budget_balance(budget).committed == 0


def test_an_adjustment_needs_a_reason_in_the_database(budget):
    with pytest.raises(IntegrityError, match="ledger_adjustment_has_reason"), transaction.atomic():
        LedgerEntry.objects.create(budget=budget, kind=EntryKind.ADJUSTMENT, amount_pence=5,
                                   effective_on=today(), period_starts_on=today())


def test_a_top_up_adds_money_with_a_reason(budget, holder):
    from orders.services import budget_top_up

    coordinator = holder.caseload_assignments.get().coordinator
    with pytest.raises(BudgetRefused, match="Only a coordinator"):
        budget_top_up(budget=budget, amount_pence=500, on=today(), reason="Birthday trip", actor=holder.user)
    with pytest.raises(BudgetRefused, match="Give a reason"):
        budget_top_up(budget=budget, amount_pence=500, on=today(), reason="", actor=coordinator)
    assert budget_balance(budget).allocated == 10_000

    budget_top_up(budget=budget, amount_pence=2500, on=today(), reason="Trip to the coast", actor=coordinator)
    assert budget_balance(budget) == Balance(allocated=12_500, committed=0, spent=0, left=12_500)
    assert _ledger_rows(budget)[-1] == (EntryKind.TOP_UP, 2500)
