"""Community groups and their activities: listed without the checks of home care, found in the same search, clearly
marked, with a free filter; a person goes along and it goes on their plan, with no order and no visits."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from community import services
from community.exceptions import CommunityRefused
from community.models import Participation
from orders.models import Order, Visit
from providers.models import CheckType
from providers.selectors import provider_missing_checks, service_is_listed
from tests.factories import ProviderCheckFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def test_a_group_running_only_activities_at_a_venue_is_listed_without_dbs_or_insurance(activity, group):
    stitching = activity()

    assert service_is_listed(stitching)
    assert provider_missing_checks(group) == []


def test_the_council_decides_which_checks_apply_to_such_groups(activity, group):
    stitching = activity()
    insurance = CheckType.objects.get(slug="public-liability-insurance")
    insurance.venue_groups_need_it = True
    insurance.save()

    assert not service_is_listed(stitching)
    assert [kind.slug for kind in provider_missing_checks(group)] == ["public-liability-insurance"]

    ProviderCheckFactory(provider=group, check_type=insurance, person_name="")
    assert service_is_listed(stitching)


def test_a_group_that_also_visits_people_at_home_needs_every_check(activity, group, activities_category):
    stitching = activity()
    ServiceFactory(provider=group, category=activities_category, title="Befriending at home", delivery="at_home")

    assert not service_is_listed(stitching)
    assert sorted(kind.slug for kind in provider_missing_checks(group)) == ["dbs-enhanced",
                                                                          "public-liability-insurance"]


def test_an_activity_needs_a_venue(group, activities_category):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceFactory(provider=group, category=activities_category, delivery="at_venue", venue_name="")


def test_search_shows_activities_marked_and_filters_free_ones(client, activity, home_service):
    activity()

    response = client.get("/find-support/", {"postcode": "WN5 9XX"})

    cards = {card.title: card for card in response.context["page"].cards}
    assert set(cards) == {"Stitching group", "Companionship at home"}
    assert cards["Stitching group"].kind_label == "Community group"
    assert cards["Stitching group"].activity == "St John's Hall, Tuesdays, 10am to 12 noon"
    assert cards["Stitching group"].price == "Free"
    assert cards["Companionship at home"].kind_label == ""
    assert cards["Companionship at home"].activity == ""
    html = response.content.decode()
    assert '<strong class="tag tag--green">Community group</strong>' in html
    assert "<dt>Go along to</dt><dd>St John&#39;s Hall, Tuesdays, 10am to 12 noon</dd>" in html

    free = client.get("/find-support/", {"postcode": "WN5 9XX", "free": "on"})

    assert [card.title for card in free.context["page"].cards] == ["Stitching group"]


def test_joining_a_free_activity_puts_it_on_the_plan_with_no_order_and_no_visits(activity, holder, caseload):
    stitching = activity()

    participation = services.activity_join(person=holder, service=stitching, by=caseload)
    again = services.activity_join(person=holder, service=stitching, by=holder.user)

    assert again.pk == participation.pk
    assert (participation.price_per_session_pence, participation.weekly_cost_pence) == (0, 0)
    assert Participation.objects.filter(person=holder).count() == 1
    assert Order.objects.count() == 0
    assert Visit.objects.count() == 0


def test_a_paid_activity_costs_its_price_per_session(activity, holder):
    sailing = activity(title="Sailing club", price_pence=450, unit="per_session")

    participation = services.activity_join(person=holder, service=sailing, by=holder.user, sessions_per_week=2)

    assert participation.weekly_cost_pence == 900


def test_support_at_home_cannot_be_joined_and_nothing_changes(home_service, holder):
    with pytest.raises(CommunityRefused, match="book it as an order"):
        services.activity_join(person=holder, service=home_service, by=holder.user)

    assert Participation.objects.count() == 0


def test_a_stranger_cannot_put_things_on_someone_s_plan(activity, holder, other_holder):
    with pytest.raises(CommunityRefused):
        services.activity_join(person=holder, service=activity(), by=other_holder.user)

    assert Participation.objects.count() == 0


def test_a_group_s_calendar_feed(client, activity, group):
    from providers.models import ServiceAvailability

    stitching = activity()
    ServiceAvailability.objects.create(service=stitching, weekday=1, starts_at="10:00", ends_at="12:00")

    response = client.get(f"/community/groups/{group.slug}/calendar.ics")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert "SUMMARY:Stitching group\r\n" in body
    assert "RRULE:FREQ=WEEKLY;BYDAY=TU\r\n" in body
    assert "LOCATION:St John's Hall\r\n" in body
    assert body.count("BEGIN:VEVENT") == 1
    assert body.endswith("END:VCALENDAR\r\n")


def test_the_calendar_of_an_unknown_group_is_not_found(client, db):
    assert client.get("/community/groups/nobody/calendar.ics").status_code == HTTPStatus.NOT_FOUND


def test_the_group_s_storefront_shows_the_venue_and_how_to_go_along(client, activity, group, holder):
    from cms.storefronts import storefront_ensure

    stitching = activity(come_along="Just turn up. Tea is 50p.", accepts_credits=True)
    storefront_ensure(provider=group)

    html = client.get(f"/providers/{group.slug}/").content.decode()

    assert "<dt>Go along to</dt><dd>St John&#x27;s Hall</dd>" in html
    assert "No need to book: just turn up. Community credits accepted" in html
    assert f'href="/community/activities/{stitching.pk}/join/"' in html
    assert f'href="/community/groups/{group.slug}/calendar.ics"' in html
    client.force_login(holder.user)
    chosen = client.get(f"/community/activities/{stitching.pk}/join/")
    assert chosen["Location"] == f"/community/people/{holder.pk}/join/?service={stitching.pk}"
