"""Issue 15: council editors feature a community group's listing (shown first, marked "Featured by the council",
on the community and home pages), hide one from those pages with a reason, and order a short "Picked by the
council" collection, in the Wagtail admin, as the Commissioners group's permissions allow."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from curation.models import MAX_PICKS, CouncilPick, ListingCuration
from curation.selectors import community_listings, council_picks
from market.accounts.models import Role
from market.accounts.services import user_grant_roles
from market.core.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

COMMUNITY = "/community/activities/"
CURATE = "/admin/snippets/curation/listingcuration/"
PICKS = "/admin/snippets/curation/councilpick/"


@pytest.fixture
def three(activity):
    return {title: activity(title=title) for title in ("Art club", "Lunch club", "Walking group")}


@pytest.fixture
def editor(verified_client):
    return verified_client(user_grant_roles(user=UserFactory(), roles=[Role.COMMISSIONER]))


def _order(body: str, titles) -> list[str]:
    return sorted((title for title in titles if title in body), key=body.index)


def test_a_featured_listing_is_shown_first_and_marked_and_a_hidden_one_not_at_all(client, three, home_service):
    ListingCuration.objects.create(service=three["Walking group"], featured=True)
    ListingCuration.objects.create(service=three["Art club"], hidden=True, hidden_reason="The club has closed.")

    response = client.get(COMMUNITY)

    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    body = body[body.index('id="all-heading"'):]
    assert _order(body, [*three, "Companionship at home"]) == ["Walking group", "Lunch club"]  # paid care is not here
    assert body.count("Featured by the council") == 1
    walking = body.index("Walking group")
    assert body.index("Featured by the council") - walking < 400  # on its own card
    assert "The club has closed." not in body
    # The one rule: the selector's order is the page's order.
    assert [service.title for service in community_listings()] == ["Walking group", "Lunch club"]


def test_the_council_picks_keep_the_editors_order_with_their_notes_on_the_community_and_home_pages(client, three):
    CouncilPick.objects.create(service=three["Lunch club"], note="Hot lunch for £0 on Fridays.", sort_order=1)
    CouncilPick.objects.create(service=three["Art club"], sort_order=0)
    ListingCuration.objects.create(service=three["Walking group"], featured=True)

    assert [service.title for service in council_picks()] == ["Art club", "Lunch club"]
    community = client.get(COMMUNITY).content.decode()
    picks = community[community.index("Picked by the council"):community.index("All groups and activities")]
    assert _order(picks, three) == ["Art club", "Lunch club"]
    assert "<strong>Why the council picked it:</strong> Hot lunch for £0 on Fridays." in picks

    home = client.get("/").content.decode()
    section = home[home.index('id="community-heading"'):]
    assert _order(section, three) == ["Art club", "Lunch club", "Walking group"]  # picks, then featured
    assert "Also featured by the council" in section and 'href="/community/activities/"' in section


def test_a_hidden_pick_is_not_shown_anywhere_and_the_home_page_says_nothing_without_curation(client, three):
    CouncilPick.objects.create(service=three["Art club"])
    assert 'id="community-heading"' in client.get("/").content.decode()
    ListingCuration.objects.create(service=three["Art club"], hidden=True, hidden_reason="Moved away.")

    assert council_picks() == []
    assert 'id="community-heading"' not in client.get("/").content.decode()


def test_a_commissioner_features_hides_and_picks_in_the_admin(editor, three):
    assert editor.get(CURATE).status_code == HTTPStatus.OK
    assert editor.get(PICKS).status_code == HTTPStatus.OK

    editor.post(f"{CURATE}add/", {"service": three["Lunch club"].pk, "featured": "on", "hidden_reason": ""})
    refused = editor.post(f"{CURATE}add/", {"service": three["Art club"].pk, "hidden": "on", "hidden_reason": " "})
    editor.post(f"{PICKS}add/", {"service": three["Walking group"].pk, "note": "Gentle, and on the flat."})

    assert list(ListingCuration.objects.values_list("service__title", "featured", "hidden")) == [
        ("Lunch club", True, False)]
    assert refused.status_code == HTTPStatus.OK  # the form again, the message beside the field
    assert "Say why it is hidden from the community pages." in refused.content.decode()
    assert list(CouncilPick.objects.values_list("service__title", "note")) == [
        ("Walking group", "Gentle, and on the flat.")]


def test_what_an_editor_adds_changes_and_deletes_is_in_the_projects_audit_trail(editor, three):
    editor.post(f"{CURATE}add/", {"service": three["Lunch club"].pk, "featured": "on", "hidden_reason": ""})
    curation = ListingCuration.objects.get()
    editor.post(f"{CURATE}edit/{curation.pk}/", {"service": three["Lunch club"].pk, "hidden": "on",
                                                 "hidden_reason": "The hall is being rebuilt."})
    refused = editor.post(f"{CURATE}edit/{curation.pk}/", {"service": three["Lunch club"].pk, "hidden": "on",
                                                           "hidden_reason": ""})
    editor.post(f"{PICKS}add/", {"service": three["Walking group"].pk, "note": ""})
    pick = CouncilPick.objects.get()
    editor.post(f"{PICKS}delete/{pick.pk}/")

    assert refused.status_code == HTTPStatus.OK and not CouncilPick.objects.exists()
    events = list(AuditEvent.objects.filter(action__startswith="curation.").order_by("pk")
                  .values_list("action", "object_id", "actor", "data"))
    editor_id = editor.session["_auth_user_id"]
    assert events == [
        ("curation.listingcuration.added", str(curation.pk), int(editor_id), {"fields": ["featured", "service"]}),
        ("curation.listingcuration.changed", str(curation.pk), int(editor_id),
         {"fields": ["featured", "hidden", "hidden_reason"]}),
        ("curation.councilpick.added", str(pick.pk), int(editor_id), {"fields": ["service"]}),
        ("curation.councilpick.deleted", str(pick.pk), int(editor_id), {}),
    ]  # the refused edit wrote nothing
    assert AuditEvent.objects.filter(action="curation.councilpick.deleted").get().summary == (
        "Pick of the council deleted in the admin: Walking group")


@pytest.mark.parametrize("roles", [[Role.BUDGET_HOLDER], [Role.COORDINATOR], [Role.PROVIDER_MEMBER], [Role.FINANCE]])
def test_nobody_else_may_curate(client, verified_client, three, roles):
    user = UserFactory(roles=roles, is_staff=Role.FINANCE in roles)
    signed_in = verified_client(user) if user.needs_second_factor else (client.force_login(user) or client)

    for path in (CURATE, f"{CURATE}add/", f"{PICKS}add/"):
        assert signed_in.get(path).status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)
    signed_in.post(f"{CURATE}add/", {"service": three["Lunch club"].pk, "featured": "on"})
    assert not ListingCuration.objects.exists()


def test_the_rules_hold_in_the_database_too(three):
    with pytest.raises(IntegrityError), transaction.atomic():
        ListingCuration.objects.create(service=three["Art club"], hidden=True, hidden_reason="")
    with pytest.raises(IntegrityError), transaction.atomic():
        ListingCuration.objects.create(service=three["Art club"], hidden=True, featured=True, hidden_reason="Shut")
    with pytest.raises(ValidationError) as refused:
        ListingCuration(service=three["Art club"], hidden=True, featured=True, hidden_reason="Shut").full_clean()
    assert refused.value.message_dict == {"featured": ["A hidden listing cannot be featured: untick one of them."]}


def test_the_picks_stay_short(activity):
    for n in range(MAX_PICKS):
        CouncilPick.objects.create(service=activity(title=f"Group {n}"))

    with pytest.raises(ValidationError) as refused:
        CouncilPick(service=activity(title="One too many")).full_clean()
    assert refused.value.messages == [f"The council's picks are kept short: at most {MAX_PICKS}. Remove one first."]


def test_the_demo_features_a_group_and_picks_three(client, db):
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)  # twice: nothing doubles

    assert [service.title for service in council_picks()] == ["Thursday lunch club", "Monday health walk",
                                                              "Memory cafe"]
    community = client.get(COMMUNITY).content.decode()
    everything = community[community.index('id="all-heading"'):]
    first = everything.index('class="card__title"')
    assert "Stitch and Natter" in everything[first:first + 200]
    home = client.get("/").content.decode()
    assert "Picked by the council" in home and "Also featured by the council" in home
