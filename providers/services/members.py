"""A provider's members: the owner adds and removes the people who work there (their Wagtail editors group follows)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from market.accounts.models import Role, User
from market.accounts.services import user_grant_roles
from market.core.audit import audit_record
from market.core.links import absolute_reverse
from market.outbox.services import outbox_enqueue

from ..editors import editors_sync
from ..exceptions import Refused
from ..models import MemberRole, Provider, ProviderMembership
from ._shared import _require_member


def member_add(*, provider: Provider, actor: User, email: str, full_name: str) -> ProviderMembership:
    """The owner adds a staff member. Someone new gets a login and an email with a link to set a password."""
    _require_member(provider, actor, owner=True)
    email = email.strip().lower()
    with transaction.atomic():
        Provider.objects.select_for_update().get(pk=provider.pk)
        user = User.objects.filter(email__iexact=email).first()
        created = user is None
        if created:
            if not full_name.strip():
                raise Refused("Enter their full name.", field="full_name")
            user = User.objects.create_user(
                email=email, password=None, full_name=full_name.strip(), roles=[Role.PROVIDER_MEMBER]
            )
        elif ProviderMembership.objects.filter(provider=provider, user=user).exists():
            raise Refused(f"{user} is already a member of {provider}.", field="email")
        elif not user.has_role(Role.PROVIDER_MEMBER):
            user_grant_roles(user=user, roles=[Role.PROVIDER_MEMBER], granted_by=actor)
        membership = ProviderMembership.objects.create(provider=provider, user=user, role=MemberRole.STAFF)
        audit_record(
            action="provider.member_added",
            actor=actor,
            target=provider,
            summary=f"{actor} added {user} to {provider}",
            data={"user_id": user.pk, "new_login": created},
        )
        editors_sync(provider)
        transaction.on_commit(lambda: _send_member_invite(provider=provider, user=user, new_login=created))
    return membership


def _send_member_invite(*, provider: Provider, user: User, new_login: bool) -> None:
    if new_login:
        link = absolute_reverse(
            "accounts:password-reset-confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        body = f"{provider} has added you to {settings.SITE_NAME}.\n\nChoose your password here to sign in:\n{link}\n"
    else:
        body = f"{provider} has added you to {settings.SITE_NAME}. Sign in with your usual account.\n"
    outbox_enqueue(to=[user.email], subject=f"You have been added to {provider}", body=body)


def member_remove(*, membership: ProviderMembership, actor: User) -> None:
    """The owner removes a member. The last owner cannot be removed."""
    provider = membership.provider
    _require_member(provider, actor, owner=True)
    with transaction.atomic():
        Provider.objects.select_for_update().get(pk=provider.pk)
        membership = ProviderMembership.objects.select_related("user").get(pk=membership.pk)
        if (
            membership.role == MemberRole.OWNER
            and not provider.memberships.filter(role=MemberRole.OWNER).exclude(pk=membership.pk).exists()
        ):
            raise Refused("You cannot remove the only owner.")
        user = membership.user
        membership.delete()
        audit_record(
            action="provider.member_removed",
            actor=actor,
            target=provider,
            summary=f"{actor} removed {user} from {provider}",
            data={"user_id": user.pk},
        )
        editors_sync(provider)
