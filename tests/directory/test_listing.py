"""The search table (directory_listing) agrees exactly with the listing rule, providers.selectors.listed_services(),
on every day, after every kind of change that matters, made through the providers services or straight in the
database (the table is kept current by triggers, in the same transaction as the change)."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from directory.models import Listing
from directory.services import listings_refresh
from providers import services as provider_services
from providers.models import CheckStatus, CheckType, ProviderStatus, ServiceStatus
from providers.selectors import listed_services
from tests.factories import (
    CategoryFactory,
    ListedServiceFactory,
    ProviderCheckFactory,
    ProviderFactory,
    ProviderMembershipFactory,
    ServiceFactory,
)
from tests.providers import test_listing_rules as rules

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def visible(on: datetime.date) -> set[int]:
    """What the search table lists on a day (the test every engine search applies when it reads)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT service_id FROM directory_listing WHERE listed_during @> %s::date", [on])
        return {service_id for (service_id,) in cursor.fetchall()}


def live(on: datetime.date) -> set[int]:
    return set(listed_services(on=on).values_list("pk", flat=True))


def assert_agrees(*days: datetime.date) -> None:
    for day in days or (timezone.localdate(),):
        assert visible(day) == live(day), day


def _days():
    today = timezone.localdate()
    return today - datetime.timedelta(days=1), today, today + datetime.timedelta(days=30), today + datetime.timedelta(
        days=400
    )


@pytest.mark.parametrize("break_it", [
    rules._break_by_expired_check,
    rules._break_by_missing_mandatory_check,
    rules._break_by_pending_check,
    rules._break_by_regulated_without_cqc,
    rules._break_by_regulated_category_without_cqc,
    rules._break_by_suspended_provider,
    rules._break_by_pending_provider,
    rules._break_by_paused_service,
    rules._break_by_expired_cqc,
])
def test_the_table_follows_every_way_a_service_stops_being_listed(break_it):
    kept = ListedServiceFactory()
    service = ListedServiceFactory()
    assert visible(timezone.localdate()) == {kept.pk, service.pk}

    break_it(service)

    assert visible(timezone.localdate()) == {kept.pk}
    assert_agrees(*_days())


def _upload(provider, owner, slug: str, *, issued_on, expires_on=None):
    evidence = provider_services.CheckEvidence(
        check_type=CheckType.objects.get(slug=slug),
        reference=f"REF-{slug}",
        person_name="Jo Bloggs" if CheckType.objects.get(slug=slug).per_person else "",
        amount_pence=500_000_000 if CheckType.objects.get(slug=slug).requires_amount else None,
        issued_on=issued_on,
        expires_on=expires_on,
        file=SimpleUploadedFile("evidence.pdf", PDF, content_type="application/pdf"),
    )
    return provider_services.check_upload(provider=provider, actor=owner, evidence=evidence)


