"""Nobody sees another person's record; staff looks are logged."""

from http import HTTPStatus

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse

from market.accounts.models import ConsentScope
from market.accounts.services import consent_grant
from market.core.audit import audit_record
from market.core.models import AuditEvent
from tests.factories import CaseloadFactory


def person_url(person):
    return reverse("accounts:person", args=[person.pk])


def test_holder_sees_their_own_record_and_not_another(client, holder, other_holder):
    client.force_login(holder.user)
    assert client.get(person_url(holder)).status_code == HTTPStatus.OK
    response = client.get(person_url(other_holder))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert other_holder.full_name not in response.content.decode()


def test_dashboard_lists_only_people_the_user_may_act_for(client, holder, other_holder, supporter):
    consent_grant(holder=holder, supporter=supporter, scopes=[ConsentScope.VIEW], relationship="Son",
                  granted_by=holder.user)
    client.force_login(supporter)
    page = client.get(reverse("accounts:dashboard")).content.decode()
    assert holder.full_name in page
    assert other_holder.full_name not in page


def test_supporter_without_consent_gets_not_found(client, holder, supporter):
    client.force_login(supporter)
    assert client.get(person_url(holder)).status_code == HTTPStatus.NOT_FOUND


def test_supporter_view_is_not_staff_and_is_not_logged(client, holder, supporter):
    consent_grant(holder=holder, supporter=supporter, scopes=[ConsentScope.VIEW], relationship="Son",
                  granted_by=holder.user)
    client.force_login(supporter)
    response = client.get(person_url(holder))
    assert response.status_code == HTTPStatus.OK
    assert "What you do here is recorded as yours, on their behalf" in response.content.decode()
    assert not AuditEvent.objects.filter(action="person.record_viewed").exists()


def test_coordinator_sees_only_their_caseload_and_each_look_is_logged(client, holder, other_holder, coordinator):
    CaseloadFactory(coordinator=coordinator, person=holder)
    client.force_login(coordinator)

    assert client.get(person_url(holder)).status_code == HTTPStatus.OK
    assert client.get(person_url(other_holder)).status_code == HTTPStatus.NOT_FOUND

    event = AuditEvent.objects.get(action="person.record_viewed")
    assert (event.actor, event.on_behalf_of, event.data["capacity"]) == (coordinator, holder, "coordinator")
    assert event.data["path"] == person_url(holder)


def test_commissioner_view_is_oversight_and_logged(verified_client, holder, commissioner):
    client = verified_client(commissioner)
    response = client.get(person_url(holder))
    assert response.status_code == HTTPStatus.OK
    assert "This view has been recorded" in response.content.decode()
    views = AuditEvent.objects.filter(action="person.record_viewed", actor=commissioner, on_behalf_of=holder)
    assert views.count() == 1


def test_holder_can_see_who_opened_their_record(client, holder, coordinator):
    CaseloadFactory(coordinator=coordinator, person=holder)
    client.force_login(coordinator)
    client.get(person_url(holder))
    client.force_login(holder.user)
    page = client.get(person_url(holder)).content.decode()
    assert "Council staff who opened this record" in page
    assert coordinator.full_name in page


def test_audit_events_cannot_be_changed_or_deleted(holder, coordinator):
    event = audit_record(action="test.thing", actor=coordinator, on_behalf_of=holder)
    for attempt in (lambda: AuditEvent.objects.filter(pk=event.pk).update(summary="edited"),
                    lambda: AuditEvent.objects.filter(pk=event.pk).delete()):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
    assert AuditEvent.objects.get(pk=event.pk).summary == ""


def test_holder_exports_their_data_and_the_export_is_recorded(client, holder, supporter):
    consent_grant(holder=holder, supporter=supporter, scopes=[ConsentScope.VIEW], relationship="Son",
                  granted_by=holder.user)
    client.force_login(holder.user)
    response = client.get(reverse("accounts:person-export", args=[holder.pk]))
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Disposition"] == f'attachment; filename="my-data-{holder.pk}.json"'
    data = response.json()
    assert data["person"]["full_name"] == holder.full_name
    assert data["consents"][0]["supporter"] == str(supporter)
    assert [event["action"] for event in data["activity"]] == ["consent.granted", "person.data_exported"]
    assert AuditEvent.objects.filter(action="person.data_exported", actor=holder.user).count() == 1


def test_another_holder_cannot_export(client, holder, other_holder):
    client.force_login(other_holder.user)
    response = client.get(reverse("accounts:person-export", args=[holder.pk]))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not AuditEvent.objects.filter(action="person.data_exported").exists()
