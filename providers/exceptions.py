"""Domain errors for this area, each with a message a person can read."""

from market.core.exceptions import DomainError


class Refused(DomainError):
    """An action this area refuses."""
