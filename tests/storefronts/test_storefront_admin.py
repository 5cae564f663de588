"""Provider members edit their own storefront (and nobody else's) in the Wagtail admin, and their edits go
to a commissioner before the public sees them."""

from __future__ import annotations

from http import HTTPStatus

from wagtail.models import Page, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from cms.models import ProviderPage
from cms.storefronts import storefront_ensure
from tests.factories import CommissionerFactory, ProviderMembershipFactory


def _edit_data(page, story: str, action: str | None = "action-submit") -> dict:
    data = nested_form_data({
        "title": page.title,
        "story": rich_text(story),
        "gallery_images": inline_formset([]),
        "how_to_get_in_touch": "Phone after 4pm.",
        "search_description": page.search_description,
    })
    if action:
        data[action] = "Submit"
    return data


def _member_with_storefront(listed, slug):
    service = listed(title=f"{slug} service", provider__slug=slug)
    membership = ProviderMembershipFactory(provider=service.provider)
    return membership.user, storefront_ensure(provider=service.provider)


def test_member_can_open_own_edit_page_but_not_another_providers(client, listed):
    member, own = _member_with_storefront(listed, "own-shop")
    _, other = _member_with_storefront(listed, "other-shop")
    client.force_login(member)

    own_response = client.get(f"/admin/pages/{own.pk}/edit/")
    other_response = client.get(f"/admin/pages/{other.pk}/edit/")
    index_response = client.get(f"/admin/pages/{own.get_parent().pk}/edit/")

    assert own_response.status_code == HTTPStatus.OK
    for refused in (other_response, index_response):
        assert refused.status_code == HTTPStatus.FORBIDDEN
        assert "other-shop" not in refused.content.decode()
    for path in (f"/admin/pages/{other.pk}/", f"/admin/pages/{other.pk}/history/",
                 f"/admin/pages/{other.pk}/delete/", f"/admin/pages/{other.pk}/add_subpage/"):
        response = client.get(path)
        assert response.status_code == HTTPStatus.FORBIDDEN, path
        assert "other-shop service" not in response.content.decode()


def test_member_cannot_save_another_providers_page(client, listed):
    member, _ = _member_with_storefront(listed, "own-shop")
    _, other = _member_with_storefront(listed, "other-shop")
    client.force_login(member)
    revisions_before = other.revisions.count()

    response = client.post(f"/admin/pages/{other.pk}/edit/", _edit_data(other, "<p>Hijacked</p>", action=None))

    assert response.status_code == HTTPStatus.FORBIDDEN
    other.refresh_from_db()
    assert other.revisions.count() == revisions_before
    assert "Hijacked" not in other.story


def test_member_cannot_publish_and_an_edit_waits_for_a_commissioner(client, listed):
    member, page = _member_with_storefront(listed, "own-shop")
    client.force_login(member)

    # A member's "publish" is refused: they have no publish permission.
    client.post(f"/admin/pages/{page.pk}/edit/", _edit_data(page, "<p>Published directly</p>", "action-publish"))
    page.refresh_from_db()
    assert "Published directly" not in page.story

    response = client.post(f"/admin/pages/{page.pk}/edit/", _edit_data(page, "<p>Our new story</p>"))

    assert response.status_code == HTTPStatus.FOUND
    page.refresh_from_db()
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(page.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.current_task_state.task.name == "Commissioner review"
    assert "Our new story" not in page.story  # the public page is unchanged
    assert "Our new story" not in client.get("/providers/own-shop/").content.decode()

    # A commissioner approves: the edit is published.
    commissioner = CommissionerFactory()
    from django.contrib.auth.models import Group
    commissioner.groups.add(Group.objects.get(name="Commissioners"))
    state.current_task_state.task.specific.on_action(state.current_task_state, commissioner, "approve")
    page.refresh_from_db()
    assert "Our new story" in page.story
    assert "Our new story" in client.get("/providers/own-shop/").content.decode()


def test_member_explorer_shows_only_their_page(client, listed):
    member, page = _member_with_storefront(listed, "own-shop")
    _, other = _member_with_storefront(listed, "other-shop")
    client.force_login(member)

    response = client.get("/admin/pages/", follow=True)

    # The explorer opens at the member's own page: the only part of the tree they can reach.
    assert response.redirect_chain == [(f"/admin/pages/{page.pk}/", HTTPStatus.FOUND)]
    assert response.status_code == HTTPStatus.OK
    assert Page.objects.type(ProviderPage).count() == 2
    html = response.content.decode()
    assert page.title in html
    assert other.title not in html
    assert f"/admin/pages/{other.pk}/" not in html


def test_a_commissioner_still_reviews_a_storefront_edit_in_the_admin(client, verified_client, listed):
    """The 403 boundary is for provider members only: council staff keep Wagtail's own permission checks."""
    member, page = _member_with_storefront(listed, "own-shop")
    client.force_login(member)
    client.post(f"/admin/pages/{page.pk}/edit/", _edit_data(page, "<p>Our new story</p>"))
    commissioner = CommissionerFactory()
    from django.contrib.auth.models import Group
    commissioner.groups.add(Group.objects.get(name="Commissioners"))

    response = verified_client(commissioner).get(f"/admin/pages/{page.pk}/edit/")

    assert response.status_code == HTTPStatus.OK
