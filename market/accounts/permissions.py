"""Who may see or act for a budget holder. Every view that touches a person's data goes through here.

A person may be acted for by: themselves; a supporter, within an active consent's scopes; a coordinator
whose caseload includes them. Commissioners and platform admins may look (oversight) but not act.
Every look by council staff is written to the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.http import Http404

from market.core.audit import audit_record

from .models import ConsentScope, Person, Role, User


class Capacity(StrEnum):
    SELF = "self"
    SUPPORTER = "supporter"
    COORDINATOR = "coordinator"
    OVERSIGHT = "oversight"


@dataclass(frozen=True)
class Acting:
    """Who is doing something, for whom, and in what capacity. Services record it as given."""

    user: User
    person: Person
    capacity: Capacity

    @property
    def on_behalf(self) -> bool:
        return self.capacity is not Capacity.SELF


def capacity_for(user: User, person: Person, scope: ConsentScope) -> Capacity | None:
    """The capacity in which `user` may do `scope` for `person`, or None if they may not."""
    if not user.is_authenticated or not user.is_active:
        return None
    if person.user_id is not None and person.user_id == user.pk:
        return Capacity.SELF
    if user.has_role(Role.COORDINATOR) and person.caseload_assignments.filter(coordinator=user).exists():
        return Capacity.COORDINATOR
    consent = person.consents.active().filter(supporter=user).first()
    if consent is not None and scope in consent.scopes:
        return Capacity.SUPPORTER
    if scope == ConsentScope.VIEW and (user.has_role(Role.COMMISSIONER) or user.has_role(Role.PLATFORM_ADMIN)):
        return Capacity.OVERSIGHT
    return None


def person_access(user: User, person: Person, scope: ConsentScope, *, request=None) -> Acting:
    """Check access and log staff views. Someone with no relationship at all gets a 404, so that the
    existence of a record is not revealed; a supporter whose consent lacks the scope gets a 403."""
    capacity = capacity_for(user, person, scope)
    if capacity is None:
        has_relationship = person.consents.active().filter(supporter=user).exists() if user.is_authenticated else False
        if has_relationship:
            raise PermissionDenied("Your consent from this person does not cover that.")
        raise Http404("No such person.")
    if scope == ConsentScope.VIEW and user.is_council_staff:
        audit_record(
            action="person.record_viewed",
            actor=user,
            on_behalf_of=person,
            target=person,
            summary=f"{user} opened the record of {person} ({capacity})",
            data={"path": request.path if request is not None else "", "capacity": str(capacity)},
        )
    return Acting(user=user, person=person, capacity=capacity)


def require_role(user: User, *roles: Role) -> None:
    if not user.is_authenticated or not any(user.has_role(role) for role in roles):
        raise PermissionDenied("You do not have access to this page.")
