"""Placing orders (every placement rule), and moving them through the one transition table."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.conf import settings
from django.utils import timezone

from market.accounts.models import ConsentScope, FundingRoute
from market.accounts.services import consent_grant
from market.core.models import AuditEvent
from market.outbox.models import Email
from orders.exceptions import BudgetExceeded, IllegalTransition, OrderRefused
from orders.models import (
    DirectPaymentAgreement,
    EntryKind,
    LedgerEntry,
    Order,
    OrderStatus,
    OrderTransition,
    Visit,
    VisitStatus,
)
from orders.pricing import visit_cost
from orders.selectors import Balance, budget_balance
from orders.services import (
    order_accept,
    order_accept_proposal,
    order_cancel,
    order_decline,
    order_propose_change,
    order_quote,
)
from orders.tasks import tell_providers_new_orders
from orders.transitions import TRANSITIONS
from providers.models import AvailabilityException, ServiceAvailability, ServiceStatus
from tests import factories

from .helpers import in_days, make_budget, make_service, place, today


@pytest.fixture
def service(holder):
    return make_service(neighbourhood=holder.neighbourhood)


def _money(budget):
    return list(LedgerEntry.objects.filter(budget=budget).order_by("pk").values_list("kind", "amount_pence"))


def _snapshot(order):
    order.refresh_from_db()
    return (order.status, order.total_pence, order.transitions.count(), order.visits.count(), _money(order.budget))


@pytest.mark.parametrize(
    ("unit", "price", "minutes", "items", "expected"),
    [
        ("per_hour", 1750, 60, 1, 1750),
        ("per_hour", 1750, 90, 1, 2625),
        ("per_hour", 1699, 45, 1, 1274),  # 1274.25 rounds down
        ("per_hour", 1002, 45, 1, 752),  # 751.5 rounds half up
        ("per_session", 2500, 180, 1, 2500),
        ("per_day", 9000, 480, 1, 9000),
        ("per_item", 450, 30, 3, 1350),
        ("free", 0, 60, 1, 0),
    ],
)
def test_visit_costs_are_whole_pence(unit, price, minutes, items, expected):
    assert visit_cost(unit=unit, price_pence=price, minutes=minutes, items=items) == expected


def test_placing_an_order_reserves_its_cost(holder, budget, service, django_capture_on_commit_callbacks, mailoutbox,
                                            send_outbox):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        order = place(user=holder.user, budget=budget, service=service, duration_minutes=90)

    assert (order.status, order.total_pence, order.unit_price_pence, order.visit_count) == (
        OrderStatus.PLACED, 2625, 1750, 1)
    assert (order.funding_route, order.placed_by, order.placed_as) == (FundingRoute.DIRECT_PAYMENT, holder.user, "self")
    assert budget_balance(budget) == Balance(allocated=10_000, committed=2625, spent=0, left=7375)
    entry = LedgerEntry.objects.get(kind=EntryKind.RESERVATION)
    assert (entry.order, entry.actor, entry.on_behalf_of) == (order, holder.user, holder)
    assert entry.effective_on == in_days(3)
    assert list(order.transitions.values_list("from_status", "to_status", "capacity")) == [("", "placed", "self")]
    assert AuditEvent.objects.filter(action="order.placed", object_id=str(order.pk)).count() == 1
    # Nothing is sent or queued in the request: the order row is the marker, read by a beat task
    assert (callbacks, mailoutbox, order.provider_told_at, Email.objects.count()) == ([], [], None, 0)

    # When the beat task runs (twice, as overlapping runs would), the provider's email is queued once
    assert tell_providers_new_orders() == 1
    assert tell_providers_new_orders() == 0
    assert send_outbox().sent == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == f"[{settings.SITE_NAME}] {order.reference}: a new order"
    assert mailoutbox[0].to == sorted({service.provider.email, service.owner.email})
    assert mailoutbox[0].body == (f"{holder.display_name} has asked for {service}: 1 visit(s), £26.25. "
                                  "Sign in to accept, decline or propose a change.")


def test_a_mail_outage_leaves_the_new_order_email_to_be_retried(holder, budget, service, settings, mailoutbox,
                                                                 send_outbox):
    order = place(user=holder.user, budget=budget, service=service)
    assert tell_providers_new_orders() == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens there

    report = send_outbox()

    email = Email.objects.get(key=f"order-placed:{order.pk}")
    assert (report.sent, report.retrying, email.status, email.attempts, mailoutbox) == (0, 1, "pending", 1, [])
    assert "Connection refused" in email.last_error or "Errno" in email.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_outbox().sent == 0  # not due yet: it waits for its backoff
    assert send_outbox(now=email.due_at).sent == 1
    assert [m.subject for m in mailoutbox] == [f"[{settings.SITE_NAME}] {order.reference}: a new order"]


def test_the_price_comes_from_the_service_at_the_time_of_ordering(holder, budget, service):
    order = place(user=holder.user, budget=budget, service=service)
    service.price_pence = 9999
    service.save()
    order.refresh_from_db()
    assert (order.unit_price_pence, order.total_pence) == (1750, 1750)


def test_submitting_the_same_order_twice_reserves_once(holder, budget, service):
    key = uuid.uuid4()
    first = place(user=holder.user, budget=budget, service=service, idempotency_key=key)
    second = place(user=holder.user, budget=budget, service=service, idempotency_key=key)

    assert first.pk == second.pk
    assert Order.objects.count() == 1
    assert budget_balance(budget).committed == 1750


def test_a_weekly_arrangement_books_each_chosen_day(holder, service):
    budget = make_budget(holder=holder, amount_pence=5000, ends_on=today() + datetime.timedelta(days=27))
    first = in_days(1)
    order = place(user=holder.user, budget=budget, service=service, kind="weekly", first_visit_on=first,
                  last_visit_on=first + datetime.timedelta(days=20), weekdays=[first.weekday()], duration_minutes=120)

    assert (order.visit_count, order.total_pence, order.last_visit_on) == (3, 10_500, first + datetime.timedelta(14))
    assert budget_balance(budget).committed == 10_500
    # one reservation row per budget period the visits fall in
    assert LedgerEntry.objects.filter(kind=EntryKind.RESERVATION).count() == 3


def test_a_supporter_with_consent_orders_for_the_holder(holder, budget, service, supporter):
    consent_grant(holder=holder, supporter=supporter, scopes=[ConsentScope.ORDER], relationship="Daughter",
                  granted_by=holder.user)
    order = place(user=supporter, budget=budget, service=service)
    assert (order.holder, order.placed_by, order.placed_as) == (holder, supporter, "supporter")
    assert LedgerEntry.objects.get(kind=EntryKind.RESERVATION).on_behalf_of == holder


def test_a_coordinator_orders_for_someone_in_their_caseload(holder, budget, service):
    coordinator = holder.caseload_assignments.get().coordinator
    assert place(user=coordinator, budget=budget, service=service).placed_as == "coordinator"


def _pause(ctx):
    ctx["service"].status = ServiceStatus.PAUSED
    ctx["service"].save()


def _elsewhere(ctx):
    ctx["service"].provider.neighbourhoods.clear()
    ctx["service"].provider.neighbourhoods.add(factories.NeighbourhoodFactory(name="Leigh"))


def _plan_allows_only_gardening(ctx):
    ctx["budget"].allowed_categories.set([factories.CategoryFactory(name="Gardening")])


def _council_managed_not_ok(ctx):
    Budgets = type(ctx["budget"])
    Budgets.objects.filter(pk=ctx["budget"].pk).update(funding_route=FundingRoute.COUNCIL_MANAGED)
    ctx["budget"].refresh_from_db()
    ctx["service"].council_budget_ok = False
    ctx["service"].save()


def _only_available_afternoons(ctx):
    ServiceAvailability.objects.create(service=ctx["service"], weekday=in_days(3).weekday(),
                                       starts_at=datetime.time(13), ends_at=datetime.time(17))


def _day_off(ctx):
    ServiceAvailability.objects.create(service=ctx["service"], weekday=in_days(3).weekday(),
                                       starts_at=datetime.time(9), ends_at=datetime.time(17))
    AvailabilityException.objects.create(service=ctx["service"], date=in_days(3), is_available=False)


def _stranger(ctx):
    ctx["user"] = factories.HolderUserFactory()


def _supporter_without_order_scope(ctx):
    supporter = factories.SupporterFactory()
    consent_grant(holder=ctx["budget"].holder, supporter=supporter, scopes=[ConsentScope.VIEW],
                  relationship="Friend", granted_by=ctx["budget"].holder.user)
    ctx["user"] = supporter


def _relative_without_agreement(ctx):
    ctx["kwargs"]["pays_household_relative"] = True


def _tiny_budget(ctx):
    coordinator = ctx["budget"].holder.caseload_assignments.get().coordinator
    from orders.services import budget_adjust

    budget_adjust(budget=ctx["budget"], amount_pence=-9000, on=today(), reason="Review", actor=coordinator)


def _set(**kwargs):
    def change(ctx):
        ctx["kwargs"].update(kwargs)

    return change


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (_pause, OrderRefused, "not listed"),
        (_elsewhere, OrderRefused, "does not cover Neighbourhood"),
        (_plan_allows_only_gardening, OrderRefused, "support plan does not include companionship"),
        (_council_managed_not_ok, OrderRefused, "council-managed account"),
        (_only_available_afternoons, OrderRefused, "is not available on"),
        (_day_off, OrderRefused, "is not available on"),
        (_stranger, OrderRefused, "You cannot do that for"),
        (_supporter_without_order_scope, OrderRefused, "You cannot do that for"),
        (_relative_without_agreement, OrderRefused, "only if the council has agreed"),
        (_tiny_budget, BudgetExceeded, "cannot afford this"),
        (_set(first_visit_on=today() - datetime.timedelta(days=1)), OrderRefused, "must be in the future"),
        (_set(kind="weekly", weekdays=[0], last_visit_on=in_days(1)), OrderRefused, "end date must be on or after"),
        (_set(kind="weekly", weekdays=[], last_visit_on=in_days(6)), OrderRefused, "at least one day"),
        (_set(duration_minutes=0), OrderRefused, "between 15 minutes and 12 hours"),
        (_set(duration_minutes=100_000), OrderRefused, "between 15 minutes and 12 hours"),
        (_set(duration_minutes=50), OrderRefused, "steps of 15 minutes"),
        (_set(items_per_visit=0), OrderRefused, "between 1 and 100 items"),
        (_set(visit_starts_at=datetime.time(23, 30)), OrderRefused, "finish on the day it starts"),
        (_set(first_visit_on=in_days(30)), OrderRefused, "within the budget's plan"),
        (_set(first_visit_on=datetime.date(9999, 12, 31), visit_starts_at=datetime.time(23, 30)), OrderRefused,
         "too far ahead"),
        (_set(kind="fortnightly"), OrderRefused, "one visit, a weekly arrangement or a block of hours"),
    ],
)
def test_refused_orders_reserve_nothing(holder, budget, service, change, error, message):
    ctx = {"budget": budget, "service": service, "user": holder.user, "kwargs": {}}
    change(ctx)
    before = _money(budget)

    with pytest.raises(error, match=message):
        place(user=ctx["user"], budget=ctx["budget"], service=ctx["service"], **ctx["kwargs"])

    assert Order.objects.count() == 0
    assert _money(budget) == before


def test_paying_a_household_relative_is_allowed_once_the_council_agreed(holder, budget, service):
    DirectPaymentAgreement.objects.create(budget=budget, provider=service.provider, reference="DP-2026-014",
                                          agreed_by=holder.caseload_assignments.get().coordinator)
    order = place(user=holder.user, budget=budget, service=service, pays_household_relative=True)
    assert order.pays_household_relative is True


def test_a_quote_shows_the_effect_on_the_budget_without_writing(holder, budget, service):
    quote = order_quote(user=holder.user, budget=budget, service=service, kind="one_off", first_visit_on=in_days(3),
                        visit_starts_at=datetime.time(10), duration_minutes=120)
    assert (quote.plan.total_pence, quote.left_before, quote.left_after) == (3500, 10_000, 6500)
    assert LedgerEntry.objects.filter(kind=EntryKind.RESERVATION).count() == 0


def test_the_provider_accepts_and_visits_are_booked(holder, budget, service):
    order = place(user=holder.user, budget=budget, service=service)
    order_accept(order=order, by=service.owner)

    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED
    visit = order.visits.get()
    assert (visit.status, visit.cost_pence, visit.ends_at - visit.starts_at) == (
        VisitStatus.SCHEDULED, 1750, datetime.timedelta(hours=1))
    assert list(order.transitions.values_list("to_status", "actor", "capacity")) == [
        ("placed", holder.user.pk, "self"), ("accepted", service.owner.pk, "provider")]


def test_declining_needs_a_reason_and_releases_the_money(holder, budget, service):
    order = place(user=holder.user, budget=budget, service=service)
    with pytest.raises(OrderRefused, match="Say why"):
        order_decline(order=order, by=service.owner, reason=" ")
    order_decline(order=order, by=service.owner, reason="Fully booked that week")

    order.refresh_from_db()
    assert order.status == OrderStatus.DECLINED
    assert order.transitions.last().reason == "Fully booked that week"
    assert budget_balance(budget) == Balance(allocated=10_000, committed=0, spent=0, left=10_000)


def test_a_proposed_price_accepted_by_the_holder_rereserves_the_new_cost(holder, budget, service):
    order = place(user=holder.user, budget=budget, service=service, duration_minutes=120)
    order_propose_change(order=order, by=service.owner, unit_price_pence=2000, visit_starts_at=datetime.time(14),
                         note="Afternoons only, and my rate went up")
    order.refresh_from_db()
    assert (order.status, order.total_pence) == (OrderStatus.CHANGES_PROPOSED, 3500)

    order_accept_proposal(order=order, user=holder.user)

    order.refresh_from_db()
    assert (order.status, order.unit_price_pence, order.total_pence, order.visit_starts_at) == (
        OrderStatus.ACCEPTED, 2000, 4000, datetime.time(14))
    assert budget_balance(budget).committed == 4000
    assert order.visits.get().cost_pence == 4000


def test_an_unaffordable_proposal_cannot_be_accepted_and_nothing_changes(holder, budget, service):
    order = place(user=holder.user, budget=budget, service=service, duration_minutes=240)
    order_propose_change(order=order, by=service.owner, unit_price_pence=5000, note="Specialist rate")
    before = _snapshot(order)

    with pytest.raises(BudgetExceeded):
        order_accept_proposal(order=order, user=holder.user)

    assert _snapshot(order) == before
    assert order.status == OrderStatus.CHANGES_PROPOSED


def test_rejecting_a_proposal_cancels_and_releases(holder, budget, service):
    order = place(user=holder.user, budget=budget, service=service)
    order_propose_change(order=order, by=service.owner, first_visit_on=in_days(4), note="Thursday instead?")
    order_cancel(order=order, by=holder.user, reason="The new day does not suit me")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert budget_balance(budget).left == 10_000


@pytest.mark.parametrize(
    ("setup", "act", "message"),
    [
        ("declined", lambda o, s, h: order_accept(order=o, by=s.owner), "cannot be accepted now: it is declined"),
        ("placed", lambda o, s, h: order_accept_proposal(order=o, user=h.user), "You cannot make this order accepted"),
        ("accepted", lambda o, s, h: order_decline(order=o, by=s.owner, reason="x"), "cannot be declined now"),
        ("cancelled", lambda o, s, h: order_cancel(order=o, by=h.user, reason="x"), "cannot be cancelled now"),
        ("placed", lambda o, s, h: order_accept(order=o, by=h.user), "Only the provider's own team"),
        ("placed", lambda o, s, h: order_accept(order=o, by=factories.ProviderMembershipFactory().user),
         "Only the provider's own team"),
        ("placed", lambda o, s, h: order_cancel(order=o, by=s.owner, reason="x"),
         "You cannot make this order cancelled"),
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(holder, budget, service, setup, act, message):
    order = place(user=holder.user, budget=budget, service=service)
    if setup == "declined":
        order_decline(order=order, by=service.owner, reason="Sorry")
    elif setup == "accepted":
        order_accept(order=order, by=service.owner)
    elif setup == "cancelled":
        order_cancel(order=order, by=holder.user, reason="Changed my mind")
    before = _snapshot(order)

    with pytest.raises(OrderRefused, match=message) as raised:
        act(order, service, holder)

    assert _snapshot(order) == before
    if "now:" in message or "make this order" in message:
        assert isinstance(raised.value, IllegalTransition)


def test_every_transition_names_who_may_make_it():
    assert all(sides for sides in TRANSITIONS.values())
    assert {target for (_source, target) in TRANSITIONS} == set(OrderStatus.values) - {OrderStatus.PLACED}


def test_cancelling_inside_the_notice_period_is_for_the_coordinator(holder, budget, service):
    order = place(user=holder.user, budget=budget, service=service, first_visit_on=in_days(3))
    order_accept(order=order, by=service.owner)
    soon = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=5)
    Visit.objects.filter(order=order).update(starts_at=soon, ends_at=soon + datetime.timedelta(hours=1))
    before = _snapshot(order)

    with pytest.raises(OrderRefused, match="less than 24 hours away"):
        order_cancel(order=order, by=holder.user, reason="Not feeling well")
    with pytest.raises(OrderRefused, match="less than 24 hours away"):
        order_cancel(order=order, by=service.owner, reason="Car broke down")
    assert _snapshot(order) == before

    order_cancel(order=order, by=holder.caseload_assignments.get().coordinator, reason="Agreed with both")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.visits.get().status == VisitStatus.CANCELLED
    assert budget_balance(budget).left == 10_000
    assert OrderTransition.objects.filter(order=order, to_status="cancelled").get().capacity == "coordinator"


def test_new_orders_are_told_oldest_first_once(holder, budget, service, mailoutbox, send_outbox):
    # Given two new orders, the second placed first in time...
    first = place(user=holder.user, budget=budget, service=service)
    second = place(user=holder.user, budget=budget, service=service)
    Order.objects.filter(pk=second.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=1))

    # ...one run queues both, oldest first, and never again.
    assert tell_providers_new_orders() == 2
    assert tell_providers_new_orders() == 0
    assert send_outbox().sent == 2
    assert [m.subject for m in mailoutbox] == [
        f"[{settings.SITE_NAME}] {second.reference}: a new order",
        f"[{settings.SITE_NAME}] {first.reference}: a new order",
    ]
    assert Order.objects.filter(provider_told_at__isnull=True).count() == 0

def test_beat_tells_providers_about_new_orders_every_ten_seconds():
    from worker.schedule import BEAT_SCHEDULE

    entries = [entry for entry in BEAT_SCHEDULE.values() if entry["task"] == "orders.tasks.tell_providers_new_orders"]
    assert [entry["schedule"] for entry in entries] == [datetime.timedelta(seconds=10)]
