"""Who may do what with a provider. Views call these first; services check membership again."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from market.accounts.models import Role
from market.accounts.permissions import require_role

from .models import MemberRole, Provider, ProviderCheck, ProviderMembership
from .page_selectors import is_member, member_provider

COMMISSIONER_ROLES = (Role.COMMISSIONER, Role.PLATFORM_ADMIN)


def is_commissioner(user) -> bool:
    return user.is_authenticated and any(user.has_role(role) for role in COMMISSIONER_ROLES)


def require_commissioner(user) -> None:
    require_role(user, *COMMISSIONER_ROLES)


def provider_for_member(user, slug: str, *, owner: bool = False) -> tuple[Provider, ProviderMembership]:
    """The provider `slug` if `user` is one of its members, else 404 (so that another provider's pages do not
    even reveal what exists). `owner=True` also needs the owner role (403 for staff)."""
    membership = member_provider(user, slug)
    if membership is None:
        raise Http404("No such provider.")
    if owner and membership.role != MemberRole.OWNER:
        raise PermissionDenied("Only the owner can do that.")
    return membership.provider, membership


def may_open_check_file(user, check: ProviderCheck) -> bool:
    """Check evidence is private: the provider's own members and commissioners only."""
    if not user.is_authenticated or not user.is_active:
        return False
    if is_commissioner(user):
        return True
    return is_member(user, check.provider_id)
