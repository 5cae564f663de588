from datetime import timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from market.accounts.exceptions import ConsentRefused
from market.accounts.models import Consent, ConsentScope, Role
from market.accounts.permissions import Capacity, capacity_for
from market.accounts.services import consent_grant, consent_revoke
from market.core.models import AuditEvent
from tests.factories import CaseloadFactory, PersonFactory, UserFactory

ALL_SCOPES = [ConsentScope.VIEW, ConsentScope.ORDER, ConsentScope.CONFIRM_VISITS]


def test_holder_grants_a_consent_and_it_is_audited_as_theirs(holder, supporter):
    consent = consent_grant(
        holder=holder, supporter=supporter, scopes=[ConsentScope.VIEW], relationship="Son",
        granted_by=holder.user,
    )
    assert consent.scopes == ["view"]
    event = AuditEvent.objects.get(action="consent.granted")
    assert (event.actor, event.on_behalf_of, event.object_id) == (holder.user, holder, str(consent.pk))
    assert capacity_for(supporter, holder, ConsentScope.VIEW) is Capacity.SUPPORTER
    assert capacity_for(supporter, holder, ConsentScope.ORDER) is None


def test_coordinator_can_grant_for_someone_in_their_caseload(holder, coordinator):
    CaseloadFactory(coordinator=coordinator, person=holder)
    new_supporter = UserFactory()
    consent_grant(holder=holder, supporter=new_supporter, scopes=ALL_SCOPES, relationship="Neighbour",
                  granted_by=coordinator)
    new_supporter.refresh_from_db()
    assert new_supporter.has_role(Role.SUPPORTER)


@pytest.mark.parametrize("granter", ["stranger", "coordinator_without_caseload", "the_supporter"])
def test_only_the_holder_or_their_coordinator_may_grant(holder, supporter, coordinator, granter):
    granted_by = {"stranger": UserFactory(), "coordinator_without_caseload": coordinator,
                  "the_supporter": supporter}[granter]
    with pytest.raises(ConsentRefused, match="Only the person, or a coordinator working with them"):
        consent_grant(holder=holder, supporter=supporter, scopes=ALL_SCOPES, relationship="x", granted_by=granted_by)
    assert not Consent.objects.exists()
    assert not AuditEvent.objects.filter(action="consent.granted").exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scopes": []}, "Choose at least one thing"),
        ({"expires_at": timezone.now() - timedelta(days=1)}, "The end date must be in the future"),
    ],
)
def test_bad_consent_requests_change_nothing(holder, supporter, kwargs, message):
    arguments = {"holder": holder, "supporter": supporter, "scopes": ALL_SCOPES, "relationship": "Son",
                 "granted_by": holder.user, **kwargs}
    with pytest.raises(ConsentRefused, match=message):
        consent_grant(**arguments)
    assert not Consent.objects.exists()


def test_a_second_unrevoked_consent_for_the_same_pair_is_refused(holder, supporter):
    consent_grant(holder=holder, supporter=supporter, scopes=ALL_SCOPES, relationship="Son", granted_by=holder.user)
    with pytest.raises(ConsentRefused, match="already has a consent"):
        consent_grant(holder=holder, supporter=supporter, scopes=[ConsentScope.VIEW], relationship="Son",
                      granted_by=holder.user)
    assert Consent.objects.count() == 1


def test_revoked_consent_gives_no_access_and_cannot_be_revoked_twice(holder, supporter):
    consent = consent_grant(holder=holder, supporter=supporter, scopes=ALL_SCOPES, relationship="Son",
                            granted_by=holder.user)
    consent_revoke(consent=consent, revoked_by=holder.user, reason="Moved away")
    consent.refresh_from_db()
    assert consent.revoked_by == holder.user
    assert capacity_for(supporter, holder, ConsentScope.VIEW) is None

    with pytest.raises(ConsentRefused, match="already been revoked"):
        consent_revoke(consent=consent, revoked_by=holder.user)
    assert AuditEvent.objects.filter(action="consent.revoked").count() == 1


