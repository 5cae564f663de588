"""The pages: budget statement, order form -> check your answers -> place, the provider's answers."""

from __future__ import annotations

import datetime
import uuid
from http import HTTPStatus

import pytest
from django.urls import reverse

from market.accounts.models import ConsentScope
from market.accounts.services import consent_grant
from market.core.models import AuditEvent
from orders.models import LedgerEntry, Order, OrderStatus
from orders.selectors import budget_balance
from tests import factories

from .helpers import in_days, make_budget, make_service, place


@pytest.fixture
def service(holder):
    return make_service(neighbourhood=holder.neighbourhood)


def _form(budget_, **overrides):
    data = {
        "for": budget_.holder.pk, "budget": budget_.pk, "kind": "one_off", "first_visit_on": in_days(3).isoformat(),
        "visit_starts_at": "10:00", "duration_minutes": "120", "items_per_visit": "1", "notes": "Ring twice",
    }
    data.update(overrides)
    return data


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


def test_ordering_shows_the_total_and_the_budget_effect_before_placing(client, holder, budget, service):
    client.force_login(holder.user)
    url = reverse("orders:new", args=[service.pk])

    assert client.get(url).status_code == HTTPStatus.OK
    check = client.post(url, {**_form(budget), "step": "check", "price_pence": "1"})  # a tampered price is ignored

    assert check.status_code == HTTPStatus.OK
    body = check.content.decode()
    assert "Total</dt><dd><strong>£35.00" in body
    assert "Left after this order</dt><dd><strong>£65.00" in body
    assert Order.objects.count() == 0
    key = check.context["idempotency_key"]

    placed = client.post(url, {**_form(budget), "step": "place", "idempotency_key": str(key)})
    again = client.post(url, {**_form(budget), "step": "place", "idempotency_key": str(key)})

    order = Order.objects.get()
    assert placed.status_code == again.status_code == HTTPStatus.FOUND
    assert placed["Location"] == again["Location"] == reverse("orders:order", args=[order.pk])
    assert (order.total_pence, order.notes) == (3500, "Ring twice")
    assert budget_balance(budget).committed == 3500


def test_another_persons_budget_in_the_form_is_refused(client, holder, budget, service, other_holder):
    other_budget = make_budget(holder=other_holder)
    client.force_login(holder.user)

    response = client.post(reverse("orders:new", args=[service.pk]),
                           {**_form(budget, budget=other_budget.pk), "step": "place",
                            "idempotency_key": str(uuid.uuid4())})

    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["budget"] == ["Choose one of the budgets listed"]
    assert LedgerEntry.objects.filter(kind="reservation").count() == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"first_visit_on": "2020-01-01"}, "first_visit_on", "The first visit must be in the future."),
        ({"first_visit_on": "31/02/2027"}, "first_visit_on", "Enter a real date, like 24 11 2026"),
        ({"duration_minutes": "0"}, "duration_minutes", "Choose one of the lengths listed"),
        ({"kind": "weekly"}, "weekdays", "Choose at least one day of the week"),
        ({"kind": "weekly", "weekdays": ["0"], "last_visit_on": "2020-01-01"}, "last_visit_on",
         "The end date must be on or after the start date."),
        ({"items_per_visit": "100000"}, "items_per_visit", "Choose at most 100"),
        ({"duration_minutes": "720"}, "budget", None),
    ],
)
def test_bad_input_is_answered_beside_the_field(client, holder, budget, service, overrides, field, message):
    client.force_login(holder.user)
    response = client.post(reverse("orders:new", args=[service.pk]), {**_form(budget, **overrides), "step": "check"})

    assert response.status_code == HTTPStatus.OK
    errors = response.context["form"].errors[field]
    if message:
        assert errors == [message]
    else:
        assert "cannot afford" in errors[0]
    assert Order.objects.count() == 0
    assert LedgerEntry.objects.filter(kind="reservation").count() == 0


def test_a_supporter_orders_through_the_pages(client, holder, budget, service, supporter):
    consent_grant(holder=holder, supporter=supporter, scopes=[ConsentScope.VIEW, ConsentScope.ORDER],
                  relationship="Daughter", granted_by=holder.user)
    client.force_login(supporter)
    url = reverse("orders:new", args=[service.pk])
    assert client.get(url).status_code == HTTPStatus.OK  # asks who the order is for
    response = client.post(f"{url}?for={holder.pk}", {**_form(budget), "step": "place",
                                                     "idempotency_key": str(uuid.uuid4())})
    assert response.status_code == HTTPStatus.FOUND
    assert Order.objects.get().placed_by == supporter


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
    past = timezone.now() - datetime.timedelta(hours=3)
    Visit.objects.filter(pk=visit.pk).update(starts_at=past, ends_at=past + datetime.timedelta(hours=1))

    page = client.get(reverse("orders:order", args=[order.pk]))
    assert "Record this visit" in page.content.decode()
    local = timezone.localtime(past)
    response = client.post(reverse("orders:visit-record", args=[visit.pk]), {
        "actual_starts_at": local.strftime("%Y-%m-%dT%H:%M"),
        "actual_ends_at": (local + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), "notes": "Lovely walk",
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
