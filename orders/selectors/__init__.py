"""Reads for budgets, orders and visits (writes are `orders.services`). Callers read `orders.selectors.<name>`."""

from .budgets import (
    Balance,
    PeriodLine,
    Shortfall,
    budget_balance,
    budget_categories,
    budget_get,
    budget_ledger,
    budget_periods,
    budget_shortfall,
    budgets_among,
    budgets_for_person,
    may_manage_budget,
    order_committed_by_period,
)
from .ordering import (
    COUNTED_VISITS,
    OPEN_VISITS,
    ServiceFacts,
    block_usage,
    is_member,
    order_get,
    order_has_open_visits,
    order_page,
    order_placed_with_key,
    orders_for_person,
    person_get,
    person_of_user,
    provider_dashboard,
    service_facts,
    service_for_order,
    visit_get,
)
from .overlap import OPEN_ORDERS, orders_overlapping
from .talk import (
    concern_get,
    concern_history,
    concern_queue,
    provider_get,
    provider_rating,
    review_get,
    reviews_for_provider,
    reviews_to_moderate,
)

__all__ = [
    "COUNTED_VISITS", "OPEN_ORDERS", "OPEN_VISITS", "Balance", "PeriodLine", "ServiceFacts", "Shortfall", "block_usage",
    "budget_balance", "budget_categories", "budget_get", "budget_ledger", "budget_periods", "budget_shortfall",
    "budgets_among", "budgets_for_person", "concern_get", "concern_history", "concern_queue", "is_member",
    "may_manage_budget", "order_committed_by_period", "order_get", "order_has_open_visits", "order_page",
    "order_placed_with_key", "orders_for_person", "orders_overlapping", "person_get", "person_of_user",
    "provider_dashboard",
    "provider_get", "provider_rating", "review_get", "reviews_for_provider", "reviews_to_moderate", "service_facts",
    "service_for_order", "visit_get",
]
