"""Issue 18, item 8: the words people met on the pages, each as a person should read it."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from market.core.audit import audit_record
from orders.forms import DateRangeForm, VisitDateForm
from providers.display import Opening, describe_opening
from providers.page_selectors import provider_history
from providers.services import provider_approve
from tests import factories

from .helpers import in_days, make_budget, make_service, place, today


def _block(holder, hours=4):
    budget = make_budget(holder=holder, amount_pence=50_000, period="four_weekly", starts_on=today(),
                         ends_on=today() + datetime.timedelta(days=27))
    service = make_service(neighbourhood=holder.neighbourhood)
    order = place(user=holder.user, budget=budget, service=service, kind="block", block_hours=hours,
                  first_visit_on=in_days(1), last_visit_on=in_days(6))
    return order, service


def test_accepting_a_block_says_hours_are_set_aside_not_visits_booked(client, holder):
    order, service = _block(holder)
    client.force_login(service.owner)

    response = client.post(reverse("orders:accept", args=[order.pk]), follow=True)

    body = response.content.decode()
    assert "Order accepted. The hours are set aside; the provider records each visit as it happens." in body
    assert "The visits are booked" not in body


def test_accepting_one_visit_says_the_visit_is_booked(client, holder):
    budget = make_budget(holder=holder)
    service = make_service(neighbourhood=holder.neighbourhood)
    order = place(user=holder.user, budget=budget, service=service)
    client.force_login(service.owner)

    body = client.post(reverse("orders:accept", args=[order.pk]), follow=True).content.decode()

    assert "Order accepted. The visit is booked." in body


def test_a_block_shows_its_hours_not_zero_visits_and_no_midnight_start(client, holder):
    order, service = _block(holder)
    client.force_login(service.owner)

    detail = client.get(reverse("orders:order", args=[order.pk])).content.decode()
    dashboard = client.get(reverse("orders:provider-dashboard")).content.decode()

    assert "£17.50 per hour; 4 hours, £70.00 in total" in detail
    assert "0 visits" not in detail
    first, last = in_days(1), in_days(6)
    starts = f"4 hours from {first:%a} {first.day} {first:%b} to {last:%a} {last.day} {last:%b}"
    assert f'<td data-label="Starts">{starts}</td>' in dashboard
    assert "00:00" not in dashboard


def test_an_orders_length_reads_in_hours_not_minutes(client, holder):
    budget = make_budget(holder=holder)
    service = make_service(neighbourhood=holder.neighbourhood)
    order = place(user=holder.user, budget=budget, service=service, duration_minutes=150)
    client.force_login(holder.user)

    detail = client.get(reverse("orders:order", args=[order.pk])).content.decode()

    assert "at 10:00 for 2 hours 30 minutes</dd>" in detail
    assert "150 minutes" not in detail


def test_a_free_service_reads_free_not_zero_pounds(client, holder):
    budget = make_budget(holder=holder)
    service = make_service(neighbourhood=holder.neighbourhood, price_pence=0, unit="free")
    order = place(user=holder.user, budget=budget, service=service)
    client.force_login(holder.user)

    detail = client.get(reverse("orders:order", args=[order.pk])).content.decode()

    assert "<dt>Price</dt><dd>Free</dd>" in detail
    assert "£0.00" not in detail.split("<dt>Price</dt>")[1].split("</div>")[0]


def test_next_available_is_the_providers_slot_not_a_clock_time():
    now = datetime.datetime(2026, 11, 30, 7, 23)
    later_today = Opening(datetime.datetime(2026, 11, 30, 9, 0), datetime.time(12, 0))
    tomorrow = Opening(datetime.datetime(2026, 12, 1, 14, 30), datetime.time(17, 0))
    running = Opening(datetime.datetime(2026, 11, 30, 7, 0), datetime.time(11, 0))

    assert describe_opening(later_today, now) == "Today, 9am to 12 noon"
    assert describe_opening(tomorrow, now) == "Tomorrow, 2:30pm to 5pm"
    assert describe_opening(running, now) == "Now, until 11am"


def test_date_questions_give_no_typed_example_beside_the_browsers_date_picker():
    for form in (VisitDateForm(), DateRangeForm()):
        html = str(form)
        assert 'type="date"' in html
        assert "For example" not in html
        assert "24 11 2026" not in html


def test_verification_history_names_events_in_words_and_shows_an_approval_without_an_event(
        verified_client, commissioner, db):
    provider = factories.ProviderFactory(name="Wigan Walks", approved_at=timezone.now(), decided_by=commissioner)
    audit_record(action="provider.details_changed", target=provider, data={"step": "contact"})

    client = verified_client(commissioner)
    body = client.get(reverse("verification:provider", args=[provider.slug])).content.decode()

    assert "provider.details_changed" not in body
    assert "Changed the provider&#x27;s details: contact details" in body
    assert "Nothing yet." not in body
    history = body.split('id="history-heading"')[1]
    assert '<td data-label="What">Approved</td>' in history


def test_approving_through_the_queue_is_one_approved_row(commissioner, db):
    provider = factories.ProviderFactory(name="Shed", status="pending")
    provider_approve(provider=provider, actor=commissioner)
    provider.refresh_from_db()

    rows = provider_history(provider)

    assert provider.approved_at is not None
    assert [row.what for row in rows if "Approved" in row.what] == ["Shed: Waiting for approval → Approved"]
