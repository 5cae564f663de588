from market.core.exceptions import DomainError


class PaymentRefused(DomainError):
    """A payment, refund or transfer that cannot be made, with the reason in words."""
