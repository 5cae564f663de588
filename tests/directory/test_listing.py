"""The search table (directory_listing) agrees with the live listing rule, providers.selectors.listed_services(),
after every kind of change that matters, made through the providers services or straight in the database
(the table is kept current by triggers, in the same transaction as the change)."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.utils import timezone

from directory.index import ListingIndex
from directory.models import Listing
from directory.services import listings_refresh
from providers import services as provider_services
from providers.models import CheckStatus, CheckType, ProviderStatus, ServiceStatus
from providers.selectors import listed_services
from tests.factories import (
    CategoryFactory,
    ListedServiceFactory,
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
    """What the search table shows on a day (the date test the search applies when it reads)."""
    rows = Listing.objects.filter(Q(listed_from__isnull=True) | Q(listed_from__lte=on)).filter(
        Q(listed_until__isnull=True) | Q(listed_until__gte=on)
    )
    return set(rows.values_list("service_id", flat=True))


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


@pytest.mark.parametrize("params", [
    {}, {"sort": "price"}, {"sort": "newest"}, {"postcode": "WN1 1AA"}, {"postcode": "WN5"},
    {"postcode": "WN6 0QQ", "sort": "price"}, {"q": "tea"}, {"q": "tea", "postcode": "WN1"},
    {"category": "gardening"}, {"need": "getting-out"}, {"day": "0"}, {"time": "evening"},
    {"day": "4", "time": "evening"}, {"max_price": "15"}, {"language": "Urdu"}, {"regulated": "only"},
    {"regulated": "exclude", "council_budget": "on"},
    {"need": "getting-out", "sort": "newest"}, {"q": "tea", "sort": "price"},
    {"category": "gardening", "sort": "newest"}, {"q": "tea -dance"}, {"q": '"tea dance"'},
    {"q": "tea or hedges", "postcode": "WN5", "sort": "distance"}, {"postcode": "WN1 1AA", "sort": "newest"},
    {"postcode": "WN5", "day": "4", "time": "evening", "max_price": "12"},
])
def test_the_fast_search_finds_what_the_live_query_finds_in_the_same_order(borough, listed, gardening, params):
    """search_page() (the table, re-checked live) and search_services() (the rule evaluated in one query over
    every service) give the same services, order and total."""
    from directory.forms import SearchForm
    from directory.selectors import search_page, search_services
    from providers.models import AvailabilityException, ServiceAvailability
    from tests.factories import NeedFactory

    chat = listed(title="Cuppa and a chat", price_pence=1400, languages=["urdu"], unit="per_visit",
                  description="A friendly visit at home for tea and conversation.")
    ServiceAvailability.objects.create(service=chat, weekday=0, starts_at="09:00", ends_at="12:00")
    ServiceAvailability.objects.create(service=chat, weekday=2, starts_at="13:30", ends_at="15:00")
    next_monday = timezone.localdate() + datetime.timedelta(days=7 - timezone.localdate().weekday())
    AvailabilityException.objects.create(service=chat, date=next_monday)  # a day off: the card shows the next
    dance = listed(title="Tea dance", price_pence=1000, unit="per_session", council_budget_ok=False,
                   neighbourhoods=["pemberton"], description="Dancing, music and cake at the church hall.")
    NeedFactory(name="Getting out").services.add(dance)
    ServiceAvailability.objects.create(service=dance, weekday=4, starts_at="18:30", ends_at="21:00")
    listed(title="Hedge trimming", category=gardening, price_pence=2000, neighbourhoods=["standish"],
           description="Hedges, lawns and borders kept tidy, tea provided.")
    listed(title="Walks within 5 km", neighbourhoods=(), travel_radius_km=5, provider__postcode="WN6 0QQ")
    roaming = listed(title="Provider's own areas", neighbourhoods=(), provider__postcode="WN5 9XX")
    roaming.provider.neighbourhoods.set([borough["pemberton"]])
    ListedServiceFactory(title="Not covering anywhere", category=gardening)
    paused = listed(title="Paused tea")
    paused.status = ServiceStatus.PAUSED
    paused.save()

    form = SearchForm(params)
    assert form.is_valid(), form.errors
    criteria = form.criteria()
    today = timezone.localdate()

    live = list(search_services(criteria, on=today).values_list("pk", flat=True))
    page = search_page(criteria, number=1, today=today, size=50)
    index = ListingIndex.load()
    in_memory = search_page(criteria, number=1, today=today, size=50, index=index)

    assert [row.service.pk for row in page.rows] == live
    assert page.total == len(live)
    # The in-memory index: the same services in the same order, the same distances and ranks to the last bit.
    assert [row.service.pk for row in in_memory.rows] == live
    assert in_memory.total == len(live)
    assert [(row.service.distance_km, row.service.rank, row.distance) for row in in_memory.rows] == [
        (row.service.distance_km, row.service.rank, row.distance) for row in page.rows
    ]
    assert [row.html for row in in_memory.rows] == [row.html for row in page.rows]  # the cards, from memory
    # And page by page (two to a page), including a page past the end (the last page, with a message).
    for number in range(1, len(live) // 2 + 3):
        paged = search_page(criteria, number=number, today=today, size=2, index=index)
        last = max(1, -(-len(live) // 2))
        assert paged.number == min(number, last)
        assert [row.service.pk for row in paged.rows] == live[(paged.number - 1) * 2: paged.number * 2]
        assert bool(paged.message) == (number > last and bool(live))


def test_a_row_the_live_rule_refuses_is_never_shown(client, listed):
    """Two DBS checks with a gap between them: the table's date range spans the gap, the live rule does not.
    The page is re-checked through listed_services(), so the service is not shown and not counted."""
    from providers.models import ProviderCheck
    from tests.factories import ProviderCheckFactory

    listed(title="Listed one")
    gap = listed(title="Between two checks")
    today = timezone.localdate()
    dbs = CheckType.objects.get(slug="dbs-enhanced")
    ProviderCheck.objects.filter(provider=gap.provider, check_type=dbs).update(
        issued_on=today - datetime.timedelta(days=400), expires_on=today - datetime.timedelta(days=10)
    )
    ProviderCheckFactory(provider=gap.provider, check_type=dbs, issued_on=today + datetime.timedelta(days=10),
                         expires_on=today + datetime.timedelta(days=365))
    assert gap.pk in visible(today)  # the index still has it...
    assert gap.pk not in live(today)  # ...the rule does not

    response = client.get("/find-support/", {"sort": "price"})

    assert [row.service.title for row in response.context["rows"]] == ["Listed one"]
    assert response.context["total"] == 1
    assert "Between two checks" not in response.content.decode()
