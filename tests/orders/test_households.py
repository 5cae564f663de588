"""Households: one booking shared by two people of a household, split between their budgets."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core import mail
from django.utils import timezone

from invoicing.models import InvoiceLine
from invoicing.services import invoicing_run
from market.accounts.models import ConsentScope, FundingRoute
from market.accounts.services import consent_grant
from orders.exceptions import BudgetExceeded, OrderRefused
from orders.models import EntryKind, LedgerEntry, Order, OrderStatus, SharedBooking, Visit, VisitStatus
from orders.notifications import new_orders_tell_providers
from orders.selectors import budget_balance, shared_visit_pairs, shares_for_budget
from orders.services import (
    household_record,
    order_accept,
    shared_booking_accept,
    shared_booking_cancel,
    shared_booking_decline,
    shared_booking_place,
    shared_booking_quote,
    shared_visit_confirm,
    shared_visit_record,
    visit_record_delivery,
)
from orders.sharing import split_pence
from tests import factories

from .helpers import a_slot_just_gone, in_days, make_budget, make_service, place
from .test_budget_concurrency import run_at_once

WEEKLY = {"kind": "weekly", "visit_starts_at": datetime.time(10, 0), "duration_minutes": 120}


def _weekly(days=2):
    first = in_days(1)
    return {**WEEKLY, "first_visit_on": first, "last_visit_on": first + datetime.timedelta(days=days - 1),
            "weekdays": [(first + datetime.timedelta(days=n)).weekday() for n in range(days)]}


def place_shared(user, budget, partner, service, first_percent=60, **booking):
    arguments = {**_weekly(), **booking}
    return shared_booking_place(user=user, budget=budget, partner=partner, service=service,
                                first_percent=first_percent, idempotency_key=uuid.uuid4(), **arguments)


def _reserved(budget):
    return sum(LedgerEntry.objects.filter(budget=budget, kind=EntryKind.RESERVATION)
               .values_list("amount_pence", flat=True))


@pytest.mark.parametrize(("whole", "percent", "parts"), [
    (3500, 60, (2100, 1400)), (3500, 50, (1750, 1750)), (1001, 50, (501, 500)), (1, 50, (1, 0)),
    (2917, 33, (963, 1954)), (999, 99, (990, 9)),
])
def test_pence_split_adds_up_to_the_whole_with_the_odd_penny_first(whole, percent, parts):
    assert split_pence(whole, percent) == parts
    assert sum(split_pence(whole, percent)) == whole


def test_a_60_40_shared_booking_reserves_each_share_on_each_budget(brothers):
    coordinator, _first, second, first_budget, second_budget, service = brothers

    booking = place_shared(coordinator, first_budget, second, service, first_percent=60)

    # two visits of 2 hours at £17.50: £70.00 in all; 60% is £42.00, 40% is £28.00
    first_order, second_order = booking.first_order, booking.second_order
    assert (first_order.budget, second_order.budget) == (first_budget, second_budget)
    assert (first_order.total_pence, second_order.total_pence) == (4200, 2800)
    assert first_order.total_pence + second_order.total_pence == 7000
    assert (_reserved(first_budget), _reserved(second_budget)) == (4200, 2800)
    assert budget_balance(first_budget).left == 10_000 - 4200
    assert budget_balance(second_budget).left == 10_000 - 2800
    assert first_order.status == second_order.status == OrderStatus.PLACED
    assert booking.first_percent == 60 and booking.second_percent == 40


def test_the_parts_add_up_to_the_whole_when_the_pence_do_not_divide(brothers):
    coordinator, _first, second, first_budget, _second_budget, service = brothers
    service.price_pence = 1001
    service.save()

    booking = place_shared(coordinator, first_budget, second, service, first_percent=50, duration_minutes=60)

    assert (booking.first_order.total_pence, booking.second_order.total_pence) == (1002, 1000)  # 501+500 twice


def test_the_quote_shows_each_part_and_what_each_budget_has_left(brothers):
    coordinator, first, second, first_budget, _second_budget, service = brothers

    quote = shared_booking_quote(user=coordinator, budget=first_budget, partner=second, service=service,
                                 first_percent=60, second_percent=40, **_weekly())

    assert quote.whole_pence == 7000
    assert [(part.person, part.total_pence, part.left_after) for part in quote.parts] == [
        (first, 4200, 5800), (second, 2800, 7200)]
    assert not Order.objects.exists()


def test_one_budget_short_refuses_both_names_whose_and_writes_nothing(brothers):
    coordinator, _first, second, first_budget, second_budget, service = brothers
    outing = make_service(neighbourhood=second.neighbourhood, price_pence=8000, unit="per_visit")
    place(user=coordinator, budget=second_budget, service=outing)  # Samuel has £20.00 left this week
    before = (list(LedgerEntry.objects.values_list("pk", flat=True)), Order.objects.count())

    with pytest.raises(BudgetExceeded) as refused:
        place_shared(coordinator, first_budget, second, service, first_percent=60, kind="one_off",
                     first_visit_on=in_days(2), last_visit_on=None, weekdays=[], duration_minutes=180)

    # £52.50 in all; Samuel's 40% is £21.00, £1.00 more than his £20.00
    assert refused.value.field == "second_percent"
    assert refused.value.message.startswith("Samuel Okafor's budget cannot afford their 40% share: it costs £21.00, "
                                            "which is £1.00 more than is left")
    assert (list(LedgerEntry.objects.values_list("pk", flat=True)), Order.objects.count()) == before
    assert not SharedBooking.objects.exists()


def test_shares_that_do_not_add_to_100_are_refused(brothers):
    coordinator, _first, second, first_budget, _second_budget, service = brothers
    with pytest.raises(OrderRefused) as refused:
        shared_booking_quote(user=coordinator, budget=first_budget, partner=second, service=service,
                             first_percent=60, second_percent=30, **_weekly())
    assert refused.value.field == "second_percent"
    assert refused.value.message == "The shares must add up to 100%: 60% and 30% make 90%."


def test_someone_outside_the_household_cannot_share(brothers):
    coordinator, first, _second, first_budget, _second_budget, service = brothers
    stranger = factories.PersonFactory(neighbourhood=first.neighbourhood)
    factories.CaseloadFactory(person=stranger, coordinator=coordinator)
    make_budget(holder=stranger, created_by=coordinator)

    with pytest.raises(OrderRefused) as refused:
        place_shared(coordinator, first_budget, stranger, service)

    assert refused.value.field == "partner"
    assert "same household as Daniel Okafor" in refused.value.message
    assert not Order.objects.exists()


def test_the_booking_person_needs_the_ordering_consent_for_both(brothers):
    coordinator, first, second, first_budget, _second_budget, service = brothers
    mother = factories.SupporterFactory()
    consent_grant(holder=first, supporter=mother, scopes=[ConsentScope.VIEW, ConsentScope.ORDER],
                  relationship="Mother", granted_by=coordinator)

    with pytest.raises(OrderRefused) as refused:
        place_shared(mother, first_budget, second, service)
    assert refused.value.field == "partner"
    assert not Order.objects.exists()

    consent_grant(holder=second, supporter=mother, scopes=[ConsentScope.VIEW, ConsentScope.ORDER],
                  relationship="Mother", granted_by=coordinator)
    booking = place_shared(mother, first_budget, second, service)
    assert booking.first_order.placed_by == booking.second_order.placed_by == mother


def test_different_funding_routes_each_follow_their_own(brothers):
    coordinator, first, second, first_budget, _second_budget, service = brothers
    first_day = first_budget.ends_on + datetime.timedelta(days=1)
    council = make_budget(holder=second, created_by=coordinator, starts_on=first_day,
                          funding_route=FundingRoute.COUNCIL_MANAGED)
    direct = make_budget(holder=first, created_by=coordinator, starts_on=first_day)

    booking = place_shared(coordinator, direct, second, service, kind="one_off",
                           first_visit_on=first_day + datetime.timedelta(days=1), last_visit_on=None, weekdays=[])

    assert booking.second_order.budget == council
    assert (booking.first_order.funding_route, booking.second_order.funding_route) == (
        FundingRoute.DIRECT_PAYMENT, FundingRoute.COUNCIL_MANAGED)


def test_placing_the_same_key_twice_places_once(brothers):
    coordinator, _first, second, first_budget, _second_budget, service = brothers
    key = uuid.uuid4()
    arguments = {"user": coordinator, "budget": first_budget, "partner": second, "service": service,
                 "first_percent": 60, "idempotency_key": key, **_weekly()}
    assert shared_booking_place(**arguments) == shared_booking_place(**arguments)
    assert Order.objects.count() == 2
    assert _reserved(first_budget) == 4200


def test_the_provider_accepts_once_and_both_orders_are_accepted_with_shared_visits(brothers):
    coordinator, _first, second, first_budget, _second_budget, service = brothers
    booking = place_shared(coordinator, first_budget, second, service)

    shared_booking_accept(booking=booking, by=service.owner)

    for order in booking.orders:
        order.refresh_from_db()
        assert order.status == OrderStatus.ACCEPTED
    pairs = shared_visit_pairs(booking)
    assert [(pair.first.cost_pence, pair.second.cost_pence) for pair in pairs] == [(2100, 1400), (2100, 1400)]
    assert all(pair.first.starts_at == pair.second.starts_at for pair in pairs)


def test_one_order_of_a_shared_booking_cannot_be_answered_alone(brothers):
    coordinator, _first, second, first_budget, _second_budget, service = brothers
    booking = place_shared(coordinator, first_budget, second, service)

    with pytest.raises(OrderRefused) as refused:
        order_accept(order=booking.first_order, by=service.owner)

    assert "shared by Daniel Okafor and Samuel Okafor" in refused.value.message
    booking.first_order.refresh_from_db()
    assert booking.first_order.status == OrderStatus.PLACED
    assert not Visit.objects.exists()


def test_declining_releases_both_shares(brothers):
    coordinator, _first, second, first_budget, second_budget, service = brothers
    booking = place_shared(coordinator, first_budget, second, service)

    shared_booking_decline(booking=booking, by=service.owner, reason="No worker free on those days.")

    assert [Order.objects.get(pk=o.pk).status for o in booking.orders] == [OrderStatus.DECLINED] * 2
    assert budget_balance(first_budget).left == budget_balance(second_budget).left == 10_000


def test_cancelling_cancels_both(brothers):
    coordinator, _first, second, first_budget, second_budget, service = brothers
    first_day = in_days(4)
    booking = place_shared(coordinator, first_budget, second, service, kind="one_off", first_visit_on=first_day,
                           last_visit_on=None, weekdays=[])
    shared_booking_accept(booking=booking, by=service.owner)

    shared_booking_cancel(booking=booking, by=coordinator, reason="Samuel is going on holiday.")

    assert [Order.objects.get(pk=o.pk).status for o in booking.orders] == [OrderStatus.CANCELLED] * 2
    assert set(Visit.objects.values_list("status", flat=True)) == {VisitStatus.CANCELLED}
    assert budget_balance(first_budget).left == budget_balance(second_budget).left == 10_000


def _accepted_with_a_visit_gone(coordinator, first_budget, second, service):
    """An accepted shared booking whose first visit (both parts) ended an hour ago."""
    booking = place_shared(coordinator, first_budget, second, service)
    shared_booking_accept(booking=booking, by=service.owner)
    pair = shared_visit_pairs(booking)[0]
    starts_at, ends_at = a_slot_just_gone()
    Visit.objects.filter(pk__in=[v.pk for v in pair.visits]).update(starts_at=starts_at, ends_at=ends_at)
    return booking, Visit.objects.get(pk=pair.first.pk)


def test_a_visit_recorded_once_is_recorded_on_both_and_confirmed_together(brothers):
    coordinator, _first, second, first_budget, second_budget, service = brothers
    booking, visit = _accepted_with_a_visit_gone(coordinator, first_budget, second, service)

    shared_visit_record(booking=booking, visit=visit, by=service.owner, actual_starts_at=visit.starts_at,
                        actual_ends_at=visit.ends_at, notes="Bowling, then lunch.")

    pair = shared_visit_pairs(booking)[0]
    assert [v.status for v in pair.visits] == [VisitStatus.DELIVERED] * 2
    assert [v.delivery_notes for v in pair.visits] == ["Bowling, then lunch."] * 2

    with pytest.raises(OrderRefused):  # alone, the provider cannot record the same visit again on one order
        visit_record_delivery(visit=pair.second, by=service.owner, actual_starts_at=visit.starts_at,
                              actual_ends_at=visit.ends_at)

    shared_visit_confirm(booking=booking, visit=pair.second, user=coordinator)

    pair = shared_visit_pairs(booking)[0]
    assert [v.status for v in pair.visits] == [VisitStatus.CONFIRMED] * 2
    spent = {budget.pk: budget_balance(budget).spent for budget in (first_budget, second_budget)}
    assert spent == {first_budget.pk: 2100, second_budget.pk: 1400}


def test_invoicing_bills_each_budget_its_share(brothers):
    coordinator, _first, second, first_budget, _second_budget, service = brothers
    booking, visit = _accepted_with_a_visit_gone(coordinator, first_budget, second, service)
    shared_visit_record(booking=booking, visit=visit, by=service.owner, actual_starts_at=visit.starts_at,
                        actual_ends_at=visit.ends_at)
    shared_visit_confirm(booking=booking, visit=visit, user=coordinator)

    today = timezone.localdate()
    result = invoicing_run(period_start=today - datetime.timedelta(days=1), period_end=today)

    assert result.invoices == 2
    lines = sorted(InvoiceLine.objects.values_list("person_name", "amount_pence", "invoice__total_pence",
                                                   "description"))
    assert lines == [
        ("Daniel Okafor", 2100, 2100, f"{service} (shared with Samuel Okafor: 60% of the cost)"),
        ("Samuel Okafor", 1400, 1400, f"{service} (shared with Daniel Okafor: 40% of the cost)"),
    ]  # each line says why its amount is a part of the hours times the rate


def test_each_budget_statement_shows_its_share(brothers):
    coordinator, _first, second, first_budget, second_budget, service = brothers
    booking = place_shared(coordinator, first_budget, second, service)

    [mine] = shares_for_budget(first_budget)
    [theirs] = shares_for_budget(second_budget)

    assert (mine.order, mine.partner_name, mine.percent) == (booking.first_order, "Samuel Okafor", 60)
    assert (theirs.order, theirs.partner_name, theirs.percent) == (booking.second_order, "Daniel Okafor", 40)


def test_only_a_coordinator_of_everyone_records_a_household(brothers, coordinator):
    _own, first, _second, *_rest = brothers
    third = factories.PersonFactory()
    with pytest.raises(OrderRefused):
        household_record(by=coordinator, name="Elsewhere", people=[third, factories.PersonFactory()])
    factories.CaseloadFactory(person=third, coordinator=coordinator)
    factories.CaseloadFactory(person=first, coordinator=coordinator)
    with pytest.raises(OrderRefused) as refused:
        household_record(by=coordinator, name="Twice", people=[first, third])
    assert refused.value.message == "Daniel Okafor is already in The Okafor household."


@pytest.mark.django_db(transaction=True)
def test_shared_bookings_placed_at_once_from_both_sides_never_overspend(brothers):
    # Given £100.00 in each brother's budget this week, and ten shared bookings of £35.00 split 50/50 (£17.50 from
    # each budget) placed at the same moment, five with Daniel first and five with Samuel first...
    coordinator, first, second, first_budget, second_budget, service = brothers
    sides = [(first_budget, second), (second_budget, first)]

    def book(index):
        budget, partner = sides[index % 2]
        return place_shared(coordinator, budget, partner, service, first_percent=50, kind="one_off",
                            first_visit_on=in_days(2), last_visit_on=None, weekdays=[])

    results = run_at_once(10, book)

    # ...exactly the five affordable ones are placed (5 x £17.50 = £87.50 of each budget), both parts each, and the
    # other five are refused with nothing written: no deadlock between the two lock orders, no budget below zero.
    placed = [r for r in results if isinstance(r, SharedBooking)]
    refused = [r for r in results if isinstance(r, BudgetExceeded)]
    assert (len(placed), len(refused)) == (5, 5), [r for r in results if not isinstance(r, SharedBooking)]
    assert SharedBooking.objects.count() == 5 and Order.objects.count() == 10
    for budget in (first_budget, second_budget):
        assert _reserved(budget) == 5 * 1750
        assert budget_balance(budget).left == 10_000 - 5 * 1750


def test_the_provider_is_emailed_once_about_a_shared_booking(brothers, send_outbox):
    coordinator, _first, second, first_budget, _second_budget, service = brothers
    booking = place_shared(coordinator, first_budget, second, service, first_percent=60)

    assert new_orders_tell_providers() == 2  # both orders are marked told...
    send_outbox()

    [email] = mail.outbox  # ...with one email, for the booking
    assert email.subject.endswith("a new shared booking")
    assert ("Daniel Okafor and Samuel Okafor, who live together, have asked for" in email.body
            and "(60% and 40%): 2 visit(s), £70.00 in all" in email.body)
    assert email.body.endswith(f"/orders/shared/{booking.pk}/")
    assert not Order.objects.filter(provider_told_at__isnull=True).exists()
