"""A coordinator's caseload, what matters to a person (seen by them and their supporters), introductions and their
outcomes, through the services and through the pages."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.utils import timezone

from community import selectors, services
from community.exceptions import CommunityRefused
from community.models import Introduction, Participation, WhatMatters
from market.accounts.models import CaseloadAssignment, ConsentScope, Person
from market.accounts.services import consent_grant
from market.core.models import AuditEvent
from orders.models import Order
from tests.factories import CoordinatorFactory, SupporterFactory
from tests.orders.helpers import make_budget, place

pytestmark = pytest.mark.django_db

ANSWERS = {"story": "Worked at the mill for 30 years.", "interests": "Tapestry, brass bands.",
           "gifts": "Teaching others to stitch.", "people": "Her daughter Susan; Alan next door.",
           "goals": "To get out of the house twice a week and meet people."}


def test_a_coordinator_adds_a_person_to_her_caseload(client):
    coordinator = CoordinatorFactory()
    client.force_login(coordinator)

    response = client.post("/community/caseload/add/", {"full_name": "Jane Ashworth", "preferred_name": "Jane",
                                                          "postcode": "wn59xx", "funding_route": "direct_payment"})

    person = Person.objects.get(full_name="Jane Ashworth")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/community/people/{person.pk}/what-matters/"
    assert person.postcode == "WN5 9XX"
    assert CaseloadAssignment.objects.filter(coordinator=coordinator, person=person).exists()
    assert AuditEvent.objects.filter(action="caseload.person_added", on_behalf_of=person).count() == 1


def test_adding_without_a_name_shows_the_error_beside_the_field_and_adds_nobody(client):
    client.force_login(CoordinatorFactory())

    response = client.post("/community/caseload/add/", {"full_name": "", "funding_route": "direct_payment"})

    assert response.status_code == HTTPStatus.OK
    assert "id_full_name_error" in response.content.decode()
    assert Person.objects.count() == 0


def test_only_coordinators_keep_a_caseload(client, holder):
    client.force_login(holder.user)

    assert client.get("/community/caseload/").status_code == HTTPStatus.FORBIDDEN
    with pytest.raises(CommunityRefused):
        services.caseload_person_add(coordinator=holder.user, full_name="Someone")


def test_what_matters_is_recorded_by_the_coordinator_and_seen_by_person_and_supporter(client, holder, caseload):
    supporter = SupporterFactory()
    consent_grant(holder=holder, supporter=supporter, relationship="daughter", scopes=[ConsentScope.VIEW],
                  granted_by=holder.user)
    client.force_login(caseload)
    response = client.post(f"/community/people/{holder.pk}/what-matters/", ANSWERS)
    assert response.status_code == HTTPStatus.FOUND

    record = WhatMatters.objects.get(person=holder)
    assert (record.story, record.goals, record.updated_by) == (ANSWERS["story"], ANSWERS["goals"], caseload)
    for viewer in (holder.user, supporter):
        client.force_login(viewer)
        page = client.get(f"/community/people/{holder.pk}/")
        assert page.status_code == HTTPStatus.OK
        assert "Teaching others to stitch." in page.content.decode()


def test_a_supporter_may_read_but_not_write_what_matters(holder):
    supporter = SupporterFactory()
    consent_grant(holder=holder, supporter=supporter, relationship="son", scopes=[ConsentScope.VIEW],
                  granted_by=holder.user)

    with pytest.raises(CommunityRefused):
        services.what_matters_record(person=holder, by=supporter, **ANSWERS)

    assert WhatMatters.objects.count() == 0


def test_a_stranger_cannot_see_what_matters(client, holder, other_holder):
    client.force_login(other_holder.user)

    assert client.get(f"/community/people/{holder.pk}/").status_code == HTTPStatus.NOT_FOUND


def test_an_empty_what_matters_is_refused(holder, caseload):
    with pytest.raises(CommunityRefused, match="at least one thing"):
        services.what_matters_record(person=holder, by=caseload, story="  ")

    assert WhatMatters.objects.count() == 0


def test_introduced_to_a_free_activity_accepting_puts_it_on_the_plan(client, activity, holder, caseload):
    stitching = activity()
    client.force_login(caseload)
    client.post(f"/community/people/{holder.pk}/introduce/",
                {"service": stitching.pk, "note": "You said you miss your tapestry friends."})
    introduction = Introduction.objects.get(person=holder)
    assert introduction.status == "offered"

    client.force_login(holder.user)
    response = client.post(f"/community/introductions/{introduction.pk}/answer/", {"answer": "accept"})

    assert response["Location"] == f"/community/people/{holder.pk}/"
    introduction.refresh_from_db()
    assert (introduction.status, introduction.answered_by) == ("accepted", holder.user)
    participation = Participation.objects.get(person=holder, service=stitching)
    assert (participation.introduction, participation.weekly_cost_pence) == (introduction, 0)
    assert Order.objects.count() == 0
    assert selectors.outcome_label(selectors.introductions_made_by(caseload)[0]) == "Accepted: on their plan"


def test_an_answered_introduction_cannot_be_answered_again(activity, holder, caseload):
    introduction = services.introduction_make(person=holder, service=activity(), note="Try it", by=caseload)
    services.introduction_answer(introduction=introduction, by=holder.user, accept=False, note="Not for me")

    with pytest.raises(CommunityRefused, match="already answered"):
        services.introduction_answer(introduction=introduction, by=holder.user, accept=True)

    introduction.refresh_from_db()
    assert introduction.status == "declined"
    assert Participation.objects.count() == 0
    assert selectors.outcome_label(selectors.introductions_made_by(caseload)[0]) == "Declined: Not for me"


def test_only_her_coordinator_can_introduce(activity, holder):
    other_coordinator = CoordinatorFactory()

    with pytest.raises(CommunityRefused):
        services.introduction_make(person=holder, service=activity(), note="Try it", by=other_coordinator)

    assert Introduction.objects.count() == 0


def test_two_open_introductions_to_the_same_service_are_refused(activity, holder, caseload):
    stitching = activity()
    services.introduction_make(person=holder, service=stitching, note="Try it", by=caseload)

    with pytest.raises(CommunityRefused, match="already has an introduction"):
        services.introduction_make(person=holder, service=stitching, note="Again", by=caseload)

    assert Introduction.objects.count() == 1


def test_an_accepted_paid_service_leads_to_the_order_pages_and_the_outcome_follows_the_order(
    client, holder, caseload, home_service, pemberton
):
    holder.neighbourhood = pemberton
    holder.save()
    introduction = services.introduction_make(person=holder, service=home_service, note="A weekly chat", by=caseload)
    client.force_login(holder.user)

    response = client.post(f"/community/introductions/{introduction.pk}/answer/", {"answer": "accept"})

    assert response["Location"] == f"/orders/new/{home_service.pk}/?for={holder.pk}"
    assert selectors.outcome_label(selectors.introductions_made_by(caseload)[0]) == "Accepted: not booked yet"

    order = place(user=holder.user, budget=make_budget(holder=holder, created_by=caseload), service=home_service)

    assert selectors.outcome_label(selectors.introductions_made_by(caseload)[0]) == (
        f"Accepted: ordered ({order.reference}, waiting for the provider)")
    caseload_page = client_for(client, caseload).get("/community/caseload/")
    assert f"Accepted: ordered ({order.reference}, waiting for the provider)" in caseload_page.content.decode()


def client_for(client, user):
    client.force_login(user)
    return client


def test_the_introduce_page_lists_activities_and_refuses_an_empty_note(client, activity, holder, caseload):
    stitching = activity()
    client.force_login(caseload)

    page = client.get(f"/community/people/{holder.pk}/introduce/", {"q": "stitch"})
    response = client.post(f"/community/people/{holder.pk}/introduce/", {"service": stitching.pk, "note": ""})

    assert "Stitching group, Pemberton Stitchers (activity at St John&#39;s Hall)" in page.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "id_note_error" in response.content.decode()
    assert Introduction.objects.count() == 0


def test_joining_through_the_page(client, activity, holder):
    stitching = activity()
    client.force_login(holder.user)

    response = client.post(f"/community/people/{holder.pk}/join/", {"service": stitching.pk,
                                                                    "sessions_per_week": "1"})

    assert response["Location"] == f"/community/people/{holder.pk}/plan/"
    participation = Participation.objects.get(person=holder)
    left = client.post(f"/community/people/{holder.pk}/activities/{participation.pk}/leave/")
    assert left.status_code == HTTPStatus.FOUND
    participation.refresh_from_db()
    assert participation.ended_on == timezone.localdate()
