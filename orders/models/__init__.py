"""Models of budgets, orders and visits, by concern; every name is re-exported here (`orders.models.Order`)."""

from .budgets import (
    ENTRY_EFFECTS,
    MAX_PERIODS,
    Budget,
    BudgetPeriod,
    BudgetPeriodTotal,
    DirectPaymentAgreement,
    EntryKind,
    LedgerEntry,
    period_end,
    period_start,
    period_starts,
)
from .order import WEEKDAYS, Order, OrderKind, OrderStatus, OrderTransition, Visit, VisitStatus, VisitTransition
from .talk import Concern, ConcernStatus, OrderMessage, Review

__all__ = [
    "ENTRY_EFFECTS", "MAX_PERIODS", "WEEKDAYS", "Budget", "BudgetPeriod", "BudgetPeriodTotal", "Concern",
    "ConcernStatus", "DirectPaymentAgreement", "EntryKind", "LedgerEntry", "Order", "OrderKind", "OrderMessage",
    "OrderStatus", "OrderTransition", "Review", "Visit", "VisitStatus", "VisitTransition", "period_end",
    "period_start", "period_starts",
]
