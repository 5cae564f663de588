"""An order after it is placed: the provider accepts, declines or proposes a change; the holder's side accepts
the change; any side cancels; the order completes when every visit is settled. Each move is checked against
the order table (orders.transitions) and recorded by `_move`."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from market.accounts.models import ConsentScope, User
from market.core.audit import audit_record
from market.core.money import MAX_PRICE_POUNDS
from market.core.numbers import whole_within

from .. import notifications, selectors
from ..blocks import check_block_shares, reservation_lines
from ..exceptions import OrderRefused
from ..models import Order, OrderKind, OrderStatus, Visit, VisitStatus, period_end
from ..pricing import Plan, plan_order
from ..transitions import Side, transition_check
from ._common import (
    NOTICE_HOURS,
    _holder_side,
    _move,
    _provider_only,
    _refuse_alone_if_shared,
    _share_of,
    _sides_for,
    _visits_add,
    _visits_move,
    order_lock,
)
from .budgets import budget_release, budget_reserve


def _book_visits(order: Order, *, actor: User, capacity: str, reason: str) -> None:
    """Book the visits of an order just accepted (a block's are recorded by the provider as they happen)."""
    if order.kind == OrderKind.BLOCK:
        return
    plan = plan_order(service=order.service, kind=order.kind, first_visit_on=order.first_visit_on,
                      visit_starts_at=order.visit_starts_at, duration_minutes=order.duration_minutes,
                      last_visit_on=order.last_visit_on, weekdays=order.weekdays,
                      items_per_visit=order.items_per_visit, unit_price_pence=order.unit_price_pence,
                      check_future=False)
    share = _share_of(order)
    if share is not None:  # one part of a shared booking: each visit costs its share
        plan = share.of_plan(plan)
    _visits_add(order, [Visit(order=order, starts_at=v.starts_at, ends_at=v.ends_at, cost_pence=v.cost_pence)
                        for v in plan.visits],
                sides={Side.SYSTEM}, actor=actor, capacity=capacity, reason=reason)


def order_accept(*, order: Order, by: User) -> Order:
    """The provider accepts: the order's visits are booked."""
    with transaction.atomic():
        order = order_lock(order.pk)
        _provider_only(by, order)
        _refuse_alone_if_shared(order)
        _move(order, OrderStatus.ACCEPTED, sides={Side.PROVIDER}, actor=by, capacity="provider")
        _book_visits(order, actor=by, capacity="provider", reason=f"{order.reference} accepted")
        audit_record(action="order.accepted", actor=by, on_behalf_of=order.holder, target=order,
                     summary=f"{order.provider} accepted {order.reference}")
        notifications.tell_holder(order, "accepted", f"{order.provider} accepted your order for {order.service}.")
    return order


def order_decline(*, order: Order, by: User, reason: str) -> Order:
    """The provider declines, with a reason; the reserved money goes back to the budget."""
    reason = (reason or "").strip()
    if not reason:
        raise OrderRefused("Say why you are declining. The person will see it.", field="reason")
    with transaction.atomic():
        order = order_lock(order.pk)
        _provider_only(by, order)
        _refuse_alone_if_shared(order)
        _move(order, OrderStatus.DECLINED, sides={Side.PROVIDER}, actor=by, capacity="provider", reason=reason)
        budget_release(budget=order.budget, order=order, actor=by, on_behalf_of=order.holder,
                       reason=f"{order.reference} declined")
        audit_record(action="order.declined", actor=by, on_behalf_of=order.holder, target=order, summary=reason)
        notifications.tell_holder(order, "declined", f"{order.provider} cannot take your order: {reason}")
    return order


def order_propose_change(
    *,
    order: Order,
    by: User,
    note: str,
    unit_price_pence: int | None = None,
    first_visit_on: datetime.date | None = None,
    visit_starts_at: datetime.time | None = None,
) -> Order:
    """The provider proposes a different price, start date or time; the holder's side accepts or rejects it."""
    note = (note or "").strip()
    if not note:
        raise OrderRefused("Explain the change you are proposing.", field="note")
    if unit_price_pence is None and first_visit_on is None and visit_starts_at is None:
        raise OrderRefused("Propose a different price, date or time.", field="unit_price_pence")
    if unit_price_pence is not None and not whole_within(unit_price_pence, 1, MAX_PRICE_POUNDS * 100):
        raise OrderRefused(f"Enter a price above £0 and at most £{MAX_PRICE_POUNDS:,}.", field="unit_price_pence")
    with transaction.atomic():
        order = order_lock(order.pk)
        _provider_only(by, order)
        _refuse_alone_if_shared(order)
        _proposed_plan(order, unit_price_pence, first_visit_on, visit_starts_at)  # refuses a bad proposal
        _move(order, OrderStatus.CHANGES_PROPOSED, sides={Side.PROVIDER}, actor=by, capacity="provider", reason=note)
        order.proposed_unit_price_pence = unit_price_pence
        order.proposed_first_visit_on = first_visit_on
        order.proposed_visit_starts_at = visit_starts_at
        order.proposal_note = note[:500]
        order.save(update_fields=["proposed_unit_price_pence", "proposed_first_visit_on", "proposed_visit_starts_at",
                                  "proposal_note", "updated_at"])
        notifications.tell_holder(order, "a change is proposed", f"{order.provider} proposes a change: {note}")
    return order


def _proposed_plan(order: Order, unit_price_pence, first_visit_on, visit_starts_at) -> Plan:
    first = first_visit_on or order.first_visit_on
    last = order.last_visit_on
    if order.kind == OrderKind.WEEKLY and first_visit_on is not None:
        last = max(order.last_visit_on, first)
    return plan_order(
        service=order.service, kind=order.kind, first_visit_on=first,
        visit_starts_at=visit_starts_at or order.visit_starts_at, duration_minutes=order.duration_minutes,
        last_visit_on=last, weekdays=order.weekdays, items_per_visit=order.items_per_visit,
        unit_price_pence=unit_price_pence or order.unit_price_pence,
        block_hours=order.block_minutes // 60 if order.block_minutes else None,
    )


def order_accept_proposal(*, order: Order, user: User) -> Order:
    """The holder's side accepts the provider's proposal: the reservation is redone at the new cost (refused,
    changing nothing, if the budget cannot afford it) and the order is accepted."""
    with transaction.atomic():
        order = order_lock(order.pk)
        capacity, sides = _holder_side(user, order.holder, ConsentScope.ORDER)
        _refuse_alone_if_shared(order)
        transition_check(current=order.status, target=OrderStatus.ACCEPTED, sides=sides)
        plan = _proposed_plan(order, order.proposed_unit_price_pence, order.proposed_first_visit_on,
                              order.proposed_visit_starts_at)
        if not (order.budget.covers(plan.first_visit_on) and order.budget.covers(plan.last_visit_on)):
            raise OrderRefused("The proposed dates fall outside the budget's plan.")
        check_block_shares(plan, order.budget)
        budget_release(budget=order.budget, order=order, actor=user, on_behalf_of=order.holder,
                       reason=f"{order.reference} changed")
        if plan.total_pence:  # a block: its share of each budget period (orders/blocks.py)
            budget_reserve(budget=order.budget, lines=reservation_lines(plan, order.budget), order=order,
                           actor=user, on_behalf_of=order.holder, reason=f"{order.reference} changed")
        order.unit_price_pence = plan.unit_price_pence
        order.first_visit_on = plan.first_visit_on
        order.last_visit_on = plan.last_visit_on
        order.visit_starts_at = plan.visit_starts_at
        order.visit_count = len(plan.visits)
        order.total_pence = plan.total_pence
        order.block_minutes = plan.block_minutes
        order.proposed_unit_price_pence = order.proposed_first_visit_on = order.proposed_visit_starts_at = None
        order.save()
        _move(order, OrderStatus.ACCEPTED, sides=sides, actor=user, capacity=str(capacity),
              reason="Accepted the provider's proposal")
        _book_visits(order, actor=user, capacity=str(capacity), reason="Accepted the provider's proposal")
        notifications.tell_provider(order, "your proposal was accepted",
                                    f"{order.holder.display_name} accepted your proposed change.")
    return order


def order_cancel(*, order: Order, by: User, reason: str) -> Order:
    """Cancel an order: by the holder's side, the provider, or a coordinator. Booked visits are cancelled and
    their money released; visits already delivered stay to be confirmed and paid. Less than
    NOTICE_HOURS before a booked visit only a coordinator may cancel (they can agree it with both sides)."""
    reason = (reason or "").strip()
    if not reason:
        raise OrderRefused("Say why the order is being cancelled.", field="reason")
    with transaction.atomic():
        order = order_lock(order.pk)
        capacity, sides = _sides_for(by, order)
        _refuse_alone_if_shared(order)
        transition_check(current=order.status, target=OrderStatus.CANCELLED, sides=sides)
        booked = list(Visit.objects.select_for_update().filter(order=order, status=VisitStatus.SCHEDULED))
        soon = timezone.now() + datetime.timedelta(hours=NOTICE_HOURS)
        if Side.COORDINATOR not in sides and any(visit.starts_at <= soon for visit in booked):
            raise OrderRefused(
                f"The next visit is less than {NOTICE_HOURS} hours away, so it is too late to cancel here. "
                "Contact the other side, or ask the coordinator to cancel it.")
        if order.kind == OrderKind.BLOCK and order.status not in (OrderStatus.PLACED, OrderStatus.CHANGES_PROPOSED):
            _release_block_rest(order, by, reason=f"{order.reference} cancelled")
        elif order.status in (OrderStatus.PLACED, OrderStatus.CHANGES_PROPOSED):
            budget_release(budget=order.budget, order=order, actor=by, on_behalf_of=order.holder,
                           reason=f"{order.reference} cancelled")
        elif booked:
            _visits_move(order, booked, VisitStatus.CANCELLED, sides=sides, actor=by, capacity=capacity, reason=reason)
            lines = [(timezone.localtime(v.starts_at).date(), v.cost_pence) for v in booked if v.cost_pence]
            if lines:
                budget_release(budget=order.budget, lines=lines, order=order, actor=by, on_behalf_of=order.holder,
                               reason=f"{order.reference} cancelled")
        _move(order, OrderStatus.CANCELLED, sides=sides, actor=by, capacity=capacity, reason=reason)
        audit_record(action="order.cancelled", actor=by, on_behalf_of=order.holder, target=order, summary=reason)
        message = f"{order.reference} ({order.service}) was cancelled by {by}: {reason}"
        notifications.tell_holder(order, "cancelled", message)
        notifications.tell_provider(order, "cancelled", message)
    return order


def _release_block_rest(order: Order, actor, *, reason: str, ended_before: datetime.date | None = None) -> list:
    """Release what a block still has reserved, less what its delivered or disputed visits may yet cost: in every
    budget period, or with `ended_before` only in the periods that ended before that day (orders/blocks.py). Returns
    the release entries written."""
    pending = defaultdict(int)
    for visit in order.visits.filter(status__in=[VisitStatus.DELIVERED, VisitStatus.DISPUTED]):
        pending[order.budget.period_start_for(timezone.localtime(visit.starts_at).date())] += visit.cost_pence
    committed = selectors.order_committed_by_period(budget=order.budget, order=order)
    if ended_before is not None:
        committed = {start: amount for start, amount in committed.items()
                     if period_end(period=order.budget.period, start=start) < ended_before}
    lines = [(start, amount - pending[start]) for start, amount in committed.items() if amount - pending[start] > 0]
    if not lines:
        return []
    return budget_release(budget=order.budget, lines=lines, order=order, actor=actor, on_behalf_of=order.holder,
                          reason=reason)


def _complete_if_done(order: Order, actor: User | None) -> None:
    open_visits = selectors.order_has_open_visits(order)
    if order.kind == OrderKind.BLOCK and not open_visits:
        # still open while hours are left to use and their money is still reserved (not given back at expiry)
        hours_left = selectors.block_usage(order)[0] < order.block_minutes
        open_visits = hours_left and any(selectors.order_committed_by_period(budget=order.budget, order=order).values())
    if order.status in (OrderStatus.ACTIVE, OrderStatus.ACCEPTED) and not open_visits:
        _move(order, OrderStatus.COMPLETED, sides={Side.SYSTEM}, actor=actor, capacity="system",
              reason="Every visit is settled")
        budget_release(budget=order.budget, order=order, actor=actor, on_behalf_of=order.holder,
                       reason=f"{order.reference} completed: unused money")
