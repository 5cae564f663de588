from market.core.exceptions import DomainError


class FlagRefused(DomainError):
    """A quality flag cannot be moved that way."""
