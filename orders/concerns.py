"""Writes for commissioners handling concerns: take one on, then close it with the outcome.

Raising a concern is `orders.services.concern_raise`. The notes and outcome live in the audit trail, so the
history of a concern (who, when, why) is the append-only record itself.
"""

from __future__ import annotations

from django.db import transaction

from market.accounts.models import Role, User
from market.core.audit import audit_record

from .exceptions import OrderRefused
from .models import Concern, ConcernStatus

# What a commissioner may do with a concern in each status.
CONCERN_TRANSITIONS = {
    ConcernStatus.OPEN: {ConcernStatus.IN_HAND, ConcernStatus.CLOSED},
    ConcernStatus.IN_HAND: {ConcernStatus.CLOSED},
    ConcernStatus.CLOSED: set(),
}


def _concern_move(*, concern: Concern, by: User, to: ConcernStatus, note: str, action: str) -> Concern:
    note = (note or "").strip()
    if not by.has_role(Role.COMMISSIONER):
        raise OrderRefused("Only a commissioner can handle concerns.")
    if not note:
        raise OrderRefused("Say what you have done or decided.", field="note")
    with transaction.atomic():
        concern = Concern.objects.select_for_update().get(pk=concern.pk)
        if to not in CONCERN_TRANSITIONS[ConcernStatus(concern.status)]:
            raise OrderRefused(f"This concern is already {concern.get_status_display().lower()}.")
        concern.status = to
        concern.save(update_fields=["status"])
        audit_record(action=action, actor=by, target=concern, summary=note[:300],
                     data={"note": note[:4000], "status": to.value})
    return concern


def concern_take(*, concern: Concern, by: User, note: str) -> Concern:
    """A commissioner takes the concern on, saying what happens next (e.g. a section 42 enquiry started)."""
    return _concern_move(concern=concern, by=by, to=ConcernStatus.IN_HAND, note=note, action="concern.taken")


def concern_close(*, concern: Concern, by: User, note: str) -> Concern:
    """A commissioner closes the concern with its outcome."""
    return _concern_move(concern=concern, by=by, to=ConcernStatus.CLOSED, note=note, action="concern.closed")
