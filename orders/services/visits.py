"""Visits: the provider records them (booked visits, or time used from a block of hours); the holder's side
confirms or disputes them; the coordinator settles disputes; nobody answering confirms them automatically; visits
never recorded are given back. Each move is checked against the visit table (orders.transitions) and recorded by
`_visits_move`. Confirming turns a visit's reserved money into spend."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from market.accounts.models import ConsentScope, User
from market.accounts.permissions import Capacity, capacity_for
from market.core.audit import audit_record

from .. import notifications, selectors
from ..blocks import hours_text
from ..exceptions import VisitRefused
from ..models import Budget, Order, OrderKind, OrderStatus, Visit, VisitStatus
from ..money import format_pence
from ..pricing import block_visit_cost
from ..transitions import Side, visit_allowed_targets
from ._common import (
    AUTO_CONFIRM_HOURS,
    UNRECORDED_RELEASE_DAYS,
    _holder_side,
    _move,
    _provider_only,
    _refuse_alone_if_shared,
    _visits_add,
    _visits_move,
    order_lock,
    visit_lock,
)
from .budgets import budget_release, budget_spend
from .lifecycle import _complete_if_done, _release_block_rest


def _check_delivery_times(actual_starts_at: datetime.datetime, actual_ends_at: datetime.datetime,
                          now: datetime.datetime) -> None:
    if actual_ends_at <= actual_starts_at:
        raise VisitRefused("The visit must end after it starts.", field="actual_ends_at")
    if actual_ends_at > now + datetime.timedelta(minutes=5):
        raise VisitRefused("You can only record a visit once it has happened.", field="actual_ends_at")


def visit_record_delivery(
    *, visit: Visit, by: User, actual_starts_at: datetime.datetime, actual_ends_at: datetime.datetime, notes: str = ""
) -> Visit:
    """The provider records that a booked visit happened. The holder's side then has AUTO_CONFIRM_HOURS to
    confirm or dispute it before it is confirmed automatically."""
    now = timezone.now()
    _check_delivery_times(actual_starts_at, actual_ends_at, now)
    if actual_ends_at - actual_starts_at > datetime.timedelta(hours=16):
        raise VisitRefused("A visit cannot last more than 16 hours. Check the times.", field="actual_ends_at")
    with transaction.atomic():
        order, visit = visit_lock(visit.pk)
        _provider_only(by, order)
        _refuse_alone_if_shared(order)
        if visit.status == VisitStatus.SCHEDULED and actual_starts_at < visit.starts_at - datetime.timedelta(days=1):
            raise VisitRefused("That is more than a day before the visit was booked. Check the date.",
                               field="actual_starts_at")
        _visits_move(order, [visit], VisitStatus.DELIVERED, sides={Side.PROVIDER}, actor=by, capacity="provider",
                     actual_starts_at=actual_starts_at, actual_ends_at=actual_ends_at,
                     delivery_notes=notes.strip()[:2000], delivered_by=by, delivered_at=now,
                     confirm_due_at=now + datetime.timedelta(hours=AUTO_CONFIRM_HOURS))
        if order.status == OrderStatus.ACCEPTED:
            _move(order, OrderStatus.ACTIVE, sides={Side.SYSTEM}, actor=by, capacity="system",
                  reason="First visit delivered")
        notifications.tell_holder(
            order, "please confirm a visit",
            f"{order.provider} recorded the visit on {timezone.localtime(visit.starts_at):%A %-d %B at %H:%M}. "
            f"Please confirm it or tell us what went wrong. If we hear nothing in {AUTO_CONFIRM_HOURS} hours it "
            "will be confirmed automatically.",
        )
    return visit


def _settle(order: Order, visit: Visit, *, pay: bool, actor: User | None, reason: str) -> None:
    day = timezone.localtime(visit.starts_at).date()
    if visit.cost_pence and pay:
        budget_spend(budget=order.budget, amount_pence=visit.cost_pence, on=day, order=order, visit=visit,
                     actor=actor, on_behalf_of=order.holder, reason=reason)
    elif visit.cost_pence and order.kind != OrderKind.BLOCK:  # a block keeps its money for the hours left
        budget_release(budget=order.budget, lines=[(day, visit.cost_pence)], order=order, visit=visit,
                       actor=actor, on_behalf_of=order.holder, reason=reason)


def visit_confirm(*, visit: Visit, user: User) -> Visit:
    """The holder (or a supporter with the confirm-visits consent, or their coordinator) confirms a visit:
    its reserved money becomes spend."""
    with transaction.atomic():
        order, visit = visit_lock(visit.pk)
        capacity, sides = _holder_side(user, order.holder, ConsentScope.CONFIRM_VISITS)
        _refuse_alone_if_shared(order)
        _visits_move(order, [visit], VisitStatus.CONFIRMED, sides=sides, actor=user, capacity=str(capacity),
                     answered_by=user, answered_at=timezone.now())
        _settle(order, visit, pay=True, actor=user, reason=f"{order.reference} visit {visit.pk} confirmed")
        _complete_if_done(order, user)
    return visit


def visit_dispute(*, visit: Visit, user: User, reason: str) -> Visit:
    """The holder's side says a visit did not happen as recorded. It goes to their coordinator."""
    reason = (reason or "").strip()
    if not reason:
        raise VisitRefused("Tell us what went wrong.", field="reason")
    with transaction.atomic():
        order, visit = visit_lock(visit.pk)
        capacity, sides = _holder_side(user, order.holder, ConsentScope.CONFIRM_VISITS)
        _visits_move(order, [visit], VisitStatus.DISPUTED, sides=sides, actor=user, capacity=str(capacity),
                     reason=reason, dispute_reason=reason[:2000], answered_by=user, answered_at=timezone.now())
        if order.status == OrderStatus.ACTIVE:
            _move(order, OrderStatus.DISPUTED, sides=sides, actor=user, capacity=str(capacity), reason=reason)
        audit_record(action="visit.disputed", actor=user, on_behalf_of=order.holder, target=visit, summary=reason)
        notifications.tell_coordinators(order, "a visit is disputed",
                                        f"{order.holder} disputes a visit by {order.provider}: {reason}")
        notifications.tell_provider(order, "a visit is disputed",
                                    "A visit you recorded has been disputed. The coordinator will be in touch.")
    return visit


