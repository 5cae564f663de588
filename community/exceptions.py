"""Refusals of the community area, each with a message a person can read (and the form field it is about)."""

from market.core.exceptions import DomainError


class CommunityRefused(DomainError):
    """A community action was refused; nothing was changed."""


class CreditsRefused(CommunityRefused):
    """A credits action was refused (not enough credits, a contribution already confirmed...); nothing changed."""
