"""Domain errors for providers, each with a message a person can read (and the form field it is about)."""

from market.core.exceptions import DomainError


class Refused(DomainError):
    """An action this area refuses."""


class NotAllowed(Refused):
    """The person is not allowed to do this for this provider."""


class IllegalTransition(Refused):
    """A status change that the transition table does not allow."""


class UploadRefused(Refused):
    """Check evidence that cannot be accepted (wrong kind of file, too large, expired...)."""


class ListingRefused(Refused):
    """A service change that cannot be made (for example regulated care without a CQC registration)."""
