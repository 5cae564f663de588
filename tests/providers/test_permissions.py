"""A provider member sees only their own provider; check evidence reaches only members and commissioners."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from market.core.models import AuditEvent
from providers.models import CheckType, ProviderMembership, ServiceAvailability
from tests.factories import ProviderCheckFactory, ServiceFactory

from .conftest import pdf_bytes

pytestmark = pytest.mark.django_db

SECRET_REFERENCE = "DBS-SECRET-0042"


@pytest.fixture
def evidence(provider):
    return ProviderCheckFactory(
        provider=provider, reference=SECRET_REFERENCE, check_type=CheckType.objects.get(slug="dbs-enhanced")
    )


@pytest.fixture
def service(provider):
    return ServiceFactory(provider=provider, title="Secret garden club")


def _pages(provider, service):
    slug = provider.slug
    return [
        reverse("providers:dashboard", kwargs={"slug": slug}),
        reverse("providers:onboarding", kwargs={"slug": slug, "step": "about"}),
        reverse("providers:check-upload", kwargs={"slug": slug}),
        reverse("providers:service-create", kwargs={"slug": slug}),
        reverse("providers:service-edit", kwargs={"slug": slug, "service_id": service.pk}),
        reverse("providers:service-availability", kwargs={"slug": slug, "service_id": service.pk}),
        reverse("providers:members", kwargs={"slug": slug}),
    ]


def test_another_providers_member_gets_404_on_every_page_and_sees_nothing(
    client, provider, service, evidence, other_owner
):
    client.force_login(other_owner)

    for url in _pages(provider, service):
        response = client.get(url)
        assert response.status_code == HTTPStatus.NOT_FOUND, url
        body = response.content.decode()
        assert provider.name not in body and SECRET_REFERENCE not in body and service.title not in body


def test_another_providers_member_cannot_change_anything(client, provider, service, owner, other_owner):
    client.force_login(other_owner)
    slug = provider.slug
    before = (provider.name, service.title, service.price_pence)
    membership = ProviderMembership.objects.get(user=owner)

    responses = [
        client.post(
            reverse("providers:onboarding", kwargs={"slug": slug, "step": "about"}),
            {"name": "Hijacked", "legal_form": "company"},
        ),
        client.post(
            reverse("providers:service-edit", kwargs={"slug": slug, "service_id": service.pk}),
            {"title": "Hijacked", "price_pence": "99"},
        ),
        client.post(
            reverse("providers:service-availability", kwargs={"slug": slug, "service_id": service.pk}),
            {"add_slot": "", "slot-weekday": "0", "slot-starts_at": "09:00", "slot-ends_at": "10:00"},
        ),
        client.post(reverse("providers:submit", kwargs={"slug": slug})),
        client.post(reverse("providers:member-remove", kwargs={"slug": slug, "membership_id": membership.pk})),
        # the other provider's own URL with this provider's service id
        client.post(
            reverse(
                "providers:service-edit", kwargs={"slug": other_owner.providers.get().slug, "service_id": service.pk}
            ),
            {"title": "Hijacked"},
        ),
    ]

    assert [r.status_code for r in responses] == [HTTPStatus.NOT_FOUND] * 6
    provider.refresh_from_db()
    service.refresh_from_db()
    assert (provider.name, service.title, service.price_pence) == before
    assert ServiceAvailability.objects.count() == 0
    assert ProviderMembership.objects.filter(pk=membership.pk).exists()
    assert not AuditEvent.objects.exists()


def test_check_files_are_only_for_members_and_commissioners(
    client, verified_client, provider, evidence, staff, other_owner, stranger, commissioner
):
    url = reverse("providers:check-file", kwargs={"check_id": evidence.pk})

    # Anonymous: sent to sign in, nothing served
    anonymous = client.get(url)
    assert anonymous.status_code == HTTPStatus.FOUND
    assert anonymous["Location"].startswith(reverse("accounts:sign-in"))

    for outsider in (other_owner, stranger):
        client.force_login(outsider)
        response = client.get(url)
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert pdf_bytes() not in response.content

    client.force_login(staff)
    own = client.get(url)
    assert own.status_code == HTTPStatus.OK
    assert b"".join(own.streaming_content) == pdf_bytes()
    assert own["Content-Type"] == "application/pdf"
    assert own["Cache-Control"] == "private, no-store"
    assert own["Content-Disposition"] == f'attachment; filename="dbs-enhanced-{evidence.pk}.pdf"'
    assert not AuditEvent.objects.filter(action="check.file_opened").exists()

    council = verified_client(commissioner).get(url)
    assert council.status_code == HTTPStatus.OK
    assert b"".join(council.streaming_content) == pdf_bytes()
    assert list(AuditEvent.objects.filter(action="check.file_opened").values_list("actor", "object_id")) == [
        (commissioner.pk, str(evidence.pk))
    ]


def test_a_missing_evidence_file_is_not_found_and_no_opening_is_recorded(
    client, verified_client, evidence, staff, commissioner
):
    evidence.file.storage.delete(evidence.file.name)
    url = reverse("providers:check-file", kwargs={"check_id": evidence.pk})
    client.force_login(staff)

    responses = [client.get(url), verified_client(commissioner).get(url)]

    assert [r.status_code for r in responses] == [HTTPStatus.NOT_FOUND] * 2
    assert not AuditEvent.objects.filter(action="check.file_opened").exists()


def test_a_commissioner_without_the_second_factor_is_sent_to_pass_it(client, evidence, commissioner):
    client.force_login(commissioner)

    response = client.get(reverse("providers:check-file", kwargs={"check_id": evidence.pk}))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("accounts:second-factor")


def test_check_files_have_no_public_url(evidence):
    with pytest.raises(ValueError, match="Private files have no public URL"):
        evidence.file.url  # noqa: B018


def test_staff_can_work_on_the_provider_but_not_manage_members(client, provider, service, owner, staff):
    client.force_login(staff)

    assert client.get(reverse("providers:dashboard", kwargs={"slug": provider.slug})).status_code == HTTPStatus.OK
    add = client.post(
        reverse("providers:members", kwargs={"slug": provider.slug}),
        {"full_name": "New Person", "email": "new@example.org"},
    )
    remove = client.post(
        reverse(
            "providers:member-remove",
            kwargs={"slug": provider.slug, "membership_id": ProviderMembership.objects.get(user=owner).pk},
        )
    )

    assert (add.status_code, remove.status_code) == (HTTPStatus.FORBIDDEN, HTTPStatus.FORBIDDEN)
    assert provider.memberships.count() == 2


@pytest.mark.parametrize("who", ["owner", "stranger", "anonymous"])
def test_only_commissioners_reach_the_verification_queue(client, request, provider, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("verification:queue"))

    expected = HTTPStatus.FOUND if who == "anonymous" else HTTPStatus.FORBIDDEN
    assert response.status_code == expected


def test_the_account_page_links_members_to_their_provider_and_others_to_sign_up(client, provider, owner, stranger):
    client.force_login(owner)
    mine = client.get(reverse("accounts:dashboard")).content.decode()
    assert reverse("providers:dashboard", kwargs={"slug": provider.slug}) in mine
    assert "There is nothing here yet." not in mine

    client.force_login(stranger)
    theirs = client.get(reverse("accounts:dashboard")).content.decode()
    assert provider.name not in theirs
    assert f'<a href="{reverse("providers:home")}">For providers: sign up</a>' in theirs
