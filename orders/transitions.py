"""The tables of allowed order and visit transitions, and the one function that checks each.

Sides: who may make a move. A person acting for the holder (themselves, a supporter with consent, or
their coordinator) is on the HOLDER side; a coordinator is also on the COORDINATOR side; members of
the order's provider are the PROVIDER side; SYSTEM moves follow from something else happening (the
first visit delivered, the last visit settled, a visit nobody answered in time).

Every move that passes is written as one transition row (OrderTransition, VisitTransition) by
`orders.services` through the SQL functions in orders/sql/transitions.sql.
"""

from __future__ import annotations

from enum import StrEnum

from .exceptions import IllegalTransition, IllegalVisitTransition
from .models import OrderStatus as S
from .models import VisitStatus as V


class Side(StrEnum):
    HOLDER = "holder"
    PROVIDER = "provider"
    COORDINATOR = "coordinator"
    SYSTEM = "system"


H, P, C, Y = Side.HOLDER, Side.PROVIDER, Side.COORDINATOR, Side.SYSTEM

# ---------------------------------------------------------------------------------------------------------
# Orders
# ---------------------------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------------------------
# Visits
# ---------------------------------------------------------------------------------------------------------

#: A visit's moves. "" is a visit that does not exist yet: booking one is a move too, recorded like the others.
VISIT_TRANSITIONS: dict[tuple[str, str], frozenset[Side]] = {
    ("", V.SCHEDULED): frozenset({Y}),  # booked when its order is accepted (or a proposed change is)
    ("", V.DELIVERED): frozenset({P}),  # time used from a block of hours, recorded by the provider
    (V.SCHEDULED, V.DELIVERED): frozenset({P}),  # the provider records that it happened
    (V.SCHEDULED, V.CANCELLED): frozenset({H, P, C, Y}),  # its order cancelled; or never recorded (system)
    (V.DELIVERED, V.CONFIRMED): frozenset({H, Y}),  # the holder's side; or nobody answered in time (system)
    (V.DELIVERED, V.DISPUTED): frozenset({H}),
    (V.DISPUTED, V.CONFIRMED): frozenset({C}),  # the coordinator settles it: paid
    (V.DISPUTED, V.NOT_PAID): frozenset({C}),  # the coordinator settles it: not paid
}

_VISIT_VERBS = {
    V.SCHEDULED: "booked", V.DELIVERED: "recorded", V.CONFIRMED: "confirmed", V.DISPUTED: "disputed",
    V.NOT_PAID: "settled", V.CANCELLED: "cancelled",
}


def visit_transition_check(*, current: str, target: str, sides: frozenset[Side] | set[Side],
                           doing: str | None = None) -> None:
    """Raise IllegalVisitTransition (a VisitRefused), with a message a person can read, unless `sides` may move a
    visit from current to target. `doing` names the action when the target alone does not ("settled")."""
    allowed = VISIT_TRANSITIONS.get((current, target))
    verb = doing or _VISIT_VERBS[V(target)]
    label = V(current).label.lower() if current else "not booked"
    if allowed is None:
        raise IllegalVisitTransition(f"This visit cannot be {verb}: it is {label}.")
    if not allowed & set(sides):
        raise IllegalVisitTransition(f"You cannot make this visit {verb} (it is {label}).")


def visit_allowed_targets(*, current: str, sides) -> list[str]:
    return [target for (source, target), who in VISIT_TRANSITIONS.items() if source == current and who & set(sides)]
