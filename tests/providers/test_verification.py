"""The commissioners' verification queue: decisions on documents and providers, each recorded."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cms.models import ProviderPage
from market.core.models import AuditEvent
from market.outbox.services import outbox_send_due
from providers import services
from providers.exceptions import IllegalTransition, NotAllowed
from providers.models import CheckStatus, CheckType, Provider, ProviderCheck, ProviderStatus
from providers.selectors import service_is_listed
from tests.factories import ProviderCheckFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending_provider(db):
    from tests.factories import ProviderFactory

    provider = ProviderFactory(
        name="Aspull Community Shed",
        status=ProviderStatus.PENDING,
        submitted_at=timezone.now(),
        description="Men's shed.\n\nTea on.",
    )
    return provider


@pytest.fixture
def pending_check(pending_provider):
    return ProviderCheckFactory(
        provider=pending_provider,
        status=CheckStatus.PENDING,
        decided_at=None,
        check_type=CheckType.objects.get(slug="dbs-enhanced"),
        person_name="Alan Prescott",
    )


def test_the_queue_lists_pending_providers_and_documents(
    verified_client, commissioner, pending_provider, pending_check
):
    response = verified_client(commissioner).get(reverse("verification:queue"))

    assert response.status_code == HTTPStatus.OK
    assert list(response.context["providers"]) == [pending_provider]
    assert list(response.context["checks"]) == [pending_check]
    body = response.content.decode()
    assert "Aspull Community Shed" in body and "Alan Prescott" in body


def test_approving_a_document_records_who_when_and_why(verified_client, commissioner, pending_check):
    client = verified_client(commissioner)

    response = client.post(
        reverse("verification:check-decide", kwargs={"check_id": pending_check.pk}),
        {
            f"check-{pending_check.pk}-decision": "approve",
            f"check-{pending_check.pk}-reason": "Checked online.",
        },
    )

    pending_check.refresh_from_db()
    assert response.status_code == HTTPStatus.FOUND
    assert (pending_check.status, pending_check.decided_by, pending_check.decision_reason) == (
        CheckStatus.APPROVED,
        commissioner,
        "Checked online.",
    )
    event = AuditEvent.objects.get(action="check.approved")
    assert (event.actor, event.object_id, event.data["reason"]) == (
        commissioner,
        str(pending_check.pk),
        "Checked online.",
    )


def test_rejecting_a_document_needs_a_reason_which_the_provider_sees(
    client, verified_client, commissioner, pending_provider, pending_check
):
    from tests.factories import ProviderMembershipFactory

    council = verified_client(commissioner)
    url = reverse("verification:check-decide", kwargs={"check_id": pending_check.pk})

    refused = council.post(url, {f"check-{pending_check.pk}-decision": "reject"})
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert "Give a reason: the provider will see it." in refused.content.decode()
    pending_check.refresh_from_db()
    assert pending_check.status == CheckStatus.PENDING
    assert not AuditEvent.objects.filter(action__startswith="check.").exists()

    council.post(
        url,
        {
            f"check-{pending_check.pk}-decision": "reject",
            f"check-{pending_check.pk}-reason": "The scan is too blurred to read.",
        },
    )
    pending_check.refresh_from_db()
    assert pending_check.status == CheckStatus.REJECTED

    owner = ProviderMembershipFactory(provider=pending_provider).user
    client.force_login(owner)
    dashboard = client.get(reverse("providers:dashboard", kwargs={"slug": pending_provider.slug}))
    assert "The scan is too blurred to read." in dashboard.content.decode()


def test_a_decided_document_cannot_be_decided_again(commissioner, pending_check):
    services.check_approve(check=pending_check, actor=commissioner)

    with pytest.raises(IllegalTransition, match=r"already been decided \(Verified\)"):
        services.check_reject(check=pending_check, actor=commissioner, reason="Changed my mind")

    pending_check.refresh_from_db()
    assert pending_check.status == CheckStatus.APPROVED
    assert AuditEvent.objects.filter(action__startswith="check.").count() == 1


def test_approving_a_provider_creates_its_storefront_and_records_the_decision(
    verified_client, commissioner, pending_provider
):
    response = verified_client(commissioner).post(
        reverse("verification:provider-decide", kwargs={"slug": pending_provider.slug}),
        {"provider-decision": "approve", "provider-reason": "All in order."},
    )

    pending_provider.refresh_from_db()
    assert response.status_code == HTTPStatus.FOUND
    assert (pending_provider.status, pending_provider.decided_by, pending_provider.decision_reason) == (
        ProviderStatus.APPROVED,
        commissioner,
        "All in order.",
    )
    assert pending_provider.approved_at is not None
    page = ProviderPage.objects.get(provider=pending_provider)
    assert page.url_path.endswith("/providers/aspull-community-shed/")
    event = AuditEvent.objects.get(action="provider.approved")
    assert (event.actor, event.data["from"], event.data["to"], event.data["reason"]) == (
        commissioner,
        "pending",
        "approved",
        "All in order.",
    )


def test_rejecting_a_provider_needs_a_reason(verified_client, commissioner, pending_provider):
    council = verified_client(commissioner)
    url = reverse("verification:provider-decide", kwargs={"slug": pending_provider.slug})

    refused = council.post(url, {"provider-decision": "reject", "provider-reason": "  "})
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    pending_provider.refresh_from_db()
    assert pending_provider.status == ProviderStatus.PENDING

    council.post(url, {"provider-decision": "reject", "provider-reason": "Please upload your insurance."})
    pending_provider.refresh_from_db()
    assert (pending_provider.status, pending_provider.decision_reason) == (
        ProviderStatus.REJECTED,
        "Please upload your insurance.",
    )
    assert not ProviderPage.objects.filter(provider=pending_provider).exists()


@pytest.mark.parametrize(
    ("status", "call"),
    [
        (ProviderStatus.DRAFT, "provider_approve"),
        (ProviderStatus.APPROVED, "provider_approve"),
        (ProviderStatus.REJECTED, "provider_reject"),
        (ProviderStatus.DRAFT, "provider_suspend"),
    ],
)
def test_illegal_provider_transitions_are_refused_and_change_nothing(commissioner, pending_provider, status, call):
    Provider.objects.filter(pk=pending_provider.pk).update(status=status)

    with pytest.raises(IllegalTransition):
        getattr(services, call)(provider=pending_provider, actor=commissioner, reason="Because")

    pending_provider.refresh_from_db()
    assert (pending_provider.status, pending_provider.decision_reason, pending_provider.decided_by) == (
        status,
        "",
        None,
    )
    assert not AuditEvent.objects.exists()


def test_only_commissioners_decide(pending_provider, pending_check):
    from tests.factories import ProviderMembershipFactory

    owner = ProviderMembershipFactory(provider=pending_provider).user

    with pytest.raises(NotAllowed):
        services.provider_approve(provider=pending_provider, actor=owner)
    with pytest.raises(NotAllowed):
        services.check_approve(check=pending_check, actor=owner)

    pending_provider.refresh_from_db()
    pending_check.refresh_from_db()
    assert (pending_provider.status, pending_check.status) == (ProviderStatus.PENDING, CheckStatus.PENDING)


def test_suspending_hides_the_listings_and_reinstating_shows_them(verified_client, commissioner):
    from tests.factories import ListedServiceFactory

    service = ListedServiceFactory()
    provider = service.provider
    council = verified_client(commissioner)
    url = reverse("verification:provider-suspend", kwargs={"slug": provider.slug})

    council.post(url, {"suspend-reason": "Complaint under investigation."})
    provider.refresh_from_db()
    assert (provider.status, service_is_listed(service)) == (ProviderStatus.SUSPENDED, False)

    council.post(url, {"suspend-reason": "Investigation closed."})
    provider.refresh_from_db()
    assert (provider.status, service_is_listed(service)) == (ProviderStatus.APPROVED, True)
    assert list(
        AuditEvent.objects.filter(object_type="providers.provider")
        .order_by("at", "id")
        .values_list("action", flat=True)
    ) == ["provider.suspended", "provider.reinstated"]


def test_a_recorded_cqc_exemption_lists_regulated_care(verified_client, commissioner):
    from tests.factories import CategoryFactory, ListedServiceFactory

    service = ListedServiceFactory(
        category=CategoryFactory(name="Personal care", is_regulated_personal_care=True),
        is_regulated_personal_care=True,
    )
    assert service_is_listed(service) is False

    verified_client(commissioner).post(
        reverse("verification:provider-exemption", kwargs={"slug": service.provider.slug}),
        {"exemption-reason": "Works under Scholes Care Co-operative's registration (CQC 1-000000001)."},
    )

    assert service_is_listed(service) is True
    assert AuditEvent.objects.filter(action="provider.cqc_exemption_recorded", actor=commissioner).count() == 1


def test_the_review_page_shows_everything_needed_to_decide(
    verified_client, commissioner, pending_provider, pending_check
):
    ServiceFactory(provider=pending_provider, title="Shed sessions", unit="free", price_pence=0)
    expired = ProviderCheckFactory(
        provider=pending_provider,
        check_type=CheckType.objects.get(slug="public-liability-insurance"),
        person_name="",
        amount_pence=500_000_000,
    )
    ProviderCheck.objects.filter(pk=expired.pk).update(
        expires_on=timezone.localdate() - datetime.timedelta(days=2),
        issued_on=timezone.localdate() - datetime.timedelta(days=400),
    )

    response = verified_client(commissioner).get(
        reverse("verification:provider", kwargs={"slug": pending_provider.slug})
    )

    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "Shed sessions" in body and "Free" in body and "£5,000,000.00" in body
    assert [c.name for c in response.context["missing_checks"]] == ["Enhanced DBS check", "Public liability insurance"]


def test_the_provider_is_emailed_each_decision_with_the_reason(
    commissioner, pending_provider, pending_check, django_capture_on_commit_callbacks, mailoutbox, send_outbox):
    from tests.factories import ProviderMembershipFactory

    owner = ProviderMembershipFactory(provider=pending_provider).user

    with django_capture_on_commit_callbacks(execute=True):
        services.check_reject(check=pending_check, actor=commissioner, reason="The scan is blurred.")
    with django_capture_on_commit_callbacks(execute=True):
        services.provider_approve(provider=pending_provider, actor=commissioner, reason="Welcome aboard.")

    assert send_outbox().sent >= 1
    assert [m.subject for m in mailoutbox] == [
        "Enhanced DBS check for Alan Prescott: not accepted",
        "Aspull Community Shed is approved",
    ]
    assert all(m.to == sorted([pending_provider.email, owner.email]) for m in mailoutbox)
    assert "The council's reason: The scan is blurred." in mailoutbox[0].body
    assert "The council's reason: Welcome aboard." in mailoutbox[1].body
    assert "/provider/aspull-community-shed/" in mailoutbox[1].body


def test_a_refused_decision_sends_nothing(
    commissioner, pending_provider, django_capture_on_commit_callbacks, mailoutbox
):
    Provider.objects.filter(pk=pending_provider.pk).update(status=ProviderStatus.DRAFT)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(IllegalTransition):
        services.provider_approve(provider=pending_provider, actor=commissioner)

    assert mailoutbox == []


def test_a_rejected_provider_can_put_it_right_and_submit_again(commissioner):
    from tests.factories import NeighbourhoodFactory, ProviderMembershipFactory, ServiceFactory

    membership = ProviderMembershipFactory(provider__status=ProviderStatus.PENDING)
    shed, alan = membership.provider, membership.user
    shed.neighbourhoods.add(NeighbourhoodFactory())
    ServiceFactory(provider=shed)

    services.provider_reject(provider=shed, actor=commissioner, reason="Please add your DBS certificate.")
    outbox_send_due()
    mail.outbox.clear()
    services.provider_submit(provider=shed, actor=alan)

    shed.refresh_from_db()
    assert (shed.status, shed.decision_reason) == (ProviderStatus.PENDING, "Please add your DBS certificate.")
    # Commissioners hear that it is waiting (again), with a link to it in the verification queue.
    outbox_send_due()
    assert [(m.to, m.subject) for m in mail.outbox] == [([commissioner.email], f"{shed} is waiting for verification")]
    assert mail.outbox[0].body.endswith(f"{reverse('verification:provider', args=[shed.slug])}\n")