def visit_resolve_dispute(*, visit: Visit, by: User, pay: bool, note: str) -> Visit:
    """The holder's coordinator settles a disputed visit: paid (spend) or not paid (money released)."""
    note = (note or "").strip()
    if not note:
        raise VisitRefused("Record what was decided and why.", field="note")
    with transaction.atomic():
        order, visit = visit_lock(visit.pk)
        if capacity_for(by, order.holder, ConsentScope.ORDER) is not Capacity.COORDINATOR:
            raise VisitRefused("Only the person's coordinator can settle a disputed visit.")
        _visits_move(order, [visit], VisitStatus.CONFIRMED if pay else VisitStatus.NOT_PAID,
                     sides={Side.COORDINATOR}, actor=by, capacity="coordinator", reason=note, doing="settled",
                     resolution_note=note[:2000], resolved_by=by)
        _settle(order, visit, pay=pay, actor=by, reason=f"{order.reference} visit {visit.pk} dispute settled")
        still_disputed = order.visits.filter(status=VisitStatus.DISPUTED).exists()
        if order.status == OrderStatus.DISPUTED and not still_disputed:
            _move(order, OrderStatus.ACTIVE, sides={Side.COORDINATOR}, actor=by, capacity="coordinator", reason=note)
            _complete_if_done(order, by)
        audit_record(action="visit.dispute_settled", actor=by, on_behalf_of=order.holder, target=visit,
                     summary=note, data={"paid": pay})
    return visit


