from market.core.exceptions import DomainError


class InvoicingRefused(DomainError):
    """An invoicing action that cannot be done as asked."""
