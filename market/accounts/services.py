"""Writes about people and access: roles, consents. Each one audits itself in its own transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from market.core.audit import audit_record

from .exceptions import ConsentRefused
from .models import Consent, ConsentScope, Person, Role, User


def user_grant_roles(*, user: User, roles: Iterable[Role], granted_by: User | None = None) -> User:
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        new = [role for role in roles if role not in user.roles]
        if new:
            user.roles = [*user.roles, *new]
            user.save(update_fields=["roles"])
            audit_record(action="user.roles_granted", actor=granted_by, target=user, data={"roles": new})
    return user


def _may_grant_for(granted_by: User, holder: Person) -> bool:
    if holder.user_id is not None and holder.user_id == granted_by.pk:
        return True
    return granted_by.has_role(Role.COORDINATOR) and holder.caseload_assignments.filter(
        coordinator=granted_by
    ).exists()


def consent_grant(
    *,
    holder: Person,
    supporter: User,
    scopes: Iterable[ConsentScope],
    relationship: str,
    granted_by: User,
    expires_at: datetime | None = None,
) -> Consent:
    """Let `supporter` act for `holder` within `scopes`. Only the holder or their coordinator may grant it."""
    scopes = sorted({ConsentScope(scope) for scope in scopes})
    if not scopes:
        raise ConsentRefused("Choose at least one thing the supporter may do.", field="scopes")
    if not _may_grant_for(granted_by, holder):
        raise ConsentRefused("Only the person, or a coordinator working with them, can give consent.")
    if supporter.pk == holder.user_id:
        raise ConsentRefused("A person does not need consent to act for themselves.", field="supporter")
    if expires_at is not None and expires_at <= timezone.now():
        raise ConsentRefused("The end date must be in the future.", field="expires_at")
    with transaction.atomic():
        Person.objects.select_for_update().get(pk=holder.pk)
        if holder.consents.filter(supporter=supporter, revoked_at__isnull=True).exists():
            raise ConsentRefused(f"{supporter} already has a consent for {holder}. Revoke it first to change it.")
        consent = Consent(
            holder=holder,
            supporter=supporter,
            scopes=[str(s) for s in scopes],
            relationship=relationship.strip(),
            granted_by=granted_by,
            expires_at=expires_at,
        )
        consent.full_clean()
        consent.save()
        if not supporter.has_role(Role.SUPPORTER):
            user_grant_roles(user=supporter, roles=[Role.SUPPORTER], granted_by=granted_by)
        audit_record(
            action="consent.granted",
            actor=granted_by,
            on_behalf_of=holder,
            target=consent,
            summary=f"{granted_by} let {supporter} act for {holder}: {', '.join(consent.scopes)}",
            data={"scopes": consent.scopes, "expires_at": expires_at.isoformat() if expires_at else None},
        )
    return consent


def consent_revoke(*, consent: Consent, revoked_by: User, reason: str = "") -> Consent:
    """End a consent at once. The holder, their coordinator, or the supporter themselves may do it."""
    with transaction.atomic():
        consent = Consent.objects.select_for_update().select_related("holder").get(pk=consent.pk)
        if consent.revoked_at is not None:
            raise ConsentRefused("This consent has already been revoked.")
        if not (_may_grant_for(revoked_by, consent.holder) or revoked_by.pk == consent.supporter_id):
            raise ConsentRefused("You cannot revoke this consent.")
        consent.revoked_at = timezone.now()
        consent.revoked_by = revoked_by
        consent.revoked_reason = reason.strip()[:300]
        consent.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
        audit_record(
            action="consent.revoked",
            actor=revoked_by,
            on_behalf_of=consent.holder,
            target=consent,
            summary=f"{revoked_by} revoked {consent.supporter}'s consent for {consent.holder}",
            data={"reason": consent.revoked_reason},
        )
    return consent