def test_expired_consent_gives_no_access(holder, supporter):
    consent = consent_grant(holder=holder, supporter=supporter, scopes=ALL_SCOPES, relationship="Son",
                            granted_by=holder.user, expires_at=timezone.now() + timedelta(days=1))
    assert capacity_for(supporter, holder, ConsentScope.VIEW) is Capacity.SUPPORTER
    Consent.objects.filter(pk=consent.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert capacity_for(supporter, holder, ConsentScope.VIEW) is None


def test_stranger_cannot_revoke(holder, supporter):
    consent = consent_grant(holder=holder, supporter=supporter, scopes=ALL_SCOPES, relationship="Son",
                            granted_by=holder.user)
    with pytest.raises(ConsentRefused, match="You cannot revoke this consent"):
        consent_revoke(consent=consent, revoked_by=UserFactory())
    consent.refresh_from_db()
    assert consent.revoked_at is None


def test_holder_grants_consent_through_the_page(client, holder):
    supporter = UserFactory(email="susan@example.org")
    client.force_login(holder.user)
    url = reverse("accounts:consent-grant", args=[holder.pk])
    response = client.post(url, {"supporter_email": "SUSAN@example.org", "relationship": "Daughter",
                                 "scopes": ["view", "confirm_visits"]})
    assert response.status_code == HTTPStatus.FOUND
    consent = Consent.objects.get()
    assert (consent.supporter, consent.scopes) == (supporter, ["confirm_visits", "view"])


def test_consent_page_errors_are_shown_beside_the_field_and_save_nothing(client, holder):
    client.force_login(holder.user)
    url = reverse("accounts:consent-grant", args=[holder.pk])
    response = client.post(url, {"supporter_email": "nobody@example.org", "relationship": "Daughter",
                                 "scopes": ["view"], "expires_on": "2001-01-01"})
    assert response.status_code == HTTPStatus.OK
    errors = response.context["form"].errors
    assert errors["supporter_email"] == ["There is no account with that email address. Ask them to create one first."]
    assert 'href="#id_supporter_email"' in response.content.decode()
    assert not Consent.objects.exists()


def test_supporter_cannot_manage_the_holders_consents(client, holder, supporter):
    consent_grant(holder=holder, supporter=supporter, scopes=ALL_SCOPES, relationship="Son", granted_by=holder.user)
    client.force_login(supporter)
    response = client.get(reverse("accounts:consent-grant", args=[holder.pk]))
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_supporter_can_step_back_themselves(client, holder, supporter):
    consent = consent_grant(holder=holder, supporter=supporter, scopes=ALL_SCOPES, relationship="Son",
                            granted_by=holder.user)
    client.force_login(supporter)
    response = client.post(reverse("accounts:consent-revoke", args=[holder.pk, consent.pk]), {"reason": ""})
    assert response.status_code == HTTPStatus.FOUND
    consent.refresh_from_db()
    assert consent.revoked_by == supporter


def test_a_consent_cannot_be_revoked_through_another_persons_record(client, holder, supporter):
    consent = consent_grant(holder=holder, supporter=supporter, scopes=ALL_SCOPES, relationship="Son",
                            granted_by=holder.user)
    someone_else = PersonFactory()
    client.force_login(someone_else.user)

    response = client.post(reverse("accounts:consent-revoke", args=[someone_else.pk, consent.pk]), {"reason": ""})

    consent.refresh_from_db()
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert consent.revoked_at is None
    assert not AuditEvent.objects.filter(action="consent.revoked").exists()


def test_an_empty_consent_form_says_what_to_do_for_each_field(client, holder):
    client.force_login(holder.user)
    response = client.post(reverse("accounts:consent-grant", args=[holder.pk]), {})
    assert response.context["form"].errors == {
        "supporter_email": ["Enter the supporter's email address"],
        "relationship": ["Say how they know the person"],
        "scopes": ["Choose at least one thing they may do"],
    }
    assert not Consent.objects.exists()
