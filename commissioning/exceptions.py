from market.core.exceptions import DomainError


class CommissioningRefused(DomainError):
    """A commissioner's change that cannot be made, with a message for her."""
