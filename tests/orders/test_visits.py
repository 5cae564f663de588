"""Visits: recorded by the provider, confirmed or disputed by the holder's side, confirmed automatically."""

from __future__ import annotations

import datetime
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from market.accounts.models import ConsentScope
from market.accounts.services import consent_grant
from orders.exceptions import OrderRefused, VisitRefused
from orders.models import EntryKind, LedgerEntry, OrderStatus, Visit, VisitStatus
from orders.selectors import Balance, budget_balance
from orders.services import (
    order_accept,
    order_cancel,
    visit_confirm,
    visit_dispute,
    visit_record_delivery,
    visit_resolve_dispute,
    visits_auto_confirm_due,
)
from orders.tasks import auto_confirm_visits
from tests import factories

from .helpers import a_slot_just_gone, in_days, make_budget, make_service, place
from .test_budget_concurrency import run_at_once

HOUR = datetime.timedelta(hours=1)


def booked_order(holder, budget, *, visits=1):
    """An accepted order whose first visit was two hours ago (so it can be recorded) and others in a week."""
    service = make_service(neighbourhood=holder.neighbourhood)
    if visits == 1:
        order = place(user=holder.user, budget=budget, service=service)
    else:
        first = in_days(2)
        order = place(user=holder.user, budget=budget, service=service, kind="weekly", first_visit_on=first,
                      weekdays=[first.weekday(), (first + datetime.timedelta(days=1)).weekday()],
                      last_visit_on=first + datetime.timedelta(days=1))
    order_accept(order=order, by=service.owner)
    first_visit = order.visits.order_by("starts_at").first()
    starts_at, ends_at = a_slot_just_gone()
    Visit.objects.filter(pk=first_visit.pk).update(starts_at=starts_at, ends_at=ends_at)
    first_visit.refresh_from_db()
    return order, service, first_visit


def deliver(visit, service):
    return visit_record_delivery(visit=visit, by=service.owner, actual_starts_at=visit.starts_at,
                                 actual_ends_at=visit.ends_at, notes="Went to the shops, then tea.")


def _state(order, visit):
    order.refresh_from_db()
    visit.refresh_from_db()
    kinds = list(LedgerEntry.objects.filter(budget=order.budget).values_list("kind", "amount_pence").order_by("pk"))
    return order.status, visit.status, order.transitions.count(), kinds


def test_recording_the_first_visit_makes_the_order_active(holder, budget):
    order, service, visit = booked_order(holder, budget)
    deliver(visit, service)

    visit.refresh_from_db()
    order.refresh_from_db()
    assert visit.status == VisitStatus.DELIVERED
    assert visit.confirm_due_at - visit.delivered_at == datetime.timedelta(hours=72)
    assert visit.delivered_by == service.owner
    assert order.status == OrderStatus.ACTIVE


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (0, -1, "must end after it starts"),
        (1, 3, "once it has happened"),
        (-40, -2, "more than 16 hours"),
    ],
)
def test_bad_delivery_times_are_refused(holder, budget, start, end, message):
    order, service, visit = booked_order(holder, budget)
    before = _state(order, visit)
    now = timezone.now()
    with pytest.raises(VisitRefused, match=message):
        visit_record_delivery(visit=visit, by=service.owner, actual_starts_at=now + start * HOUR,
                              actual_ends_at=now + end * HOUR)
    assert _state(order, visit) == before


def test_only_the_provider_records_a_visit(holder, budget):
    order, _service, visit = booked_order(holder, budget)
    before = _state(order, visit)
    with pytest.raises(OrderRefused, match="provider's own team"):
        visit_record_delivery(visit=visit, by=holder.user, actual_starts_at=visit.starts_at,
                              actual_ends_at=visit.ends_at)
    assert _state(order, visit) == before


def test_confirming_turns_the_reservation_into_spend_and_completes_the_order(holder, budget):
    order, service, visit = booked_order(holder, budget)
    deliver(visit, service)
    visit_confirm(visit=visit, user=holder.user)

    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert budget_balance(budget) == Balance(allocated=10_000, committed=0, spent=1750, left=8250)
    spend = LedgerEntry.objects.get(kind=EntryKind.SPEND)
    assert (spend.visit, spend.order, spend.actor, spend.amount_pence) == (visit, order, holder.user, 1750)
    assert list(order.transitions.values_list("to_status", flat=True)) == ["placed", "accepted", "active", "completed"]


