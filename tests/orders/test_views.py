"""The pages: budget statement, the provider's answers, visits. (Ordering's question pages: test_booking.py.)"""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse

from market.core.models import AuditEvent
from orders.models import OrderStatus
from orders.selectors import budget_balance
from tests import factories

from .helpers import a_slot_just_gone, make_service, place


@pytest.fixture
def service(holder):
    return make_service(neighbourhood=holder.neighbourhood)


def test_the_statement_shows_allocated_committed_spent_and_left(client, holder, budget, service):
    place(user=holder.user, budget=budget, service=service)
    client.force_login(holder.user)

    response = client.get(reverse("orders:budget", args=[budget.pk]))

    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    for text in ("Allocated</dt><dd>£100.00", "Committed to orders (not yet paid)</dt><dd>£17.50",
                 "Spent on confirmed visits</dt><dd>£0.00", "Left</dt><dd><strong>£82.50"):
        assert text in body
    assert "Adjust this budget" not in body


def test_a_stranger_cannot_see_a_statement(client, budget):
    client.force_login(factories.HolderUserFactory())
    assert client.get(reverse("orders:budget", args=[budget.pk])).status_code == HTTPStatus.NOT_FOUND


def test_a_commissioners_look_at_a_statement_is_logged(verified_client, commissioner, budget):
    response = verified_client(commissioner).get(reverse("orders:budget", args=[budget.pk]))
    assert response.status_code == HTTPStatus.OK
    assert AuditEvent.objects.filter(action="person.record_viewed", actor=commissioner).count() == 1


def test_the_provider_accepts_from_the_dashboard(client, holder, budget, service):
    order = place(user=holder.user, budget=budget, service=service)
    client.force_login(service.owner)

    dashboard = client.get(reverse("orders:provider-dashboard"))
    assert order.reference in dashboard.content.decode()
    response = client.post(reverse("orders:accept", args=[order.pk]))

    assert response.status_code == HTTPStatus.FOUND
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED


def test_another_provider_cannot_see_or_answer_the_order(client, holder, budget, service):
    order = place(user=holder.user, budget=budget, service=service)
    client.force_login(factories.ProviderMembershipFactory().user)

    assert client.get(reverse("orders:order", args=[order.pk])).status_code == HTTPStatus.NOT_FOUND
    assert client.post(reverse("orders:accept", args=[order.pk])).status_code == HTTPStatus.NOT_FOUND
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED


def test_declining_without_a_reason_shows_an_error(client, holder, budget, service):
    order = place(user=holder.user, budget=budget, service=service)
    client.force_login(service.owner)
    response = client.post(reverse("orders:decline", args=[order.pk]), {"reason": ""})
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["reason"] == ["Give a reason"]
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED


def test_a_coordinator_adjusts_through_the_page(client, holder, budget):
    coordinator = holder.caseload_assignments.get().coordinator
    client.force_login(coordinator)
    url = reverse("orders:budget-adjust", args=[budget.pk])
    response = client.post(url, {"direction": "remove", "amount": "12.50", "on": datetime.date.today().isoformat(),
                                 "reason": "Review"})
    assert response.status_code == HTTPStatus.FOUND
    assert budget_balance(budget).left == 8750

    client.force_login(holder.user)
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND


def test_an_order_from_placing_to_a_confirmed_visit_through_the_pages(client, holder, budget, service):
    from django.utils import timezone

    from orders.models import Visit

    order = place(user=holder.user, budget=budget, service=service)
    client.force_login(service.owner)
    client.post(reverse("orders:accept", args=[order.pk]))
    visit = order.visits.get()
    past, ended = a_slot_just_gone()
    Visit.objects.filter(pk=visit.pk).update(starts_at=past, ends_at=ended)

    page = client.get(reverse("orders:order", args=[order.pk]))
    assert "Record this visit" in page.content.decode()
    local = timezone.localtime(past)
    response = client.post(reverse("orders:visit-record", args=[visit.pk]), {
        "actual_starts_at": local.strftime("%Y-%m-%dT%H:%M"),
        "actual_ends_at": timezone.localtime(ended).strftime("%Y-%m-%dT%H:%M"), "notes": "Lovely walk",
    })
    assert response.status_code == HTTPStatus.FOUND

    client.force_login(holder.user)
    page = client.get(reverse("orders:order", args=[order.pk]))
    assert "Lovely walk" in page.content.decode()
    assert client.post(reverse("orders:visit-confirm", args=[visit.pk])).status_code == HTTPStatus.FOUND

    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    statement = client.get(reverse("orders:budget", args=[budget.pk])).content.decode()
    assert "Spent on confirmed visits</dt><dd>£17.50" in statement
    assert "Left</dt><dd><strong>£82.50" in statement
    assert client.get(reverse("orders:person-orders", args=[holder.pk])).status_code == HTTPStatus.OK
    assert client.get(reverse("orders:budgets", args=[holder.pk])).status_code == HTTPStatus.OK


def test_the_person_page_links_to_their_budgets_and_orders(client, holder):
    client.force_login(holder.user)
    body = client.get(reverse("accounts:person", args=[holder.pk])).content.decode()
    assert reverse("orders:budgets", args=[holder.pk]) in body
    assert reverse("orders:person-orders", args=[holder.pk]) in body


def test_a_commissioner_sees_an_order_read_only_and_the_look_is_logged(verified_client, commissioner, holder, budget,
                                                                        service):
    order = place(user=holder.user, budget=budget, service=service)
    client = verified_client(commissioner)

    page = client.get(reverse("orders:order", args=[order.pk]))
    assert page.status_code == HTTPStatus.OK
    assert "This view has been recorded" in page.content.decode()
    assert "What you can do" not in page.content.decode()
    assert AuditEvent.objects.filter(action="person.record_viewed", actor=commissioner).count() == 1

    client.post(reverse("orders:cancel", args=[order.pk]), {"reason": "Oversight"})
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED
    assert budget_balance(budget).committed == 1750


def test_date_fields_are_prefilled_in_the_format_date_inputs_read():
    from orders.forms import AdjustForm

    form = AdjustForm(initial={"on": datetime.date(2026, 11, 23)})
    assert 'value="2026-11-23"' in str(form["on"])
