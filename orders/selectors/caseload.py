"""What waits for a coordinator across her caseload (issue 18, item 5): visits disputed (hers to settle), visits
waiting for the person to confirm, orders the provider has not answered in time, changes a provider proposed that
wait for the person's side, and budgets whose current period is running low. Read on her home page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from market.accounts.models import Person

from ..models import Budget, Order, OrderStatus, Visit, VisitStatus
from .budgets import PeriodLine, budget_periods


@dataclass(frozen=True)
class LowBudget:
    budget: Budget
    period: PeriodLine


@dataclass(frozen=True)
class CaseloadTodo:
    disputed: list[Visit]
    to_confirm: list[Visit]
    unanswered: list[Order]
    proposals: list[Order]
    budgets_low: list[LowBudget]

    @property
    def count(self) -> int:
        return (len(self.disputed) + len(self.to_confirm) + len(self.unanswered) + len(self.proposals)
                + len(self.budgets_low))


def caseload_todo(*, coordinator, now: datetime.datetime | None = None, limit: int = 50) -> CaseloadTodo:
    """Everything waiting across the people in `coordinator`'s caseload, oldest first in each list."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    people = Person.objects.filter(caseload_assignments__coordinator=coordinator).values("pk")
    visits = (Visit.objects.filter(order__holder__in=people)
              .select_related("order", "order__holder", "order__service", "order__provider")
              .order_by("starts_at", "pk"))
    orders = (Order.objects.filter(holder__in=people)
              .select_related("holder", "service", "provider").order_by("created_at", "pk"))
    answer_by = now - datetime.timedelta(hours=settings.ORDER_ANSWER_HOURS)
    low = []
    for budget in (Budget.objects.filter(holder__in=people, starts_on__lte=today, ends_on__gte=today)
                   .select_related("holder").order_by("holder__full_name", "pk")):
        line = next((line for line in budget_periods(budget) if line.starts_on <= today <= line.ends_on), None)
        if line and line.allocated and line.available * 100 < line.allocated * settings.BUDGET_LOW_PERCENT:
            low.append(LowBudget(budget, line))
    return CaseloadTodo(
        disputed=list(visits.filter(status=VisitStatus.DISPUTED)[:limit]),
        to_confirm=list(visits.filter(status=VisitStatus.DELIVERED)[:limit]),
        unanswered=list(orders.filter(status=OrderStatus.PLACED, created_at__lte=answer_by)[:limit]),
        proposals=list(orders.filter(status=OrderStatus.CHANGES_PROPOSED)[:limit]),
        budgets_low=low[:limit],
    )
