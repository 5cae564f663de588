from market.core.exceptions import DomainError


class ConsentRefused(DomainError):
    """A consent could not be granted, used or revoked."""
