"""Provider storefronts in Wagtail: creating them and keeping their editing permissions right.

`storefront_ensure(provider=...)` runs when a commissioner approves a provider (cms/wagtail_hooks.py registers it
under providers' PROVIDER_APPROVED_HOOK, so it runs inside the approval's transaction) and for the demo. It is
idempotent: calling it again returns the same page and re-syncs who may edit it. What a storefront *shows*
(services, prices, badges) is read in directory.selectors.

Permissions, per provider:
- the provider's editors group (providers.editors: exactly its members, with image rights in its own
  collection) is given `wagtailadmin.access_admin` and `change_page` on the provider's page only (no publish,
  no add, no delete);
- the "Storefront review" workflow on `/providers/` sends every submitted edit to the "Commissioners"
  group (a Wagtail GroupApprovalTask); commissioners hold change + publish on `/providers/`.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.html import escape
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from market.core.audit import audit_record
from providers.editors import editors_sync

from .models import HomePage, ProviderPage, ProvidersIndexPage

COMMISSIONERS_GROUP = "Commissioners"
WORKFLOW_NAME = "Storefront review"
TASK_NAME = "Commissioner review"
PROVIDERS_INDEX_SLUG = "providers"


def _access_admin() -> Permission:
    return Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin")


def _page_permission(codename: str) -> Permission:
    return Permission.objects.get(codename=codename, content_type__app_label="wagtailcore", content_type__model="page")


def providers_index_ensure() -> ProvidersIndexPage:
    """The `/providers/` page (made by a cms data migration; recreated here if an editor deleted it)."""
    index = ProvidersIndexPage.objects.first()
    if index is None:
        home = HomePage.objects.get()
        index = ProvidersIndexPage(
            title="Providers", slug=PROVIDERS_INDEX_SLUG,
            introduction="Local people and small groups offering care and support. "
            "Every one is checked by the council.",
        )
        home.add_child(instance=index)
        index.save_revision().publish()
    return index


def storefront_workflow_ensure(index: ProvidersIndexPage | None = None) -> Workflow:
    """The moderation workflow on `/providers/`, its commissioner task, and commissioners' page rights."""
    index = index or providers_index_ensure()
    commissioners, _ = Group.objects.get_or_create(name=COMMISSIONERS_GROUP)
    commissioners.permissions.add(_access_admin())
    for codename in ("change_page", "publish_page"):
        GroupPagePermission.objects.get_or_create(
            group=commissioners, page=index, permission=_page_permission(codename)
        )

    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME)
    task.groups.add(commissioners)

    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task.task_ptr, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=index, defaults={"workflow": workflow})
    return workflow


def storefront_editors_grant(*, provider, page: ProviderPage) -> Group:
    """The provider's editors group (providers.editors: its members, its images) may open the admin and change
    this page only. Idempotent."""
    group = editors_sync(provider)
    group.permissions.add(_access_admin())
    GroupPagePermission.objects.get_or_create(group=group, page=page, permission=_page_permission("change_page"))
    return group


def _initial_story(provider) -> str:
    paragraphs = [p.strip() for p in (provider.description or "").split("\n\n") if p.strip()]
    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs)


@transaction.atomic
def storefront_ensure(*, provider) -> ProviderPage:
    """Create (or return) the provider's storefront at `/providers/<provider.slug>/`, published, with the
    editing group and the moderation workflow in place. Idempotent."""
    index = providers_index_ensure()
    storefront_workflow_ensure(index)
    page = ProviderPage.objects.filter(provider=provider).first()
    if page is None:
        if Page.objects.child_of(index).filter(slug=provider.slug).exists():
            raise ValueError(f"A page at /providers/{provider.slug}/ already exists for another provider.")
        page = ProviderPage(
            title=provider.name,
            slug=provider.slug,
            provider=provider,
            story=_initial_story(provider),
            search_description=(provider.description or f"{provider.name}: care and support near you.")[:255],
        )
        index.add_child(instance=page)
        page.save_revision().publish()
        audit_record(
            action="storefront.created", target=page,
            summary=f"Storefront created for {provider.name}", data={"provider_id": provider.pk},
        )
    storefront_editors_grant(provider=provider, page=page)
    return page