def _busy(budget_id: int) -> bool:
    """Lock the budget unless someone else holds it now (then the next run of a periodic task picks it up)."""
    return Budget.objects.select_for_update(skip_locked=True).filter(pk=budget_id).first() is None


def visit_auto_confirm(*, visit_id: int, now: datetime.datetime | None = None) -> bool:
    """Confirm one delivered visit nobody answered in time. Skips it (returns False) if its budget is busy
    (someone is changing it now: the next run will pick it up) or if it is no longer due."""
    now = now or timezone.now()
    with transaction.atomic():
        order_id, budget_id = Order.objects.filter(visits=visit_id).values_list("pk", "budget_id").get()
        if _busy(budget_id):
            return False
        order = Order.objects.select_for_update(of=("self",)).select_related("holder", "budget", "provider",
                                                                            "service").get(pk=order_id)
        visit = Visit.objects.select_for_update().get(pk=visit_id)
        confirmable = VisitStatus.CONFIRMED in visit_allowed_targets(current=visit.status, sides={Side.SYSTEM})
        if not confirmable or visit.confirm_due_at > now:
            return False
        why = f"Nobody answered within {AUTO_CONFIRM_HOURS} hours"
        _visits_move(order, [visit], VisitStatus.CONFIRMED, sides={Side.SYSTEM}, actor=None, capacity="system",
                     reason=why, confirmed_automatically=True, answered_at=now)
        _settle(order, visit, pay=True, actor=None, reason=f"{order.reference} visit {visit.pk} confirmed "
                f"automatically after {AUTO_CONFIRM_HOURS} hours")
        _complete_if_done(order, None)
        audit_record(action="visit.auto_confirmed", target=visit, on_behalf_of=order.holder, summary=why)
        notifications.tell_holder(
            order, "a visit was confirmed automatically",
            f"The visit by {order.provider} on {timezone.localtime(visit.starts_at):%A %-d %B at %H:%M} was "
            f"confirmed automatically because nobody answered within {AUTO_CONFIRM_HOURS} hours, and "
            f"{format_pence(visit.cost_pence)} was paid from the budget. If something was wrong, tell your "
            "coordinator.",
        )
    return True


