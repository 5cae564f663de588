"""The one table of allowed order transitions, and the one function that checks it.

Sides: who may make a move. A person acting for the holder (themselves, a supporter with consent, or
their coordinator) is on the HOLDER side; a coordinator is also on the COORDINATOR side; members of
the order's provider are the PROVIDER side; SYSTEM moves follow from something else happening (the
first visit delivered, the last visit settled).
"""

from __future__ import annotations

from enum import StrEnum

from .exceptions import IllegalTransition
from .models import OrderStatus as S


class Side(StrEnum):
    HOLDER = "holder"
    PROVIDER = "provider"
    COORDINATOR = "coordinator"
    SYSTEM = "system"


H, P, C, Y = Side.HOLDER, Side.PROVIDER, Side.COORDINATOR, Side.SYSTEM

TRANSITIONS: dict[tuple[str, str], frozenset[Side]] = {
    (S.PLACED, S.ACCEPTED): frozenset({P}),
    (S.PLACED, S.DECLINED): frozenset({P}),
    (S.PLACED, S.CHANGES_PROPOSED): frozenset({P}),
    (S.PLACED, S.CANCELLED): frozenset({H, C}),
    (S.CHANGES_PROPOSED, S.ACCEPTED): frozenset({H}),  # the holder's side accepts the proposal
    (S.CHANGES_PROPOSED, S.CANCELLED): frozenset({H, P, C}),  # rejected, or withdrawn
    (S.ACCEPTED, S.ACTIVE): frozenset({Y}),
    (S.ACCEPTED, S.COMPLETED): frozenset({Y}),  # a block of hours whose end date passed unused
    (S.ACCEPTED, S.CANCELLED): frozenset({H, P, C}),
    (S.ACTIVE, S.COMPLETED): frozenset({Y}),
    (S.ACTIVE, S.CANCELLED): frozenset({H, P, C}),
    (S.ACTIVE, S.DISPUTED): frozenset({H}),
    (S.DISPUTED, S.ACTIVE): frozenset({C}),  # the coordinator settled it; more visits to come
    (S.DISPUTED, S.COMPLETED): frozenset({C}),
    (S.DISPUTED, S.CANCELLED): frozenset({C}),
}

_VERBS = {
    S.ACCEPTED: "accepted", S.DECLINED: "declined", S.CHANGES_PROPOSED: "changed", S.CANCELLED: "cancelled",
    S.ACTIVE: "started", S.COMPLETED: "completed", S.DISPUTED: "disputed", S.PLACED: "placed",
}


def transition_check(*, current: str, target: str, sides: frozenset[Side] | set[Side]) -> None:
    """Raise IllegalTransition, with a message a person can read, unless `sides` may move current -> target."""
    allowed = TRANSITIONS.get((current, target))
    label = S(current).label.lower()
    if allowed is None:
        raise IllegalTransition(f"This order cannot be {_VERBS[S(target)]} now: it is {label}.")
    if not allowed & set(sides):
        raise IllegalTransition(f"You cannot make this order {_VERBS[S(target)]} (it is {label}).")


def allowed_targets(*, current: str, sides) -> list[str]:
    return [target for (source, target), who in TRANSITIONS.items() if source == current and who & set(sides)]
