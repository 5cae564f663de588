"""Volunteering and equipment: posts with personal details are held for moderation, the rest published; requests
and offers matched and marked done; and the credits pages as a volunteer, a group and the council use them."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.utils import timezone

from community.exceptions import CommunityRefused
from community.models import CommunityPost, Contribution
from community.selectors_credits import credit_balance
from community.services import posts
from tests.factories import CommissionerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("body", "reason"), [
    ("Ring me on 01942 123456 after six.", "a phone number"),
    ("Text 07700 900123.", "a phone number"),
    ("Email jo.bloggs@example.org for details.", "an email address"),
    ("Collect from 14 Ormskirk Road, it is heavy.", "a street address"),
    ("It is near WN5 9XX.", "a street address"),
])
def test_text_with_personal_details_is_held_for_moderation(body, reason):
    post = posts.post_create(author=UserFactory(), kind="equipment_offered", title="Shower seat", body=body)

    assert post.status == "held"
    assert post.held_because == f"It seems to hold {reason}"


def test_plain_text_is_published_at_once():
    post = posts.post_create(author=UserFactory(), kind="volunteers_wanted", title="Lunch club helpers",
                             body="Serving tea and lunch to about 30 people. No experience needed.",
                             when="Thursdays, 11am to 2pm")

    assert post.status == "published"


def test_held_posts_are_hidden_until_the_council_publishes_them(client):
    author = UserFactory()
    post = posts.post_create(author=author, kind="equipment_wanted", title="Wheelchair",
                             body="Call 01942 123456")
    assert client.get(f"/community/help/{post.pk}/").status_code == HTTPStatus.NOT_FOUND
    assert "Wheelchair" not in client.get("/community/help/").content.decode()

    with pytest.raises(CommunityRefused):
        posts.post_moderate(post=post, by=author, action="publish")
    posts.post_moderate(post=post, by=CommissionerFactory(), action="publish")

    assert client.get(f"/community/help/{post.pk}/").status_code == HTTPStatus.OK
    assert "Wheelchair" in client.get("/community/help/").content.decode()


def test_a_request_is_matched_with_an_offer_and_marked_done(client):
    asker, giver = UserFactory(), UserFactory()
    wanted = posts.post_create(author=asker, kind="equipment_wanted", title="Shower seat wanted", body="For my mum.")
    offered = posts.post_create(author=giver, kind="equipment_offered", title="Shower seat", body="Hardly used.")
    client.force_login(asker)

    client.post(f"/community/help/{wanted.pk}/match/", {"other": offered.pk})

    wanted.refresh_from_db()
    offered.refresh_from_db()
    assert (wanted.status, wanted.matched_with, offered.status, offered.matched_with) == (
        "matched", offered, "matched", wanted)
    client.post(f"/community/help/{wanted.pk}/done/")
    wanted.refresh_from_db()
    assert wanted.status == "done"


def test_a_request_cannot_be_matched_with_the_wrong_kind(client):
    asker = UserFactory()
    wanted = posts.post_create(author=asker, kind="equipment_wanted", title="Shower seat", body="For my mum.")
    helpers = posts.post_create(author=UserFactory(), kind="volunteers_wanted", title="Helpers", body="Cafe.")

    with pytest.raises(CommunityRefused, match="same kind"):
        posts.post_match(post=wanted, other=helpers, by=asker)

    assert set(CommunityPost.objects.values_list("status", flat=True)) == {"published"}


def test_posting_through_the_page_says_why_it_is_held(client):
    client.force_login(UserFactory())

    response = client.post("/community/help/new/", {"kind": "offer_to_help", "title": "Gardening",
                                                     "body": "Email me at sam@example.org", "when": ""}, follow=True)

    assert "seems to hold an email address" in response.content.decode()
    assert CommunityPost.objects.get().status == "held"


def test_a_volunteer_claims_hours_the_group_confirms_and_spends_credits_through_the_pages(
    client, group, activity
):
    volunteer = UserFactory()
    lunch = activity(title="Lunch club", accepts_credits=True)
    client.force_login(volunteer)
    response = client.post("/community/credits/claim/", {"provider": group.pk, "hours": "3", "what": "Washing up",
                                                         "given_on": timezone.localdate().strftime("%d/%m/%Y")})
    assert response.status_code == HTTPStatus.FOUND
    contribution = Contribution.objects.get()

    client.force_login(group.owner)
    assert "Washing up" in client.get("/community/credits/").content.decode()
    client.post(f"/community/credits/contributions/{contribution.pk}/answer/", {"answer": "confirm"})
    assert credit_balance(user=volunteer) == 3

    client.force_login(volunteer)
    too_many = client.post("/community/credits/spend/", {"service": lunch.pk, "credits": "4"})
    assert too_many.status_code == HTTPStatus.BAD_REQUEST
    assert "You have 3 credits, not enough to spend 4" in too_many.content.decode()
    client.post("/community/credits/spend/", {"service": lunch.pk, "credits": "2"})
    assert credit_balance(user=volunteer) == 1
    assert credit_balance(provider=group) == 2


def test_25_hours_is_refused_beside_the_field(client, group):
    client.force_login(UserFactory())

    response = client.post("/community/credits/claim/", {"provider": group.pk, "hours": "25", "what": "Café",
                                                         "given_on": timezone.localdate().strftime("%d/%m/%Y")})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "A day has 24 hours: enter 24 or fewer." in response.content.decode()
    assert Contribution.objects.count() == 0


def test_the_council_sees_credits_by_neighbourhood(verified_client, group):
    client = verified_client(CommissionerFactory())

    response = client.get("/community/credits/council/")

    assert response.status_code == HTTPStatus.OK
    assert "Credits earned, spent and redeemed by neighbourhood" in response.content.decode()
