"""Issue 18, item 2: a block of hours across budget periods, each period's share reserved against that period
(orders/blocks.py; docs/adr/0002-budget-locking.md, "A block of hours across budget periods")."""

from __future__ import annotations

import datetime
import uuid
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from invoicing.models import Invoice
from invoicing.services import invoicing_run
from orders.exceptions import BudgetExceeded, VisitRefused
from orders.models import EntryKind, LedgerEntry, Order, OrderStatus, VisitStatus
from orders.selectors import budget_balance, budget_periods, order_committed_by_period
from orders.services import (
    blocks_close_expired,
    order_accept,
    order_accept_proposal,
    order_cancel,
    order_place,
    order_propose_change,
    visit_confirm,
    visit_record_block,
)

from .helpers import in_days, make_budget, make_service, place, today


def _day(days: int) -> datetime.date:
    return today() + datetime.timedelta(days=days)


@pytest.fixture
def service(holder):
    return make_service(neighbourhood=holder.neighbourhood)  # £17.50 an hour


@pytest.fixture
def budget(holder):
    # Three four-week periods: from 30 days ago to 3 days ago, from 2 days ago, and from 26 days ahead
    return make_budget(holder=holder, period="four_weekly", amount_pence=10_000, starts_on=_day(-30),
                       ends_on=_day(53))


@pytest.fixture
def block(holder, budget, service):
    """12 hours over the three periods (28 days in each), placed 31 days ago and accepted."""
    order = place(user=holder.user, budget=budget, service=service, kind="block", block_hours=12,
                  first_visit_on=_day(-30), last_visit_on=_day(53), now=timezone.now() - datetime.timedelta(days=31))
    order_accept(order=order, by=service.owner)
    order.refresh_from_db()
    return order


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _record(order, service, starts_at, minutes):
    return visit_record_block(order=order, by=service.owner, actual_starts_at=starts_at,
                              actual_ends_at=starts_at + datetime.timedelta(minutes=minutes))


def _just_gone(minutes: int) -> datetime.datetime:
    """A start time today (or late yesterday), in the second period, for a visit that has ended."""
    return timezone.now() - datetime.timedelta(minutes=minutes + 5)


def test_a_block_over_three_periods_reserves_three_shares_that_add_up_to_the_total(block, budget):
    reservations = LedgerEntry.objects.filter(order=block, kind=EntryKind.RESERVATION).order_by("period_starts_on")

    assert [(r.period_starts_on, r.effective_on, r.amount_pence) for r in reservations] == [
        (_day(-30), _day(-30), 7000), (_day(-2), _day(-2), 7000), (_day(26), _day(26), 7000)]
    assert sum(r.amount_pence for r in reservations) == block.total_pence == 21_000
    assert [line.committed for line in budget_periods(budget)] == [7000, 7000, 7000]
    assert block.status == OrderStatus.ACCEPTED


def test_uneven_days_share_the_minutes_in_proportion_with_the_rest_to_the_last_period(holder, service):
    # Periods from today: the block's days 1-27 are in the first (27 days), then 28 and 28: 83 days in all
    budget = make_budget(holder=holder, period="four_weekly", amount_pence=10_000, ends_on=_day(83))
    order = place(user=holder.user, budget=budget, service=service, kind="block", block_hours=12,
                  first_visit_on=in_days(1), last_visit_on=in_days(83))

    # 720 minutes: 720 x 27 / 83 = 234, 720 x 28 / 83 = 242, the rest 244; each share's money counted on from the
    # shares before it, so that they add up to the block's price to the penny
    amounts = list(LedgerEntry.objects.filter(order=order).order_by("period_starts_on")
                   .values_list("amount_pence", flat=True))
    assert amounts == [6825, 7058, 7117]
    assert sum(amounts) == order.total_pence == 21_000


def test_a_block_whose_later_period_cannot_afford_its_share_is_refused_naming_that_period(holder, service):
    budget = make_budget(holder=holder, period="four_weekly", amount_pence=8000, starts_on=in_days(1),
                         ends_on=in_days(84))
    # the third period already has a £35 visit booked: with £10 saved from each earlier period it has £65 for the block
    place(user=holder.user, budget=budget, service=service, first_visit_on=in_days(60), duration_minutes=120)

    with pytest.raises(BudgetExceeded) as refused:
        place(user=holder.user, budget=budget, service=service, kind="block", block_hours=12,
              first_visit_on=in_days(1), last_visit_on=in_days(84))

    assert refused.value.message == (
        f"The budget cannot afford this block: its hours for the budget period starting {in_days(57):%-d %B %Y} "
        "cost £70.00, and with its hours for the earlier periods that period would be £5.00 short (counting what is "
        "saved from earlier periods). Choose fewer hours or different dates.")
    assert Order.objects.count() == 1
    assert budget_balance(budget).committed == 3500


