"""UK postcode validation and normalisation.

Follows the format rules in the ONS/Royal Mail postcode specification: an outward code (area letters,
district digit(s), optional letter) and an inward code (a digit and two letters from a restricted set).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

_OUTWARD = r"(?:[A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?|[A-PR-UWYZ][0-9][A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])"  # noqa: E501
_INWARD = r"[0-9][ABD-HJLNP-UW-Z]{2}"
_FULL = re.compile(rf"^({_OUTWARD})({_INWARD})$")
_DISTRICT = re.compile(rf"^{_OUTWARD}$")

INVALID_MESSAGE = "Enter a real UK postcode, like WN1 2AB."


def _squash(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def normalise_postcode(value: str) -> str:
    """'wn12ab ' -> 'WN1 2AB'. Raises ValidationError with a plain message if it is not a postcode."""
    match = _FULL.match(_squash(value))
    if not match:
        raise ValidationError(INVALID_MESSAGE, code="invalid_postcode")
    return f"{match.group(1)} {match.group(2)}"


def normalise_postcode_or_district(value: str) -> str:
    """Accept a full postcode or only its first half ('WN1'), as people often type when searching."""
    squashed = _squash(value)
    if _DISTRICT.match(squashed):
        return squashed
    return normalise_postcode(squashed)


def district_of(postcode: str) -> str:
    return normalise_postcode_or_district(postcode).split(" ")[0]


def validate_postcode(value: str) -> None:
    normalise_postcode(value)