def test_a_supporter_needs_the_confirm_visits_scope(holder, budget, supporter):
    consent_grant(holder=holder, supporter=supporter, scopes=[ConsentScope.VIEW, ConsentScope.ORDER],
                  relationship="Son", granted_by=holder.user)
    order, service, visit = booked_order(holder, budget)
    deliver(visit, service)
    before = _state(order, visit)

    with pytest.raises(OrderRefused, match="You cannot do that"):
        visit_confirm(visit=visit, user=supporter)
    assert _state(order, visit) == before


def test_a_visit_cannot_be_confirmed_twice_or_before_it_is_recorded(holder, budget):
    order, service, visit = booked_order(holder, budget)
    with pytest.raises(VisitRefused, match="cannot be confirmed: it is booked"):
        visit_confirm(visit=visit, user=holder.user)
    deliver(visit, service)
    visit_confirm(visit=visit, user=holder.user)
    before = _state(order, visit)
    with pytest.raises(VisitRefused, match="cannot be confirmed: it is confirmed"):
        visit_confirm(visit=visit, user=holder.user)
    assert _state(order, visit) == before


def test_a_disputed_visit_goes_to_the_coordinator(holder, budget, django_capture_on_commit_callbacks, send_outbox):
    coordinator = holder.caseload_assignments.get().coordinator
    order, service, visit = booked_order(holder, budget)
    deliver(visit, service)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        visit_dispute(visit=visit, user=holder.user, reason="Nobody came")

    order.refresh_from_db()
    assert order.status == OrderStatus.DISPUTED
    assert send_outbox().sent >= 1
    assert any(coordinator.email in message.to and "disputed" in message.subject for message in mail.outbox)
    # Disputed money stays reserved until the coordinator settles it.
    assert budget_balance(budget).committed == 1750

    with pytest.raises(VisitRefused, match="Only the person's coordinator"):
        visit_resolve_dispute(visit=visit, by=holder.user, pay=False, note="I say so")
    visit_resolve_dispute(visit=visit, by=coordinator, pay=False, note="Provider agreed they missed it")

    order.refresh_from_db()
    visit.refresh_from_db()
    assert (order.status, visit.status) == (OrderStatus.COMPLETED, VisitStatus.NOT_PAID)
    assert budget_balance(budget) == Balance(allocated=10_000, committed=0, spent=0, left=10_000)


def test_a_settled_dispute_can_be_paid(holder, budget):
    coordinator = holder.caseload_assignments.get().coordinator
    _order, service, visit = booked_order(holder, budget)
    deliver(visit, service)
    visit_dispute(visit=visit, user=holder.user, reason="Arrived late")
    visit_resolve_dispute(visit=visit, by=coordinator, pay=True, note="Late but full length")
    assert budget_balance(budget) == Balance(allocated=10_000, committed=0, spent=1750, left=8250)


def test_unanswered_visits_are_confirmed_automatically_and_the_holder_told(
    holder, budget, django_capture_on_commit_callbacks, send_outbox):
    _order, service, visit = booked_order(holder, budget)
    deliver(visit, service)
    mail.outbox.clear()

    # Not yet due: nothing happens.
    assert visits_auto_confirm_due(now=timezone.now() + datetime.timedelta(hours=71)) == 0
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DELIVERED

    with django_capture_on_commit_callbacks(execute=True):
        assert visits_auto_confirm_due(now=timezone.now() + datetime.timedelta(hours=73)) == 1

    visit.refresh_from_db()
    assert (visit.status, visit.confirmed_automatically, visit.answered_by) == (VisitStatus.CONFIRMED, True, None)
    assert budget_balance(budget).spent == 1750
    assert LedgerEntry.objects.get(kind=EntryKind.SPEND).actor is None
    assert send_outbox().sent >= 1
    assert [m.to for m in mail.outbox if "confirmed automatically" in m.subject] == [[holder.user.email]]


