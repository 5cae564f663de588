"""The owner adds and removes staff, who have their own logins."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.core import mail
from django.urls import reverse

from market.accounts.models import Role, User
from market.core.models import AuditEvent
from providers import services
from providers.exceptions import Refused
from providers.models import MemberRole, ProviderMembership
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_owner_adds_someone_new_who_gets_a_link_to_choose_a_password(
    client, provider, owner, django_capture_on_commit_callbacks, send_outbox):
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("providers:members", kwargs={"slug": provider.slug}),
            {"full_name": "Sam Green", "email": "Sam@Example.org"},
        )

    assert response.status_code == HTTPStatus.FOUND
    user = User.objects.get(email="sam@example.org")
    assert (user.full_name, user.roles, user.has_usable_password()) == ("Sam Green", [Role.PROVIDER_MEMBER], False)
    assert ProviderMembership.objects.get(user=user).role == MemberRole.STAFF
    assert send_outbox().sent >= 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sam@example.org"]
    assert "/account/password-reset/" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="provider.member_added", actor=owner).count() == 1


def test_adding_an_existing_member_again_is_refused_beside_the_field(client, provider, owner, staff):
    client.force_login(owner)

    response = client.post(
        reverse("providers:members", kwargs={"slug": provider.slug}), {"full_name": "Again", "email": staff.email}
    )

    assert response.context["form"].errors["email"] == [f"{staff} is already a member of {provider}."]
    assert provider.memberships.count() == 2


def test_the_owner_removes_a_member_who_then_loses_access(client, provider, owner, staff):
    membership = ProviderMembership.objects.get(user=staff)
    client.force_login(owner)

    client.post(reverse("providers:member-remove", kwargs={"slug": provider.slug, "membership_id": membership.pk}))

    assert not ProviderMembership.objects.filter(pk=membership.pk).exists()
    client.force_login(staff)
    assert client.get(reverse("providers:dashboard", kwargs={"slug": provider.slug})).status_code == 404


def test_the_only_owner_cannot_be_removed(provider, owner):
    with pytest.raises(Refused, match=r"You cannot remove the only owner\."):
        services.member_remove(membership=ProviderMembership.objects.get(user=owner), actor=owner)

    assert provider.memberships.filter(user=owner).exists()


def test_an_existing_user_is_added_with_their_own_login(provider, owner):
    neighbour = UserFactory(roles=[Role.SUPPORTER])

    services.member_add(provider=provider, actor=owner, email=neighbour.email, full_name="")

    neighbour.refresh_from_db()
    assert neighbour.roles == [Role.SUPPORTER, Role.PROVIDER_MEMBER]
    assert provider.memberships.filter(user=neighbour, role=MemberRole.STAFF).exists()