def test_a_provider_journey_through_the_services_keeps_the_table_exact(
    commissioner, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    days = (*_days(), today + datetime.timedelta(days=59), today + datetime.timedelta(days=60))
    provider = ProviderFactory(status=ProviderStatus.PENDING)
    owner = ProviderMembershipFactory(provider=provider, role="owner").user
    companionship = CategoryFactory(name="Companionship")
    care = CategoryFactory(name="Personal care", is_regulated_personal_care=True)
    visit = ServiceFactory(provider=provider, category=companionship, title="Tea and a chat")
    ServiceFactory(provider=provider, category=care, title="Help getting dressed")  # regulated, no CQC yet
    other = ListedServiceFactory(title="Someone else's walk")

    # Checks uploaded and approved, one expiring in 60 days; the provider still pending: nothing of theirs.
    with django_capture_on_commit_callbacks(execute=True):
        checks = []
        for check_type in CheckType.objects.filter(is_mandatory=True).order_by("pk"):
            expires = today + datetime.timedelta(days=59) if check_type.slug == "dbs-enhanced" else None
            checks.append(_upload(provider, owner, check_type.slug, issued_on=today - datetime.timedelta(days=3),
                                  expires_on=expires))
        for check in checks:
            provider_services.check_approve(check=check, actor=commissioner)
    assert visible(today) == {other.pk}
    assert_agrees(*days)

    # Approved: the companionship service is listed until the DBS check expires; regulated care is not.
    with django_capture_on_commit_callbacks(execute=True):
        provider_services.provider_approve(provider=provider, actor=commissioner)
    assert visible(today) == {other.pk, visit.pk}
    assert visible(today + datetime.timedelta(days=60)) == {other.pk}  # expiry by date alone
    assert_agrees(*days)

    # A newer DBS check uploaded and rejected: nothing changes. Approved instead: listed beyond the old expiry.
    with django_capture_on_commit_callbacks(execute=True):
        newer = _upload(provider, owner, "dbs-enhanced", issued_on=today)
        newer = provider_services.check_reject(check=newer, actor=commissioner, reason="The scan is unreadable.")
    assert newer.status == CheckStatus.REJECTED
    assert visible(today + datetime.timedelta(days=60)) == {other.pk}
    assert_agrees(*days)

    # The service paused by its provider: gone; live again: back.
    with django_capture_on_commit_callbacks(execute=True):
        provider_services.service_update(service=visit, actor=owner, fields={"status": ServiceStatus.PAUSED})
    assert visible(today) == {other.pk}
    assert_agrees(*days)
    with django_capture_on_commit_callbacks(execute=True):
        provider_services.service_update(service=visit, actor=owner, fields={"status": ServiceStatus.LIVE})
    assert visible(today) == {other.pk, visit.pk}
    assert_agrees(*days)

    # Made regulated personal care without a CQC registration (straight in the database: the services refuse
    # it): the table drops it in the same transaction.
    visit.refresh_from_db()
    visit.is_regulated_personal_care = True
    visit.save()
    assert visible(today) == {other.pk}
    assert_agrees(*days)

    # A recorded CQC exemption lists both regulated services.
    with django_capture_on_commit_callbacks(execute=True):
        provider_services.provider_record_cqc_exemption(provider=provider, actor=commissioner,
                                                         reason="Registered with the CQC as a charity's scheme.")
    assert len(visible(today)) == 3
    assert_agrees(*days)

    # Suspended: nothing of theirs.
    with django_capture_on_commit_callbacks(execute=True):
        provider_services.provider_suspend(provider=provider, actor=commissioner, reason="Complaint under review.")
    assert visible(today) == {other.pk}
    assert_agrees(*days)


def test_search_fields_follow_edits_and_a_rebuild_changes_nothing(commissioner):
    from tests.factories import NeedFactory, NeighbourhoodFactory

    service = ListedServiceFactory(title="Garden tidy", languages=["English", "Urdu"], travel_radius_km=None)
    need = NeedFactory(name="Getting out")
    area = NeighbourhoodFactory(name="Pemberton")
    service.needs.set([need])
    service.neighbourhoods.set([area])
    service.availability.create(weekday=2, starts_at="09:30", ends_at="11:00")

    row = Listing.objects.get(pk=service.pk)
    assert (row.need_ids, row.neighbourhood_ids, row.languages, row.slot_hours, row.price_pence) == (
        [need.pk], [area.pk], ["english", "urdu"], [2 * 24 + 9, 2 * 24 + 10], 1750
    )

    before = list(Listing.objects.order_by("pk").values())
    listings_refresh()
    assert list(Listing.objects.order_by("pk").values()) == before


def _row_versions() -> dict[int, str]:
    """service id -> the physical version of its row (ctid, xmin): changes whenever the row is rewritten."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT service_id, ctid::text || '/' || xmin::text FROM directory_listing")
        return dict(cursor.fetchall())


def test_a_full_rebuild_rewrites_only_rows_that_changed_and_repairs_the_table():
    from django.db import connection

    kept, repriced, lost = (ListedServiceFactory(title=f"Service {n}") for n in range(3))
    stray = ServiceFactory(title="Never listed")  # its provider is pending
    with connection.cursor() as cursor:  # the table behind what it is derived from (no trigger on it)
        cursor.execute("UPDATE directory_listing SET price_pence = 1 WHERE service_id = %s", [repriced.pk])
        cursor.execute("DELETE FROM directory_listing WHERE service_id = %s", [lost.pk])
        cursor.execute("CREATE TEMP TABLE stray_row AS SELECT * FROM directory_listing WHERE service_id = %s",
                       [kept.pk])
        cursor.execute("UPDATE stray_row SET service_id = %s", [stray.pk])
        cursor.execute("INSERT INTO directory_listing SELECT * FROM stray_row")
        cursor.execute("DROP TABLE stray_row")
    before = _row_versions()
    assert stray.pk in before

    listings_refresh()

    after = _row_versions()
    assert set(after) == {kept.pk, repriced.pk, lost.pk} == live(timezone.localdate())
    assert stray.pk not in after
    assert after[kept.pk] == before[kept.pk]  # unchanged: not rewritten
    assert after[repriced.pk] != before[repriced.pk]
    assert Listing.objects.get(pk=repriced.pk).price_pence == repriced.price_pence
    assert_agrees(*_days())


def test_a_gap_between_two_checks_of_one_kind_is_a_gap_in_the_table_too():
    service = ListedServiceFactory()
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    dbs = service.provider.checks.get(check_type__slug="dbs-enhanced")
    dbs.expires_on = today + 10 * day
    dbs.save()
    ProviderCheckFactory(provider=service.provider, check_type=dbs.check_type, issued_on=today + 21 * day,
                         expires_on=today + 100 * day)

    assert [service.pk in visible(today + offset * day) for offset in (10, 11, 20, 21)] == [True, False, False, True]
    assert_agrees(today, today + 11 * day, today + 21 * day)