def test_visits_draw_from_the_share_of_the_period_they_fall_in(block, budget, service, holder):
    first = _record(block, service, _at(_day(-10)), 180)  # in the first period
    second = _record(block, service, _just_gone(60), 60)  # in the second

    assert (first.cost_pence, second.cost_pence) == (5250, 1750)
    visit_confirm(visit=first, user=holder.user)
    visit_confirm(visit=second, user=holder.user)
    spends = LedgerEntry.objects.filter(order=block, kind=EntryKind.SPEND).order_by("period_starts_on")
    assert [(s.period_starts_on, s.amount_pence) for s in spends] == [(_day(-30), 5250), (_day(-2), 1750)]
    assert order_committed_by_period(budget=budget, order=block) == {_day(-30): 1750, _day(-2): 5250,
                                                                     _day(26): 7000}


def test_a_period_whose_share_is_used_up_cannot_borrow_from_a_later_one(block, service):
    _record(block, service, _at(_day(-10)), 180)

    with pytest.raises(VisitRefused) as refused:
        _record(block, service, _at(_day(-9)), 90)

    assert refused.value.message == (
        f"Only 1 hour of this block is left for the budget period from {_day(-30):%-d %B} to "
        f"{_day(-3):%-d %B %Y} (4 hours of the block's hours are for that period). Hours for a later period cannot "
        "be used before it starts: a budget's money for a later period cannot be spent early. The block's hours "
        f"for the next period can be used from {_day(-2):%-d %B}.")
    assert block.visits.count() == 1
    assert _record(block, service, _at(_day(-9)), 60).cost_pence == 1750  # the hour that is left


def test_a_later_period_share_used_up_is_refused_too(block, service):
    _record(block, service, _just_gone(180), 180)
    with pytest.raises(VisitRefused, match=f"Only 1 hour of this block is left for the budget period from "
                                           f"{_day(-2):%-d %B}"):
        _record(block, service, _just_gone(90) - datetime.timedelta(hours=4), 90)


def test_a_periods_unused_share_goes_back_to_the_budget_when_the_period_ends(block, budget, service, holder,
                                                                            mailoutbox, send_outbox):
    visit = _record(block, service, _at(_day(-10)), 180)  # waiting for an answer: its £52.50 stays reserved

    assert blocks_close_expired(today=today()) == 1

    block.refresh_from_db()
    assert block.status == OrderStatus.ACTIVE  # the later periods' hours are still to use
    assert order_committed_by_period(budget=budget, order=block) == {_day(-30): 5250, _day(-2): 7000,
                                                                     _day(26): 7000}
    release = LedgerEntry.objects.get(order=block, kind=EntryKind.RELEASE)
    assert (release.period_starts_on, release.amount_pence) == (_day(-30), 1750)
    assert blocks_close_expired(today=today()) == 1  # nothing more to give back, nothing written
    assert LedgerEntry.objects.filter(order=block, kind=EntryKind.RELEASE).count() == 1
    send_outbox()
    [told] = [mail for mail in mailoutbox if "unused hours went back" in mail.subject]
    assert told.to == [holder.user.email]
    assert told.body == (
        f"1 hour of your block of hours with {service.provider} for the budget period from {_day(-30):%-d %B} to "
        f"{_day(-3):%-d %B %Y} was not used by the end of that period, so the £17.50 set aside for them is back in "
        "the budget (money not used in one period carries forward). The block's hours for later periods can still "
        f"be used until {_day(53):%-d %B %Y}.")

    with pytest.raises(VisitRefused, match="were given back to the budget when that period ended"):
        _record(block, service, _at(_day(-8)), 30)
    visit_confirm(visit=visit, user=holder.user)  # the visit waiting for an answer is still paid
    assert next(line.left for line in budget_periods(budget)) == 10_000 - 5250


def test_a_period_not_yet_ended_keeps_its_share(holder, service):
    budget = make_budget(holder=holder, period="four_weekly", amount_pence=10_000, ends_on=_day(55))
    order = place(user=holder.user, budget=budget, service=service, kind="block", block_hours=8,
                  first_visit_on=in_days(1), last_visit_on=in_days(55))
    order_accept(order=order, by=service.owner)

    assert blocks_close_expired(today=today()) == 0
    assert LedgerEntry.objects.filter(order=order, kind=EntryKind.RELEASE).count() == 0


def test_cancelling_a_spanning_block_releases_every_periods_remainder(block, budget, service, holder):
    _record(block, service, _at(_day(-10)), 60)
    waiting = _record(block, service, _just_gone(60), 60)

    order_cancel(order=block, by=holder.user, reason="Moving away")

    releases = LedgerEntry.objects.filter(order=block, kind=EntryKind.RELEASE).order_by("period_starts_on")
    assert [(r.period_starts_on, r.amount_pence) for r in releases] == [
        (_day(-30), 5250), (_day(-2), 5250), (_day(26), 7000)]
    assert order_committed_by_period(budget=budget, order=block) == {_day(-30): 1750, _day(-2): 1750}
    assert visit_confirm(visit=waiting, user=holder.user).status == VisitStatus.CONFIRMED
    assert order_committed_by_period(budget=budget, order=block) == {_day(-30): 1750}