def _worker_environment():
    import os

    database = settings.DATABASES["default"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "market.settings.test"}
    host = database["HOST"] or database["OPTIONS"].get("host", "")
    env["DATABASE_URL"] = f"postgresql://{database['USER']}:@/{database['NAME']}?host={host}"
    env["REDIS_URL"] = settings.REDIS_URL
    return env


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_auto_confirm_task_runs_in_a_real_worker():
    budget = make_budget()
    holder = budget.holder
    _order, service, visit = booked_order(holder, budget)
    deliver(visit, service)
    Visit.objects.filter(pk=visit.pk).update(confirm_due_at=timezone.now() - HOUR)

    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "worker", "worker", "--pool", "solo", "--loglevel", "WARNING",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        env=_worker_environment(), cwd=settings.BASE_DIR,
    )
    try:
        auto_confirm_visits.delay()
        deadline = time.monotonic() + 60
        while Visit.objects.get(pk=visit.pk).status != VisitStatus.CONFIRMED and time.monotonic() < deadline:
            assert process.poll() is None, "the worker exited"
            time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(timeout=20)

    visit.refresh_from_db()
    assert (visit.status, visit.confirmed_automatically) == (VisitStatus.CONFIRMED, True)
    assert budget_balance(budget) == Balance(allocated=10_000, committed=0, spent=1750, left=8250)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_confirm_and_cancel_at_the_same_moment_settle_consistently(round_):
    # Given a weekly order: the first visit delivered, the second booked for later.
    budget = make_budget()
    holder = budget.holder
    order, service, delivered = booked_order(holder, budget, visits=2)
    deliver(delivered, service)
    booked = order.visits.exclude(pk=delivered.pk).get()

    # When the holder confirms the first visit while the provider cancels the order...
    def act(index):
        if index == 0:
            return visit_confirm(visit=delivered, user=holder.user)
        return order_cancel(order=order, by=service.owner, reason="Retiring")

    results = run_at_once(2, act)

    # ...both succeed, whatever order they ran in: the delivered visit is paid, the booked one released.
    assert not [r for r in results if isinstance(r, Exception)], results
    order.refresh_from_db()
    delivered.refresh_from_db()
    booked.refresh_from_db()
    assert (order.status, delivered.status, booked.status) == (
        OrderStatus.CANCELLED, VisitStatus.CONFIRMED, VisitStatus.CANCELLED)
    assert budget_balance(budget) == Balance(allocated=10_000, committed=0, spent=1750, left=8250)


@pytest.mark.django_db(transaction=True)
def test_fifty_orders_placed_at_once_never_overspend():
    # Given £100 this week and 50 people ordering a £17.50 hour at the same moment...
    budget = make_budget(amount_pence=10_000)
    holder = budget.holder
    service = make_service(neighbourhood=holder.neighbourhood)
    user = holder.user

    results = run_at_once(50, lambda _i: place(user=user, budget=budget, service=service))

    # ...exactly five (5 x £17.50 = £87.50) are placed; the rest are refused as unaffordable.
    placed = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(placed) == 5, refused[:3]
    assert {type(r).__name__ for r in refused} == {"BudgetExceeded"}
    assert budget_balance(budget) == Balance(allocated=10_000, committed=8750, spent=0, left=1250)
    assert LedgerEntry.objects.filter(budget=budget, kind=EntryKind.RESERVATION).count() == 5
    assert factories.PersonFactory._meta.model.objects.count() == 1
    # The per-period totals the database keeps agree with the ledger
    assert list(budget.period_totals.values_list("left_pence", "committed_pence")) == [(1250, 8750)]


def test_visits_never_recorded_are_released_after_two_weeks(holder):
    from orders.services import visits_release_unrecorded

    budget = make_budget(holder=holder, starts_on=timezone.localdate() - datetime.timedelta(days=27),
                         ends_on=timezone.localdate() + datetime.timedelta(days=27))
    service = make_service(neighbourhood=holder.neighbourhood)
    first = timezone.localdate() - datetime.timedelta(days=20)
    order = place(user=holder.user, budget=budget, service=service, kind="weekly", weekdays=[first.weekday()],
                  first_visit_on=first, last_visit_on=first + datetime.timedelta(days=7),
                  now=timezone.now() - datetime.timedelta(days=25))
    order_accept(order=order, by=service.owner)
    assert budget_balance(budget).committed == 3500

    assert visits_release_unrecorded() == 1  # the visit 20 days ago; the one 13 days ago is not due yet
    order.refresh_from_db()
    assert (order.status, budget_balance(budget).committed) == (OrderStatus.ACCEPTED, 1750)

    assert visits_release_unrecorded(now=timezone.now() + datetime.timedelta(days=2)) == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert budget_balance(budget) == Balance(allocated=80_000, committed=0, spent=0, left=80_000)
    assert list(order.visits.values_list("status", flat=True)) == [VisitStatus.CANCELLED] * 2


def test_a_supporter_who_may_confirm_but_not_book_sees_and_uses_the_confirm_button(client, holder, budget):
    from django.urls import reverse

    order, service, visit = booked_order(holder, budget)
    deliver(visit, service)
    supporter = factories.SupporterFactory()
    consent_grant(holder=holder, supporter=supporter, relationship="Son", granted_by=holder.user,
                  scopes=[ConsentScope.VIEW, ConsentScope.CONFIRM_VISITS])
    client.force_login(supporter)

    page = client.get(reverse("orders:order", args=[order.pk]))
    assert page.context["may_confirm"] is True

    visit_confirm(visit=visit, user=supporter)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CONFIRMED
