"""storefront_ensure: the page, its URL, its editors group and the moderation workflow."""

from __future__ import annotations

from django.contrib.auth.models import Group
from wagtail.models import GroupPagePermission, WorkflowPage

from cms.models import ProviderPage, ProvidersIndexPage
from cms.storefronts import storefront_ensure
from market.core.models import AuditEvent
from tests.factories import ProviderFactory, ProviderMembershipFactory


def test_creates_published_page_under_providers_index(db):
    provider = ProviderFactory(slug="daves-gardening", name="Dave's Gardening", status="approved")

    page = storefront_ensure(provider=provider)

    assert page.live is True
    assert page.url_path == "/home/providers/daves-gardening/"
    assert page.get_parent().specific.__class__ is ProvidersIndexPage
    assert page.title == "Dave's Gardening"
    assert AuditEvent.objects.filter(action="storefront.created", object_id=str(page.pk)).count() == 1


def test_is_idempotent(db):
    provider = ProviderFactory(status="approved")

    first = storefront_ensure(provider=provider)
    second = storefront_ensure(provider=provider)

    assert first.pk == second.pk
    assert ProviderPage.objects.filter(provider=provider).count() == 1
    assert AuditEvent.objects.filter(action="storefront.created").count() == 1


def test_members_get_edit_but_not_publish_on_their_page_only(db):
    membership = ProviderMembershipFactory(provider__status="approved")
    other = storefront_ensure(provider=ProviderFactory(status="approved"))

    page = storefront_ensure(provider=membership.provider)

    group = Group.objects.get(name=f"Storefront editors: {membership.provider.slug}")
    assert list(group.user_set.all()) == [membership.user]
    assert sorted(
        (p.page_id, p.permission.codename) for p in GroupPagePermission.objects.filter(group=group)
    ) == [(page.pk, "change_page")]
    perms = page.permissions_for_user(membership.user)
    assert perms.can_edit() is True
    assert perms.can_publish() is False
    assert other.permissions_for_user(membership.user).can_edit() is False
    assert membership.user.has_perm("wagtailadmin.access_admin") is True


def test_workflow_on_index_goes_to_commissioners(db):
    page = storefront_ensure(provider=ProviderFactory(status="approved"))

    workflow = WorkflowPage.objects.get(page=page.get_parent()).workflow
    assert workflow.name == "Storefront review"
    task = workflow.tasks.get().specific
    assert [g.name for g in task.groups.all()] == ["Commissioners"]
    assert page.get_workflow().pk == workflow.pk


def test_providers_index_page_links_to_the_search(client, db):
    storefront_ensure(provider=ProviderFactory(status="approved"))

    response = client.get("/providers/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Providers</h1>" in html
    assert 'href="/find-support/"' in html