def test_the_check_page_shows_each_periods_hours(client, holder, service):
    budget = make_budget(holder=holder, period="four_weekly", amount_pence=10_000, ends_on=_day(83))
    client.force_login(holder.user)
    client.get(f"{reverse('orders:new', args=[service.pk])}?for={holder.pk}")
    for step, data in [
        ("how-often", {"kind": "block"}),
        ("dates", {"first_visit_on": in_days(28).isoformat(), "last_visit_on": in_days(83).isoformat()}),
        ("hours", {"block_hours": "8"}),
        ("relative", {"pays_household_relative": "no"}),
        ("notes", {"notes": ""}),
    ]:
        response = client.post(reverse("orders:question", args=[service.pk, holder.pk, step]), data)
        assert response.status_code == HTTPStatus.FOUND

    check = client.get(reverse("orders:check", args=[service.pk, holder.pk]))
    body = check.content.decode()

    assert (f"<dt>Hours in each budget period</dt><dd>4 hours in the period from {in_days(28):%-d %B %Y}, "
            f"4 hours in the period from {in_days(56):%-d %B %Y}. Each period's hours are paid from that "
            "period's money.") in body
    assert "Total</dt><dd><strong>£140.00" in body
    placed = client.post(reverse("orders:check", args=[service.pk, holder.pk]),
                         {"idempotency_key": check.context["idempotency_key"]})
    assert placed.status_code == HTTPStatus.FOUND
    order = Order.objects.get()
    assert order_committed_by_period(budget=budget, order=order) == {in_days(28): 7000, in_days(56): 7000}


def test_the_order_page_the_recording_page_and_the_statement_show_the_shares(client, block, budget, service, holder):
    _record(block, service, _at(_day(-10)), 90)
    client.force_login(service.owner)

    detail = client.get(reverse("orders:order", args=[block.pk])).content.decode()
    recording = client.get(reverse("orders:block-record", args=[block.pk])).content.decode()
    client.force_login(holder.user)
    statement = client.get(reverse("orders:budget", args=[budget.pk])).content.decode()

    assert (f"<li>4 hours in the period from {_day(-30):%-d %B %Y} (to use from {_day(-30):%-d %B} to "
            f"{_day(-3):%-d %B %Y}): 1 hour 30 minutes used</li>") in detail
    assert f"<li>4 hours in the period from {_day(26):%-d %B %Y}" in detail
    assert (f"2 hours 30 minutes left of 4 hours for the budget period from {_day(-30):%-d %B %Y}") in recording
    assert "Hours for a later period cannot be used early." in recording
    assert (f"{block.reference}</a>, {service}: 4 hours (£70.00) in the period from {_day(-30):%-d %B %Y}, "
            f"4 hours (£70.00) in the period from {_day(-2):%-d %B %Y}") in statement


def test_placing_twice_with_one_key_reserves_the_shares_once(holder, service):
    budget = make_budget(holder=holder, period="four_weekly", amount_pence=10_000, ends_on=_day(55))
    key = uuid.uuid4()
    arguments = {"user": holder.user, "budget": budget, "service": service, "kind": "block", "block_hours": 8,
                 "first_visit_on": in_days(1), "last_visit_on": in_days(55),
                 "visit_starts_at": datetime.time(9), "duration_minutes": 60, "idempotency_key": key}
    first = order_place(**arguments)
    again = order_place(**arguments)

    assert first.pk == again.pk
    assert LedgerEntry.objects.filter(order=first).count() == 2


def test_accepting_a_new_price_reserves_the_shares_again(holder, service):
    # Periods from today: the block's days 1-27 in the first, 28-55 in the second (27 and 28 of 55 days)
    budget = make_budget(holder=holder, period="four_weekly", amount_pence=10_000, ends_on=_day(55))
    order = place(user=holder.user, budget=budget, service=service, kind="block", block_hours=8,
                  first_visit_on=in_days(1), last_visit_on=in_days(55))
    assert order_committed_by_period(budget=budget, order=order) == {today(): 6854, in_days(28): 7146}

    order_propose_change(order=order, by=service.owner, note="Weekend rates", unit_price_pence=2000)
    order_accept_proposal(order=order, user=holder.user)

    # 480 minutes: 235 and 245; at £20 an hour £78.33, then £163.33... less that: £81.67
    assert order_committed_by_period(budget=budget, order=order) == {today(): 7833, in_days(28): 8167}
    order.refresh_from_db()
    assert (order.status, order.total_pence) == (OrderStatus.ACCEPTED, 16_000)


def test_invoicing_bills_the_visits_of_every_period_at_their_cost(block, service, holder):
    for visit in [_record(block, service, _at(_day(-10)), 180), _record(block, service, _just_gone(60), 60)]:
        visit_confirm(visit=visit, user=holder.user)

    result = invoicing_run(period_start=_day(-30), period_end=today())

    invoice = Invoice.objects.get()
    assert (result.invoices, result.visits) == (1, 2)
    assert sorted(line.amount_pence for line in invoice.lines.all()) == [1750, 5250]
    assert invoice.total_pence == 7000
