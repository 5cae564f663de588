"""Issue 18, item 7: sign-up says what happens next and how long approval usually takes; the services table says
why a service is not shown to people."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from providers.models import CheckType, ProviderCheck
from providers.page_selectors import approval_typical_days
from tests import factories


def _owner(provider):
    return factories.ProviderMembershipFactory(provider=provider, role="owner").user


def test_the_submit_step_says_what_happens_next_and_how_long_it_usually_takes(client, db):
    now = timezone.now()
    for days in (3, 5, 30):
        factories.ProviderFactory(submitted_at=now - datetime.timedelta(days=days + 1),
                                  approved_at=now - datetime.timedelta(days=1))
    provider = factories.ProviderFactory(name="Aspull Shed", status="draft", onboarding_step=5)
    client.force_login(_owner(provider))

    body = client.get(reverse("providers:onboarding", args=[provider.slug, "submit"])).content.decode()

    assert approval_typical_days() == (5, 3)
    assert "<h2>What happens next</h2>" in body
    assert "When every mandatory check is approved, the council approves Aspull Shed and you get an email." in body
    assert "about 5 days from submitting to approval (the middle of the 3 providers approved in the last year)" in body


def test_with_no_approvals_to_go_by_the_page_says_it_cannot_say(client, db):
    provider = factories.ProviderFactory(name="Aspull Shed", status="draft", onboarding_step=5)
    client.force_login(_owner(provider))

    body = client.get(reverse("providers:onboarding", args=[provider.slug, "submit"])).content.decode()

    assert approval_typical_days() is None
    assert "nobody has been approved through this website in the last year yet, so we cannot say" in body


def test_the_services_table_says_why_a_live_service_is_not_shown(client, db):
    service = factories.ListedServiceFactory(title="Garden tidy", status="live")
    provider = service.provider
    client.force_login(_owner(provider))
    dbs = CheckType.objects.get(slug="dbs-enhanced")
    ProviderCheck.objects.filter(provider=provider, check_type=dbs).update(
        expires_on=timezone.localdate() - datetime.timedelta(days=1))

    body = client.get(reverse("providers:dashboard", args=[provider.slug])).content.decode()

    row = body.split("Garden tidy</a></th>")[1].split("</tr>")[0]
    assert '<td data-label="Status">Live</td>' in row
    assert f"No. The council has not yet approved a current {dbs.name}." in row


def test_a_service_of_a_provider_waiting_for_approval_says_so(client, db):
    provider = factories.ProviderFactory(name="Aspull Shed", status="pending")
    factories.ServiceFactory(provider=provider, title="Shed sessions", status="live")
    client.force_login(_owner(provider))

    body = client.get(reverse("providers:dashboard", args=[provider.slug])).content.decode()

    assert ("No. Aspull Shed is waiting for approval: services are shown once the council has approved it."
            in body)
