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
from .household import Household, HouseholdMember, SharedBooking
from .order import WEEKDAYS, Order, OrderKind, OrderStatus, OrderTransition, Visit, VisitStatus, VisitTransition
from .talk import Concern, ConcernStatus, OrderMessage, Review

__all__ = [
    "ENTRY_EFFECTS", "MAX_PERIODS", "WEEKDAYS", "Budget", "BudgetPeriod", "BudgetPeriodTotal", "Concern",
    "ConcernStatus", "DirectPaymentAgreement", "EntryKind", "Household", "HouseholdMember", "LedgerEntry", "Order",
    "OrderKind", "OrderMessage", "OrderStatus", "OrderTransition", "Review", "SharedBooking", "Visit", "VisitStatus",
    "VisitTransition", "period_end", "period_start", "period_starts",
]
