"""Stable UUIDs for what the feed publishes, derived from our own ids and read back without a table.

Open Referral wants every record to have a UUID that never changes. Each kind of record (service, organization,
taxonomy term...) has its own fixed 64-bit prefix (from uuid5 of the kind's name); the lower bits carry our
primary key. The result is an RFC 9562 version 8 ("custom") UUID: the same row always gets the same id, two kinds
never share one, and a request's id is turned back into (kind, pk) by arithmetic, so a lookup is one indexed query.
"""

from __future__ import annotations

import uuid

NAMESPACE = uuid.UUID("6f1d7a52-5c1e-4d0e-9a8b-7c2f1e0b4a31")
KINDS = (
    "service", "organization", "service_at_location", "location", "taxonomy", "category", "need", "schedule",
    "service_area", "cost_option", "language", "contact", "phone", "attribute",
)
_VERSION_VARIANT = (0x8 << 76) | (0b10 << 62)
_PK_BITS = 62
_PK_MASK = (1 << _PK_BITS) - 1
# Bits kept from the kind's hash: all of the top 64 but the 4 version bits (76..79 of the whole UUID).
_PREFIX_MASK = ((1 << 64) - 1) << 64 & ~(0xF << 76)


def _prefix(kind: str) -> int:
    return uuid.uuid5(NAMESPACE, kind).int & _PREFIX_MASK


_PREFIXES = {kind: _prefix(kind) for kind in KINDS}
_KIND_OF_PREFIX = {prefix: kind for kind, prefix in _PREFIXES.items()}


def oruk_id(kind: str, pk: int) -> str:
    """The UUID of row `pk` of `kind` (a key of KINDS), as a string."""
    if not 0 <= pk <= _PK_MASK:
        raise ValueError(f"{pk} does not fit a feed id")
    return str(uuid.UUID(int=_PREFIXES[kind] | _VERSION_VARIANT | pk))


def pk_from_id(kind: str, value: str) -> int | None:
    """Our primary key for a feed id of `kind`, or None when `value` is not one (malformed, or another kind's)."""
    try:
        number = uuid.UUID(value).int
    except (ValueError, TypeError, AttributeError):
        return None
    if number & _PREFIX_MASK != _PREFIXES[kind] or number & (0xF << 76 | 0b11 << 62) != _VERSION_VARIANT:
        return None
    return number & _PK_MASK


def kind_of(value: str) -> tuple[str, int] | None:
    """(kind, pk) of any feed id, or None."""
    try:
        number = uuid.UUID(value).int
    except (ValueError, TypeError, AttributeError):
        return None
    kind = _KIND_OF_PREFIX.get(number & _PREFIX_MASK)
    if kind is None or number & (0xF << 76 | 0b11 << 62) != _VERSION_VARIANT:
        return None
    return kind, number & _PK_MASK
