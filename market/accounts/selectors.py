"""Reads about people and access."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from market.core.models import AuditEvent

from .models import Consent, Person, Role, User


def people_for_user(*, user: User) -> QuerySet[Person]:
    """The people this user may act for or support: themselves, their consents, their caseload."""
    if not user.is_authenticated:
        return Person.objects.none()
    condition = Q(user=user) | Q(pk__in=Consent.objects.active().filter(supporter=user).values("holder"))
    if user.has_role(Role.COORDINATOR):
        condition |= Q(caseload_assignments__coordinator=user)
    return Person.objects.filter(condition).distinct().select_related("neighbourhood")


def consents_for_person(*, person: Person) -> QuerySet[Consent]:
    return person.consents.select_related("supporter", "granted_by", "revoked_by").order_by("-granted_at")


def record_views_for_person(*, person: Person) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(action="person.record_viewed", on_behalf_of=person).select_related("actor")
