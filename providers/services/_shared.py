"""Helpers the provider services share: who may act, validation as a readable refusal, money as text, and
telling a provider by email after the transaction commits. Private to `providers.services`."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError

from market.accounts.models import Role, User
from market.core.links import absolute_reverse
from market.outbox.services import outbox_enqueue

from ..exceptions import NotAllowed, Refused
from ..models import MemberRole, Provider, ProviderMembership


def _money(pence: int) -> str:
    return f"£{pence // 100:,}.{pence % 100:02d}"


def _require_member(provider: Provider, actor: User, *, owner: bool = False) -> ProviderMembership:
    membership = ProviderMembership.objects.filter(provider=provider, user=actor).first() if actor else None
    if membership is None:
        raise NotAllowed("You are not a member of this provider.")
    if owner and membership.role != MemberRole.OWNER:
        raise NotAllowed("Only the owner can do that.")
    return membership


def _is_commissioner(actor: User | None) -> bool:
    return actor is not None and (actor.has_role(Role.COMMISSIONER) or actor.has_role(Role.PLATFORM_ADMIN))


def _require_commissioner(actor: User) -> None:
    if not _is_commissioner(actor):
        raise NotAllowed("Only a commissioner can do that.")


def _full_clean(instance, *, exclude: Iterable[str] = ()) -> None:
    """full_clean(), turning the first error into a Refused about that field."""
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise Refused(" ".join(messages), field=None if field == "__all__" else field) from error


def _tell_provider(provider: Provider, subject: str, body: str, *, key: str | None = None) -> None:
    """Email the provider's contact address and owners through the outbox, in the decision's transaction
    (a mail outage delays the email, never undoes the decision: the dashboard shows the same news)."""
    recipients = sorted(
        {provider.email, *provider.memberships.filter(role=MemberRole.OWNER).values_list("user__email", flat=True)}
        - {""}
    )
    link = absolute_reverse("providers:dashboard", kwargs={"slug": provider.slug})
    text = f"{body}\n\nSee your provider page: {link}\n"
    outbox_enqueue(to=recipients, subject=subject, body=text, key=key)


def _tell_commissioners(subject: str, body: str, *, link: str, key: str | None = None) -> None:
    """Email every active commissioner through the outbox, in the caller's transaction, with a link to the item."""
    commissioners = User.objects.filter(roles__contains=[Role.COMMISSIONER], is_active=True)
    outbox_enqueue(to=commissioners.values_list("email", flat=True), subject=subject, body=f"{body}\n\n{link}\n",
                   key=key)
