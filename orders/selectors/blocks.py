"""Reads for blocks of hours across budget periods (orders/blocks.py): what each period's share has used, what the
pages say about it, and which blocks have money to give back."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Sum
from django.utils import timezone

from ..blocks import BlockShare, hours_text, order_shares
from ..models import Budget, LedgerEntry, Order, OrderKind, OrderStatus, VisitStatus, period_end
from .budgets import order_committed_by_period

#: Visits whose time counts against a block of hours.
COUNTED_VISITS = (VisitStatus.DELIVERED, VisitStatus.DISPUTED, VisitStatus.CONFIRMED)


@dataclass(frozen=True)
class ShareUse:
    share: BlockShare
    ends_on: datetime.date  # the budget period's last day
    used_minutes: int  # delivered, disputed or confirmed visits on the period's days
    counted_pence: int  # what those visits cost
    pending_pence: int  # what the delivered or disputed ones among them may yet cost
    reserved_pence: int  # money still reserved for the block in that period (0 once given back)

    @property
    def left_minutes(self) -> int:
        return max(self.share.minutes - self.used_minutes, 0)

    @property
    def used(self) -> str:
        return hours_text(self.used_minutes) if self.used_minutes else "none"

    @property
    def given_back(self) -> bool:
        """The period's unused money has gone back to the budget (it ended), or nothing is left of it."""
        return self.reserved_pence - self.pending_pence <= 0 and self.left_minutes > 0 and self.share.pence > 0


def block_share_use(order: Order, *, budget: Budget | None = None) -> list[ShareUse]:
    """Each budget period's share of a block of hours with what it has used (read under the budget's lock to act
    on it). Empty for other kinds of order."""
    shares = order_shares(order)
    if not shares:
        return []
    budget = budget or order.budget
    used: dict[datetime.date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for visit in order.visits.filter(status__in=COUNTED_VISITS):
        start = budget.period_start_for(timezone.localtime(visit.starts_at).date())
        line = used[start]
        line[0] += int((visit.ends_at - visit.starts_at).total_seconds() // 60)
        line[1] += visit.cost_pence
        if visit.status != VisitStatus.CONFIRMED:
            line[2] += visit.cost_pence
    reserved = order_committed_by_period(budget=budget, order=order)
    return [
        ShareUse(share=share, ends_on=period_end(period=budget.period, start=share.period_starts_on),
                 used_minutes=used[share.period_starts_on][0], counted_pence=used[share.period_starts_on][1],
                 pending_pence=used[share.period_starts_on][2], reserved_pence=reserved.get(share.period_starts_on, 0))
        for share in shares
    ]


def blocks_due_to_close(*, today: datetime.date, limit: int = 200) -> list[tuple[int, int]]:
    """(order id, budget id) of open blocks of hours past their last date, or with money still reserved in a budget
    period that ended before `today`, the ones that ended first first."""
    open_blocks = Order.objects.filter(kind=OrderKind.BLOCK, status__in=[OrderStatus.ACCEPTED, OrderStatus.ACTIVE])
    due = {
        (order_id, budget_id): last
        for order_id, budget_id, last in open_blocks.filter(last_visit_on__lt=today)
        .values_list("pk", "budget_id", "last_visit_on")
    }
    # A period has ended if its last day is before today: a week is the shortest, so only those starting a week ago.
    rows = (
        LedgerEntry.objects.filter(order__in=open_blocks, period_starts_on__lt=today - datetime.timedelta(days=6))
        .order_by()
        .values("order_id", "budget_id", "budget__period", "period_starts_on")
        .annotate(committed=Sum("committed_pence"))
        .filter(committed__gt=0)
    )
    for row in rows:
        ends_on = period_end(period=row["budget__period"], start=row["period_starts_on"])
        if ends_on < today:
            key = (row["order_id"], row["budget_id"])
            due[key] = min(due.get(key, ends_on), ends_on)
    return [key for key, _day in sorted(due.items(), key=lambda item: (item[1], item[0][0]))][:limit]


def budget_block_shares(budget: Budget) -> list[tuple[Order, list[ShareUse]]]:
    """The budget's open blocks of hours that span budget periods, each with its share of every period."""
    blocks = (Order.objects.filter(budget=budget, kind=OrderKind.BLOCK, status__in=[
        OrderStatus.PLACED, OrderStatus.CHANGES_PROPOSED, OrderStatus.ACCEPTED, OrderStatus.ACTIVE])
        .select_related("service", "budget").order_by("first_visit_on", "pk"))
    found = []
    for order in blocks:
        uses = block_share_use(order, budget=budget)
        if len(uses) > 1:
            found.append((order, uses))
    return found


def shares_left_text(uses: list[ShareUse]) -> str:
    """What a provider is told before recording time from a block across budget periods (empty for one period)."""
    if len(uses) < 2:
        return ""
    lines = [
        f"{hours_text(use.left_minutes)} left of {use.share.hours} for the budget period from "
        f"{use.share.period_starts_on:%-d %B %Y} (to use from {use.share.first_day:%-d %B} to "
        f"{use.share.last_day:%-d %B %Y})" + ("; its unused hours went back to the budget" if use.given_back else "")
        for use in uses
    ]
    return ("This block's hours are shared between budget periods:\n" + "\n".join(lines) + "\nA visit uses the hours "
            "of the period its day falls in. Hours for a later period cannot be used early.")
