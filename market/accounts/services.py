"""Writes about people and access: roles, consents, the second factor, data exports. Each one audits itself in its
own transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django_otp import match_token
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from market.core.audit import audit_record

from . import selectors
from .exceptions import ConsentRefused
from .models import Consent, ConsentScope, Person, Role, User

#: The Django group whose permissions commissioners have (market/taxonomy/migrations/0002_commissioners_group.py).
COMMISSIONERS_GROUP = "Commissioners"


def user_grant_roles(*, user: User, roles: Iterable[Role], granted_by: User | None = None) -> User:
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        new = [role for role in roles if role not in user.roles]
        if new:
            user.roles = [*user.roles, *new]
            user.save(update_fields=["roles"])
            if Role.COMMISSIONER in new:  # the admin, and the kinds of support, needs and neighbourhoods to edit
                user.groups.add(Group.objects.get_or_create(name=COMMISSIONERS_GROUP)[0])
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


def second_factor_device_prepare(*, user: User) -> TOTPDevice:
    """The authenticator app a user is setting up: one unconfirmed TOTP device, kept until they confirm it."""
    with transaction.atomic():
        device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=False, defaults={"name": "Authenticator app"})
    return device


def second_factor_device_confirm(*, device: TOTPDevice, token: str) -> bool:
    """Confirm the device being set up if `token` is its current code (False if it is not)."""
    with transaction.atomic():
        if not device.verify_token(token):
            return False
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(
            action="user.second_factor_set_up",
            actor=device.user,
            target=device.user,
            summary=f"{device.user} set up an authenticator app",
        )
    return True


def second_factor_match(*, user: User, token: str) -> Device | None:
    """The user's confirmed device whose current code is `token`, or None. django-otp records each try on the
    device (it slows down repeated wrong codes)."""
    with transaction.atomic():
        return match_token(user, token)


def person_data_export(*, person: Person, exported_by: User) -> dict:
    """Everything held about a person (their right of access), recorded in the audit trail as theirs."""
    with transaction.atomic():
        audit_record(
            action="person.data_exported",
            actor=exported_by,
            on_behalf_of=person,
            target=person,
            summary=f"{exported_by} exported the data of {person}",
        )
        return selectors.person_export(person=person)
