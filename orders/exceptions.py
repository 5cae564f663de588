"""Domain errors for budgets, orders and visits, each with a message a person can read."""

from market.core.exceptions import DomainError


class Refused(DomainError):
    """An action this area refuses."""


class BudgetRefused(Refused):
    """A budget change that is not allowed (wrong person, bad dates, no reason...)."""


class BudgetExceeded(BudgetRefused):
    """The budget cannot afford it: the money left would go below zero."""


class OrderRefused(Refused):
    """An order that cannot be placed or changed as asked."""


class IllegalTransition(OrderRefused):
    """An order cannot move from its current state to the one asked for (orders.transitions.TRANSITIONS)."""


class VisitRefused(Refused):
    """A visit that cannot be recorded, confirmed or disputed as asked."""


class IllegalVisitTransition(VisitRefused):
    """A visit cannot move from its current state to the one asked for (orders.transitions.VISIT_TRANSITIONS)."""
