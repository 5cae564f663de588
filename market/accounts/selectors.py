"""Reads about people and access."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from market.core.models import AuditEvent

from .models import Consent, Person, Role, User


def user_has_second_factor(*, user: User) -> bool:
    """Whether the user has a confirmed authenticator app."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def active_user_by_email(*, email: str) -> User | None:
    return User.objects.filter(email__iexact=email, is_active=True).first()


def person_record(*, person_id: int) -> Person | None:
    """A person's record with what its page shows (neighbourhood, login), or None."""
    return Person.objects.select_related("neighbourhood", "user").filter(pk=person_id).first()


def person_consent(*, person: Person, consent_id: int) -> Consent | None:
    """One of the consents the person gave, or None."""
    return Consent.objects.filter(pk=consent_id, holder=person).first()


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


def person_export(*, person: Person) -> dict:
    """Everything held about a person, for their right of access (UK GDPR article 15)."""
    return {
        "person": {
            "full_name": person.full_name,
            "preferred_name": person.preferred_name,
            "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
            "postcode": person.postcode,
            "neighbourhood": str(person.neighbourhood) if person.neighbourhood else None,
            "funding_route": person.get_funding_route_display(),
            "what_matters": person.what_matters,
            "communication_needs": person.communication_needs,
            "email": person.user.email if person.user else None,
        },
        "consents": [
            {
                "supporter": str(consent.supporter),
                "relationship": consent.relationship,
                "scopes": consent.scope_labels,
                "granted_by": str(consent.granted_by),
                "granted_at": consent.granted_at.isoformat(),
                "expires_at": consent.expires_at.isoformat() if consent.expires_at else None,
                "revoked_at": consent.revoked_at.isoformat() if consent.revoked_at else None,
            }
            for consent in consents_for_person(person=person)
        ],
        "coordinators": [str(user) for user in person.coordinators.all()],
        "activity": [
            {"at": event.at.isoformat(), "action": event.action, "by": str(event.actor or "system"),
             "summary": event.summary}
            for event in AuditEvent.objects.filter(on_behalf_of=person).select_related("actor").order_by("at")
        ],
    }
