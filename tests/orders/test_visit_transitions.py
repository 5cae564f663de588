"""A visit's status moves only as orders.transitions.VISIT_TRANSITIONS allows, checked by one function; every move is
recorded (who, for whom, in what capacity, when, why) as an append-only VisitTransition row; an illegal move is
refused with a message a person can read and changes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from orders.exceptions import IllegalVisitTransition, VisitRefused
from orders.models import LedgerEntry, Visit, VisitStatus, VisitTransition
from orders.services import (
    order_accept,
    order_cancel,
    visit_confirm,
    visit_dispute,
    visit_record_block,
    visit_record_delivery,
    visit_resolve_dispute,
    visits_auto_confirm_due,
    visits_release_unrecorded,
)
from orders.transitions import VISIT_TRANSITIONS, Side, visit_allowed_targets, visit_transition_check

from .helpers import a_slot_just_gone, in_days, make_budget, make_service, place, today
from .test_visits import HOUR, booked_order, deliver

V = VisitStatus


def _history(visit):
    return list(VisitTransition.objects.filter(visit=visit).order_by("pk").values_list(
        "from_status", "to_status", "actor_id", "on_behalf_of_id", "capacity", "reason"))


def _state(visit):
    """Everything a refused visit move must leave as it was."""
    visit.refresh_from_db()
    order = visit.order
    order.refresh_from_db()
    return (visit.status, visit.answered_by_id, visit.resolved_by_id, visit.delivered_at, order.status,
            VisitTransition.objects.count(), LedgerEntry.objects.count())


# ---------------------------------------------------------------------------------------------------------
# The table and its check
# ---------------------------------------------------------------------------------------------------------


def test_the_table_names_every_move_a_visit_can_make():
    expected = {
        ("", V.SCHEDULED): {Side.SYSTEM},
        ("", V.DELIVERED): {Side.PROVIDER},
        (V.SCHEDULED, V.DELIVERED): {Side.PROVIDER},
        (V.SCHEDULED, V.CANCELLED): {Side.HOLDER, Side.PROVIDER, Side.COORDINATOR, Side.SYSTEM},
        (V.DELIVERED, V.CONFIRMED): {Side.HOLDER, Side.SYSTEM},
        (V.DELIVERED, V.DISPUTED): {Side.HOLDER},
        (V.DISPUTED, V.CONFIRMED): {Side.COORDINATOR},
        (V.DISPUTED, V.NOT_PAID): {Side.COORDINATOR},
    }
    table = VISIT_TRANSITIONS
    assert table == expected
    # Settled visits are final.
    for final in (V.CONFIRMED, V.NOT_PAID, V.CANCELLED):
        assert visit_allowed_targets(current=final, sides=set(Side)) == []


@pytest.mark.parametrize(
    ("current", "target", "sides", "doing", "message"),
    [
        (V.SCHEDULED, V.CONFIRMED, {Side.HOLDER}, None, "This visit cannot be confirmed: it is booked."),
        (V.CONFIRMED, V.CONFIRMED, {Side.HOLDER}, None, "This visit cannot be confirmed: it is confirmed."),
        (V.CANCELLED, V.DELIVERED, {Side.PROVIDER}, None, "This visit cannot be recorded: it is cancelled."),
        (V.CONFIRMED, V.DISPUTED, {Side.HOLDER}, None, "This visit cannot be disputed: it is confirmed."),
        (V.DELIVERED, V.NOT_PAID, {Side.COORDINATOR}, "settled",
         "This visit cannot be settled: it is waiting for confirmation."),
        (V.DELIVERED, V.CONFIRMED, {Side.PROVIDER}, None,
         "You cannot make this visit confirmed (it is waiting for confirmation)."),
        (V.SCHEDULED, V.DELIVERED, {Side.HOLDER}, None, "You cannot make this visit recorded (it is booked)."),
        ("", V.DELIVERED, {Side.HOLDER}, None, "You cannot make this visit recorded (it is not booked)."),
    ],
)
def test_an_illegal_move_is_refused_with_a_readable_message(current, target, sides, doing, message):
    with pytest.raises(IllegalVisitTransition) as refused:
        visit_transition_check(current=current, target=target, sides=sides, doing=doing)
    assert refused.value.message == message
    assert isinstance(refused.value, VisitRefused)


def test_every_move_in_the_table_passes_for_its_sides_and_only_them():
    for (current, target), sides in VISIT_TRANSITIONS.items():
        for side in Side:
            if side in sides:
                visit_transition_check(current=current, target=target, sides={side})
                assert target in visit_allowed_targets(current=current, sides={side})
            else:
                with pytest.raises(IllegalVisitTransition):
                    visit_transition_check(current=current, target=target, sides={side})


# ---------------------------------------------------------------------------------------------------------
# The services use it, and every move is recorded
# ---------------------------------------------------------------------------------------------------------


def test_a_visits_life_is_recorded_move_by_move(holder, budget):
    coordinator = holder.caseload_assignments.get().coordinator
    order, service, visit = booked_order(holder, budget)
    deliver(visit, service)
    visit_dispute(visit=visit, user=holder.user, reason="Nobody came")
    visit_resolve_dispute(visit=visit, by=coordinator, pay=False, note="Provider agreed they missed it")

    assert _history(visit) == [
        ("", V.SCHEDULED, service.owner.pk, holder.pk, "provider", f"{order.reference} accepted"),
        (V.SCHEDULED, V.DELIVERED, service.owner.pk, holder.pk, "provider", ""),
        (V.DELIVERED, V.DISPUTED, holder.user.pk, holder.pk, "self", "Nobody came"),
        (V.DISPUTED, V.NOT_PAID, coordinator.pk, holder.pk, "coordinator", "Provider agreed they missed it"),
    ]
    moments = list(VisitTransition.objects.filter(visit=visit).order_by("pk").values_list("at", flat=True))
    assert moments == sorted(moments) and timezone.now() - moments[0] < datetime.timedelta(minutes=1)


def test_a_confirmation_and_an_automatic_one_are_recorded_as_whose_they_are(holder, budget):
    order, service, visit = booked_order(holder, budget, visits=2)
    deliver(visit, service)
    visit_confirm(visit=visit, user=holder.user)
    assert _history(visit)[-1] == (V.DELIVERED, V.CONFIRMED, holder.user.pk, holder.pk, "self", "")

    second = order.visits.exclude(pk=visit.pk).get()
    starts_at, ends_at = a_slot_just_gone()
    Visit.objects.filter(pk=second.pk).update(starts_at=starts_at, ends_at=ends_at)
    second.refresh_from_db()
    deliver(second, service)
    assert visits_auto_confirm_due(now=timezone.now() + datetime.timedelta(hours=73)) == 1
    assert _history(second)[-1] == (V.DELIVERED, V.CONFIRMED, None, holder.pk, "system",
                                    "Nobody answered within 72 hours")


def test_cancelling_an_order_records_each_booked_visit_cancelled(holder, budget):
    order, _service, _visit = booked_order(holder, budget, visits=2)
    Visit.objects.filter(order=order).update(starts_at=timezone.now() + datetime.timedelta(days=3),
                                             ends_at=timezone.now() + datetime.timedelta(days=3, hours=1))
    order_cancel(order=order, by=holder.user, reason="Going into hospital")

    rows = VisitTransition.objects.filter(visit__order=order, to_status=V.CANCELLED)
    assert sorted(rows.values_list("visit_id", "from_status", "actor_id", "capacity", "reason")) == sorted(
        (visit.pk, V.SCHEDULED, holder.user.pk, "self", "Going into hospital") for visit in order.visits.all())
    assert set(order.visits.values_list("status", flat=True)) == {V.CANCELLED}


def test_a_visit_never_recorded_is_cancelled_by_the_system_and_recorded(holder, budget):
    _order, _service, visit = booked_order(holder, budget)
    assert visits_release_unrecorded(now=timezone.now() + datetime.timedelta(days=15)) == 1
    assert _history(visit)[-1] == (V.SCHEDULED, V.CANCELLED, None, holder.pk, "system",
                                   "Not recorded by the provider within 14 days")


def test_time_used_from_a_block_is_recorded_as_a_new_delivered_visit(holder):
    budget = make_budget(holder=holder, starts_on=today() - datetime.timedelta(days=3), ends_on=in_days(3))
    service = make_service(neighbourhood=holder.neighbourhood)
    order = place(user=holder.user, budget=budget, service=service, kind="block", block_hours=4,
                  first_visit_on=today() - datetime.timedelta(days=1), last_visit_on=in_days(3),
                  now=timezone.now() - datetime.timedelta(days=2))
    order_accept(order=order, by=service.owner)
    start = timezone.now() - 3 * HOUR
    visit = visit_record_block(order=order, by=service.owner, actual_starts_at=start, actual_ends_at=start + HOUR)
    assert _history(visit) == [("", V.DELIVERED, service.owner.pk, holder.pk, "provider", "Time used from the block")]


@pytest.mark.parametrize(
    ("prepare", "act", "message"),
    [
        ("booked", lambda v, s, h, c: visit_confirm(visit=v, user=h.user), "cannot be confirmed: it is booked"),
        ("booked", lambda v, s, h, c: visit_dispute(visit=v, user=h.user, reason="x"),
         "cannot be disputed: it is booked"),
        ("booked", lambda v, s, h, c: visit_resolve_dispute(visit=v, by=c, pay=True, note="x"),
         "cannot be settled: it is booked"),
        ("delivered", lambda v, s, h, c: deliver(v, s), "cannot be recorded: it is waiting for confirmation"),
        ("delivered", lambda v, s, h, c: visit_resolve_dispute(visit=v, by=c, pay=False, note="x"),
         "cannot be settled: it is waiting for confirmation"),
        ("confirmed", lambda v, s, h, c: visit_dispute(visit=v, user=h.user, reason="x"),
         "cannot be disputed: it is confirmed"),
        ("confirmed", lambda v, s, h, c: visit_confirm(visit=v, user=h.user), "cannot be confirmed: it is confirmed"),
    ],
)
def test_an_illegal_visit_move_changes_nothing(holder, budget, prepare, act, message):
    coordinator = holder.caseload_assignments.get().coordinator
    _order, service, visit = booked_order(holder, budget, visits=2)
    if prepare in ("delivered", "confirmed"):
        deliver(visit, service)
    if prepare == "confirmed":
        visit_confirm(visit=visit, user=holder.user)
    before = _state(visit)

    with pytest.raises(IllegalVisitTransition, match=message):
        act(visit, service, holder, coordinator)

    assert _state(visit) == before


def test_visit_transitions_are_append_only(holder, budget):
    _order, _service, visit = booked_order(holder, budget)
    row = VisitTransition.objects.get(visit=visit)
    for write in (lambda: VisitTransition.objects.filter(pk=row.pk).update(reason="rewritten"),
                  lambda: VisitTransition.objects.filter(pk=row.pk).delete()):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            write()
    assert _history(visit) == [(row.from_status, row.to_status, row.actor_id, row.on_behalf_of_id, row.capacity,
                                row.reason)]


def test_a_delivery_cannot_be_recorded_twice(holder, budget):
    _order, service, visit = booked_order(holder, budget)
    deliver(visit, service)
    with pytest.raises(VisitRefused):
        visit_record_delivery(visit=visit, by=service.owner, actual_starts_at=visit.starts_at,
                              actual_ends_at=visit.ends_at)
    assert [row[:2] for row in _history(visit)] == [("", V.SCHEDULED), (V.SCHEDULED, V.DELIVERED)]
