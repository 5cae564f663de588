"""A provider is warned before a mandatory check expires (30, 14 and 7 days), once each, and on expiry, when
commissioners hear too; the dashboard and the commissioners' queue show it. A renewal stops the warnings."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from market.core.models import TaskRun
from market.outbox.services import outbox_send_due
from providers.models import CheckType, MemberRole, ProviderCheck
from providers.selectors import checks_lapsing
from providers.services import check_expiry_reminders_send
from providers.tasks import check_expiry_reminders
from tests.factories import ListedServiceFactory, ProviderCheckFactory, ProviderMembershipFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def dbs(db):
    service = ListedServiceFactory(provider__name="Jo's Companions", provider__email="jo@example.org")
    check = ProviderCheck.objects.get(provider=service.provider, check_type__slug="dbs-enhanced")
    check.expires_on = TODAY + datetime.timedelta(days=20)
    check.save()
    return check


def _sent(on: datetime.date) -> list[str]:
    mail.outbox.clear()
    check_expiry_reminders_send(today=on)
    outbox_send_due()
    return sorted(message.subject for message in mail.outbox)


def test_warnings_at_30_14_and_7_days_each_once_then_on_expiry(dbs, commissioner):
    assert _sent(TODAY) == ["Your Enhanced DBS check for Jo Fairclough expires in 20 days"]
    assert _sent(TODAY) == []  # nothing twice for the same reason
    assert _sent(TODAY + datetime.timedelta(days=7)) == ["Your Enhanced DBS check for Jo Fairclough expires in 13 days"]
    assert _sent(TODAY + datetime.timedelta(days=8)) == []
    assert _sent(TODAY + datetime.timedelta(days=15)) == ["Your Enhanced DBS check for Jo Fairclough expires in 5 days"]
    assert _sent(TODAY + datetime.timedelta(days=20)) == []

    expired = _sent(TODAY + datetime.timedelta(days=21))
    assert expired == ["Jo's Companions: Enhanced DBS check for Jo Fairclough expired, no longer listed",
                       "Your Enhanced DBS check for Jo Fairclough has expired"]
    to_commissioners = next(m for m in mail.outbox if "no longer listed" in m.subject)
    assert to_commissioners.to == [commissioner.email]
    assert reverse("verification:provider", args=[dbs.provider.slug]) in to_commissioners.body
    assert _sent(TODAY + datetime.timedelta(days=22)) == []


def test_a_renewal_approved_in_time_stops_the_warnings(dbs):
    ProviderCheckFactory(provider=dbs.provider, check_type=dbs.check_type, person_name=dbs.person_name,
                         issued_on=TODAY, expires_on=TODAY + datetime.timedelta(days=1000))

    assert checks_lapsing(within_days=30) == []
    assert _sent(TODAY) == []


def test_the_dashboard_and_the_queue_show_what_is_about_to_lapse(dbs, client, commissioner, verified_client):
    owner = ProviderMembershipFactory(provider=dbs.provider, role=MemberRole.OWNER).user
    client.force_login(owner)
    page = client.get(reverse("providers:dashboard", args=[dbs.provider.slug])).content.decode()
    assert "Renew before your listing stops" in page and "expires in 20 days" in page

    queue = verified_client(commissioner).get(reverse("verification:queue")).content.decode()
    body = queue[queue.index("<h1>Verification queue</h1>"):]
    assert "Checks about to expire" in body and "Jo&#x27;s Companions" in body
    assert "Checks about to expire" not in queue[:queue.index("</title>")]


def test_the_daily_task_is_recorded(dbs):
    assert CheckType.objects.filter(is_mandatory=True).exists()
    check_expiry_reminders()

    run = TaskRun.objects.get(task="providers.tasks.check_expiry_reminders")
    assert (run.status, run.items_done) == ("finished", 1)


def test_links_in_emails_use_the_sites_configured_address(dbs, settings, commissioner):
    settings.SITE_URL = "https://care.wigan.example"

    _sent(TODAY)
    expired = _sent(TODAY + datetime.timedelta(days=21))

    assert expired
    bodies = [message.body for message in mail.outbox]
    assert all("https://care.wigan.example/" in body for body in bodies)
    assert not any("localhost" in body or ":8000" in body for body in bodies)