def visits_auto_confirm_due(*, now: datetime.datetime | None = None, limit: int = 200) -> int:
    """Confirm every delivered visit whose answer is overdue. Returns how many were confirmed."""
    now = now or timezone.now()
    due = list(
        Visit.objects.filter(status=VisitStatus.DELIVERED, confirm_due_at__lte=now)
        .order_by("confirm_due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(visit_auto_confirm(visit_id=visit_id, now=now) for visit_id in due)


def visit_record_block(
    *, order: Order, by: User, actual_starts_at: datetime.datetime, actual_ends_at: datetime.datetime, notes: str = ""
) -> Visit:
    """The provider records a visit that used time from a block of hours. It costs the block's hourly
    price for its minutes (see pricing.block_visit_cost), and is then confirmed or disputed like any visit."""
    now = timezone.now()
    _check_delivery_times(actual_starts_at, actual_ends_at, now)
    minutes = int((actual_ends_at - actual_starts_at).total_seconds() // 60)
    if minutes < 15 or minutes > 16 * 60:
        raise VisitRefused("A visit must last between 15 minutes and 16 hours.", field="actual_ends_at")
    with transaction.atomic():
        order = order_lock(order.pk)
        _provider_only(by, order)
        if order.kind != OrderKind.BLOCK:
            raise VisitRefused("Only a block of hours has visits recorded this way.")
        if order.status not in (OrderStatus.ACCEPTED, OrderStatus.ACTIVE):
            raise VisitRefused(f"Visits cannot be recorded: the order is {order.get_status_display().lower()}.")
        day = timezone.localtime(actual_starts_at).date()
        if not order.first_visit_on <= day <= order.last_visit_on:
            raise VisitRefused(f"The block is for {order.first_visit_on:%-d %B} to {order.last_visit_on:%-d %B %Y}.",
                               field="actual_starts_at")
        use = _share_for(order, day)
        if minutes > use.left_minutes:
            raise VisitRefused(_share_used_up(order, use, day), field="actual_ends_at")
        cost = block_visit_cost(price_pence=order.unit_price_pence, used_minutes=use.used_minutes,
                                counted_pence=use.counted_pence, minutes=minutes,
                                offset_minutes=use.share.offset_minutes)
        if cost > use.reserved_pence - use.pending_pence:  # given back when its period (or the block) ended
            raise VisitRefused(_share_given_back(order, use), field="actual_starts_at")
        [visit] = _visits_add(order, [Visit(
            order=order, starts_at=actual_starts_at, ends_at=actual_ends_at, cost_pence=cost,
            status=VisitStatus.DELIVERED, actual_starts_at=actual_starts_at, actual_ends_at=actual_ends_at,
            delivery_notes=notes.strip()[:2000], delivered_by=by, delivered_at=now,
            confirm_due_at=now + datetime.timedelta(hours=AUTO_CONFIRM_HOURS),
        )], sides={Side.PROVIDER}, actor=by, capacity="provider", reason="Time used from the block")
        if order.status == OrderStatus.ACCEPTED:
            _move(order, OrderStatus.ACTIVE, sides={Side.SYSTEM}, actor=by, capacity="system",
                  reason="First visit delivered")
        notifications.tell_holder(
            order, "please confirm a visit",
            f"{order.provider} recorded {minutes} minutes from your block of hours on {day:%A %-d %B}. Please "
            f"confirm it or tell us what went wrong. If we hear nothing in {AUTO_CONFIRM_HOURS} hours it will be "
            "confirmed automatically.",
        )
    return visit


def _share_for(order: Order, day: datetime.date) -> selectors.ShareUse:
    """The share of the block (orders/blocks.py) for the budget period `day` falls in, with what it has used."""
    start = order.budget.period_start_for(day)
    return next(use for use in selectors.block_share_use(order) if use.share.period_starts_on == start)


def _share_given_back(order: Order, use: selectors.ShareUse) -> str:
    if use.share.minutes == order.block_minutes:  # the block is in one budget period
        return "The block's unused hours were given back to the budget when it ended, so no more time can be recorded."
    return (f"The unused hours for the budget period from {use.share.period_starts_on:%-d %B} to "
            f"{use.ends_on:%-d %B %Y} were given back to the budget when that period ended, so no more time can be "
            "recorded in it.")


def _share_used_up(order: Order, use: selectors.ShareUse, day: datetime.date) -> str:
    left = use.left_minutes
    if use.share.minutes == order.block_minutes:  # the block is in one budget period
        return f"Only {left // 60} hours {left % 60} minutes are left in this block."
    later = [other for other in selectors.block_share_use(order) if other.share.first_day > day and other.left_minutes]
    message = (
        f"Only {hours_text(left)} of this block {'is' if left in (1, 60) else 'are'} left for the budget period from "
        f"{use.share.period_starts_on:%-d %B} to {use.ends_on:%-d %B %Y} ({use.share.hours} of the block's hours are "
        "for that period). Hours for a later period cannot be used before it starts: a budget's money for a later "
        "period cannot be spent early."
    )
    if later:
        message += f" The block's hours for the next period can be used from {later[0].share.first_day:%-d %B}."
    return message


def _tell_share_given_back(order: Order, uses: list[selectors.ShareUse], released: list) -> None:
    """Tell the holder's side what an ended budget period's share of a block did not use and gave back."""
    by_start = {use.share.period_starts_on: use for use in uses}
    for entry in released:
        use = by_start[entry.period_starts_on]
        verb = "was" if use.left_minutes in (1, 60) else "were"
        notifications.tell_holder(
            order, "unused hours went back to the budget",
            f"{hours_text(use.left_minutes)} of your block of hours with {order.provider} for the budget period from "
            f"{use.share.period_starts_on:%-d %B} to {use.ends_on:%-d %B %Y} {verb} not used by the end of that "
            f"period, so the {format_pence(entry.amount_pence)} set aside for them is back in the budget (money not "
            f"used in one period carries forward). The block's hours for later periods can still be used until "
            f"{order.last_visit_on:%-d %B %Y}.",
            key=f"order-{order.pk}-block-period-{entry.period_starts_on.isoformat()}-given-back",
        )


def blocks_close_expired(*, today: datetime.date | None = None, limit: int = 200) -> int:
    """Blocks of hours give back the money a budget period's share has not used once that period has ended, and all
    their unused money once their last date has passed; once no visit is waiting for an answer after the last date
    they are completed. Skips budgets someone is changing now (the next run picks them up)."""
    today = today or timezone.localdate()
    closed = 0
    for order_id, budget_id in selectors.blocks_due_to_close(today=today, limit=limit):
        with transaction.atomic():
            if _busy(budget_id):
                continue
            order = Order.objects.select_for_update(of=("self",)).select_related("holder", "budget").get(pk=order_id)
            if order.status not in (OrderStatus.ACCEPTED, OrderStatus.ACTIVE):
                continue
            if order.last_visit_on >= today:  # only the shares of budget periods that have ended
                uses = selectors.block_share_use(order)
                released = _release_block_rest(
                    order, None, ended_before=today,
                    reason=f"{order.reference}: unused hours of a budget period that has ended")
                _tell_share_given_back(order, uses, released)
                _complete_if_done(order, None)
            else:
                _release_block_rest(order, None, reason=f"{order.reference}: block ended {order.last_visit_on}")
                if not selectors.order_has_open_visits(order):
                    _move(order, OrderStatus.COMPLETED, sides={Side.SYSTEM}, actor=None, capacity="system",
                          reason="The block's end date has passed")
            closed += 1
    return closed


def visits_release_unrecorded(*, now: datetime.datetime | None = None, limit: int = 200) -> int:
    """Booked visits the provider never recorded, UNRECORDED_RELEASE_DAYS after they should have ended, are
    cancelled and their money given back, so a budget's "committed" does not stay inflated for ever."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=UNRECORDED_RELEASE_DAYS)
    due = list(
        Visit.objects.filter(status=VisitStatus.SCHEDULED, ends_at__lt=cutoff)
        .order_by("ends_at", "pk")
        .values_list("pk", "order__budget_id")[:limit]
    )
    released = 0
    for visit_id, budget_id in due:
        with transaction.atomic():
            if _busy(budget_id):
                continue
            order_id = Visit.objects.values_list("order_id", flat=True).get(pk=visit_id)
            order = (Order.objects.select_for_update(of=("self",)).select_related("holder", "budget", "provider",
                                                                                  "service").get(pk=order_id))
            visit = Visit.objects.select_for_update().get(pk=visit_id)
            if VisitStatus.CANCELLED not in visit_allowed_targets(current=visit.status, sides={Side.SYSTEM}):
                continue
            _visits_move(order, [visit], VisitStatus.CANCELLED, sides={Side.SYSTEM}, actor=None, capacity="system",
                         reason=f"Not recorded by the provider within {UNRECORDED_RELEASE_DAYS} days")
            _settle(order, visit, pay=False, actor=None,
                    reason=f"{order.reference} visit {visit.pk} never recorded by the provider")
            _complete_if_done(order, None)
            notifications.tell_provider(
                order, "a visit was never recorded",
                f"The visit booked for {timezone.localtime(visit.starts_at):%A %-d %B at %H:%M} was not recorded "
                f"within {UNRECORDED_RELEASE_DAYS} days, so it has been cancelled and will not be paid. If it did "
                "happen, contact the person's coordinator.",
            )
            released += 1
    return released
