"""Ordering as question pages: one question a page, check your answers, place (orders.booking)."""

from __future__ import annotations

import datetime
import uuid
from http import HTTPStatus

import pytest
from django.urls import reverse

from market.accounts.models import ConsentScope, FundingRoute
from market.accounts.services import consent_grant
from orders.models import LedgerEntry, Order
from orders.selectors import budget_balance
from orders.services import AUTO_CONFIRM_HOURS
from providers.models import ServiceAvailability
from tests import factories

from .helpers import in_days, make_budget, make_service


@pytest.fixture
def service(holder):
    return make_service(neighbourhood=holder.neighbourhood)


def _question(service, person, step: str, *, change: bool = False) -> str:
    url = reverse("orders:question", args=[service.pk, person.pk, step])
    return f"{url}?change=1" if change else url


def _check(service, person) -> str:
    return reverse("orders:check", args=[service.pk, person.pk])


ONE_VISIT = [
    ("how-often", {"kind": "one_off"}),
    ("dates", {"first_visit_on": in_days(3).isoformat()}),
    ("time", {"visit_starts_at": "10:00", "duration_minutes": "120"}),
    ("relative", {"pays_household_relative": "no"}),
    ("notes", {"notes": "Ring twice"}),
]


def _answer(client, service, person, answers) -> None:
    """Answer each page in turn, checking that each leads to the next (and the last to the check page)."""
    client.get(f"{reverse('orders:new', args=[service.pk])}?for={person.pk}")
    for (step, data), following in zip(answers, [*answers[1:], (None, None)], strict=True):
        response = client.post(_question(service, person, step), data)
        assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
        expected = _question(service, person, following[0]) if following[0] else _check(service, person)
        assert response["Location"] == expected


def test_starting_an_order_goes_to_the_first_question(client, holder, budget, service):
    client.force_login(holder.user)
    response = client.get(reverse("orders:new", args=[service.pk]))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == _question(service, holder, "how-often")
    page = client.get(response["Location"])
    body = page.content.decode()
    assert '<h1 class="field__heading">How often do you want this support?</h1>' in body
    assert body.count("<h1") == 1
    assert f'href="/providers/{service.provider.slug}/#service-{service.pk}">Back</a>' in body


def test_one_question_a_page_then_the_total_and_budget_effect_before_placing(client, holder, budget, service):
    client.force_login(holder.user)
    _answer(client, service, holder, ONE_VISIT)

    check = client.get(_check(service, holder))

    assert check.status_code == HTTPStatus.OK
    body = check.content.decode()
    assert "Total</dt><dd><strong>£35.00" in body
    assert "Left after this order</dt><dd><strong>£65.00" in body
    assert f"{in_days(3):%A %-d %B %Y}" in body
    assert "10:00, for 2 hours" in body
    assert "Ring twice" in body
    change_time = _question(service, holder, "time", change=True)
    assert f'href="{change_time}">Change<span class="visually-hidden"> the time' in body
    assert Order.objects.count() == 0
    key = check.context["idempotency_key"]

    placed = client.post(_check(service, holder), {"idempotency_key": key})
    again = client.post(_check(service, holder), {"idempotency_key": key})  # the same page submitted twice

    order = Order.objects.get()
    assert placed.status_code == again.status_code == HTTPStatus.FOUND
    assert placed["Location"] == again["Location"] == reverse("orders:order", args=[order.pk])
    assert (order.kind, order.total_pence, order.notes, order.duration_minutes) == ("one_off", 3500, "Ring twice", 120)
    assert budget_balance(budget).committed == 3500


def test_the_check_page_says_after_how_many_hours_a_visit_confirms_itself(client, holder, budget, service):
    client.force_login(holder.user)
    _answer(client, service, holder, ONE_VISIT)

    body = client.get(_check(service, holder)).content.decode()

    assert f"automatically if nobody answers within {AUTO_CONFIRM_HOURS} hours of the visit being recorded" in body


def test_a_weekly_arrangement_asks_for_days_and_an_end_date(client, holder, service):
    budget = make_budget(holder=holder, amount_pence=50_000, period="annual", starts_on=in_days(-5),
                         ends_on=in_days(300), funding_route=FundingRoute.COUNCIL_MANAGED)
    first = in_days(1)
    client.force_login(holder.user)
    _answer(client, service, holder, [
        ("how-often", {"kind": "weekly"}),
        ("days", {"weekdays": [str(first.weekday())]}),
        ("dates", {"first_visit_on": first.isoformat(), "last_visit_on": (first + datetime.timedelta(13)).isoformat()}),
        ("time", {"visit_starts_at": "09:30", "duration_minutes": "60"}),
        ("notes", {"notes": ""}),  # council-managed: no question about a relative in the household
    ])

    body = client.get(_check(service, holder)).content.decode()

    assert f"Days</dt><dd>{first:%A}s</dd>" in body
    assert "Number of visits</dt><dd>2</dd>" in body
    assert "Total</dt><dd><strong>£35.00" in body
    client.post(_check(service, holder), {"idempotency_key": client.session[f"order-draft:{service.pk}:{holder.pk}"]
                                          ["idempotency_key"]})
    order = Order.objects.get()
    assert (order.kind, order.weekdays, order.visit_count, order.budget) == ("weekly", [first.weekday()], 2, budget)


def test_a_block_of_hours_asks_for_hours_not_times(client, holder, budget, service):
    client.force_login(holder.user)
    _answer(client, service, holder, [
        ("how-often", {"kind": "block"}),
        ("dates", {"first_visit_on": in_days(1).isoformat(), "last_visit_on": in_days(3).isoformat()}),
        ("hours", {"block_hours": "3"}),
        ("relative", {"pays_household_relative": "no"}),
        ("notes", {"notes": ""}),
    ])

    body = client.get(_check(service, holder)).content.decode()

    assert "A block of 3 hours to use between" in body
    assert "Total</dt><dd><strong>£52.50" in body


def test_a_block_starts_tomorrow_at_the_earliest(client, holder, budget, service):
    client.force_login(holder.user)
    client.get(f"{reverse('orders:new', args=[service.pk])}?for={holder.pk}")
    client.post(_question(service, holder, "how-often"), {"kind": "block"})

    response = client.post(_question(service, holder, "dates"),
                           {"first_visit_on": in_days(0).isoformat(), "last_visit_on": in_days(3).isoformat()})

    assert response.context["form"].errors["first_visit_on"] == ["A block of hours can start tomorrow at the earliest"]


def test_a_block_is_not_offered_for_a_service_not_priced_by_the_hour(client, holder, budget):
    meals = make_service(neighbourhood=holder.neighbourhood, unit="per_item", price_pence=450)
    client.force_login(holder.user)
    client.get(f"{reverse('orders:new', args=[meals.pk])}?for={holder.pk}")

    page = client.get(_question(meals, holder, "how-often"))
    refused = client.post(_question(meals, holder, "how-often"), {"kind": "block"})

    assert "block" not in page.content.decode().lower()
    assert refused.context["form"].errors["kind"] == ["Choose one of the options listed"]


def test_a_per_item_service_asks_how_many_items(client, holder, budget):
    meals = make_service(neighbourhood=holder.neighbourhood, unit="per_item", price_pence=450)
    client.force_login(holder.user)
    _answer(client, meals, holder, [
        ("how-often", {"kind": "one_off"}),
        ("dates", {"first_visit_on": in_days(2).isoformat()}),
        ("time", {"visit_starts_at": "12:00", "duration_minutes": "30"}),
        ("items", {"items_per_visit": "2"}),
        ("relative", {"pays_household_relative": "no"}),
        ("notes", {"notes": ""}),
    ])
    assert "Total</dt><dd><strong>£9.00" in client.get(_check(meals, holder)).content.decode()


@pytest.mark.parametrize(
    ("step", "data", "field", "message"),
    [
        ("how-often", {}, "kind", "Choose one visit, every week, or a block of hours"),
        ("how-often", {"kind": "fortnightly"}, "kind", "Choose one of the options listed"),
        ("dates", {"first_visit_on": "31/02/2027"}, "first_visit_on", "Enter a real date"),
        ("dates", {"first_visit_on": "2020-01-01"}, "first_visit_on", "The date must be today or in the future"),
        ("time", {"visit_starts_at": "25:00", "duration_minutes": "60"}, "visit_starts_at",
         "Enter a time like 10:00 or 14:30"),
        ("time", {"visit_starts_at": "10:00", "duration_minutes": "0"}, "duration_minutes",
         "Choose one of the lengths listed"),
        ("relative", {}, "pays_household_relative", "Choose yes or no"),
        ("notes", {"notes": "x" * 2001}, "notes", "Keep it under 2,000 characters"),
    ],
)
def test_bad_answers_are_shown_beside_the_question(client, holder, budget, service, step, data, field, message):
    client.force_login(holder.user)
    client.get(f"{reverse('orders:new', args=[service.pk])}?for={holder.pk}")
    client.post(_question(service, holder, "how-often"), {"kind": "one_off"})

    response = client.post(_question(service, holder, step), data)

    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors[field] == [message]
    body = response.content.decode()
    assert '<h2 id="error-summary-title" class="error-summary__title">There is a problem</h2>' in body
    assert "<title>Error: " in body
    assert Order.objects.count() == 0


def test_weekly_dates_must_end_after_they_start(client, holder, budget, service):
    client.force_login(holder.user)
    client.get(f"{reverse('orders:new', args=[service.pk])}?for={holder.pk}")
    client.post(_question(service, holder, "how-often"), {"kind": "weekly"})

    response = client.post(_question(service, holder, "dates"),
                           {"first_visit_on": in_days(5).isoformat(), "last_visit_on": in_days(4).isoformat()})

    assert response.context["form"].errors["last_visit_on"] == ["The end date must be on or after the start date"]


def test_a_rule_broken_at_the_check_page_is_shown_on_the_question_that_fixes_it(client, holder, budget, service):
    ServiceAvailability.objects.create(service=service, weekday=in_days(3).weekday(), starts_at=datetime.time(13),
                                       ends_at=datetime.time(17))
    client.force_login(holder.user)
    _answer(client, service, holder, ONE_VISIT)  # 10:00 to 12:00, but the provider works afternoons

    response = client.get(_check(service, holder))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == _question(service, holder, "time", change=True)
    page = client.get(response["Location"])
    assert page.context["form"].errors["visit_starts_at"][0].startswith(f"{service.provider} is not available on")
    assert client.get(response["Location"]).context["form"].errors == {}  # said once, not stuck on the page
    fixed = client.post(response["Location"], {"visit_starts_at": "14:00", "duration_minutes": "120"})
    assert fixed["Location"] == _check(service, holder)
    assert client.get(_check(service, holder)).status_code == HTTPStatus.OK
    assert Order.objects.count() == 0


def test_an_unaffordable_order_is_explained_on_the_check_page_with_no_place_button(client, holder, service):
    make_budget(holder=holder, amount_pence=2000, funding_route=FundingRoute.SELF_FUNDED)
    client.force_login(holder.user)
    _answer(client, service, holder, [
        ("how-often", {"kind": "one_off"}),
        ("dates", {"first_visit_on": in_days(2).isoformat()}),
        ("time", {"visit_starts_at": "10:00", "duration_minutes": "120"}),
        ("notes", {"notes": ""}),
    ])

    response = client.get(_check(service, holder))

    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "This order cannot be placed" in body
    assert "cannot afford" in response.context["refusal"]
    assert "Place the order" not in body
    refused = client.post(_check(service, holder), {"idempotency_key": str(uuid.uuid4())})
    assert refused.status_code == HTTPStatus.FOUND  # an out-of-date key places nothing
    assert LedgerEntry.objects.filter(kind="reservation").count() == 0


def test_changing_an_answer_returns_to_the_check_page_asking_only_what_is_new(client, holder, service):
    make_budget(holder=holder, amount_pence=50_000, period="annual", ends_on=in_days(300))
    client.force_login(holder.user)
    _answer(client, service, holder, ONE_VISIT)
    first = in_days(3)

    to_days = client.post(_question(service, holder, "how-often", change=True), {"kind": "weekly"})
    assert to_days["Location"] == _question(service, holder, "days", change=True)
    to_dates = client.post(to_days["Location"], {"weekdays": [str(first.weekday())]})
    assert to_dates["Location"] == _question(service, holder, "dates", change=True)  # now needs an end date
    back = client.post(to_dates["Location"], {"first_visit_on": first.isoformat(),
                                              "last_visit_on": (first + datetime.timedelta(7)).isoformat()})
    assert back["Location"] == _check(service, holder)

    changed_notes = client.post(_question(service, holder, "notes", change=True), {"notes": "Side door"})
    assert changed_notes["Location"] == _check(service, holder)
    body = client.get(_check(service, holder)).content.decode()
    assert "Number of visits</dt><dd>2</dd>" in body
    assert "Side door" in body


def test_a_question_that_does_not_apply_goes_back_to_the_journey(client, holder, budget, service):
    client.force_login(holder.user)
    client.get(f"{reverse('orders:new', args=[service.pk])}?for={holder.pk}")
    client.post(_question(service, holder, "how-often"), {"kind": "one_off"})

    assert client.get(_question(service, holder, "days"))["Location"] == _question(service, holder, "dates")
    assert client.get(_question(service, holder, "budget"))["Location"] == _question(service, holder, "dates")
    assert client.get(_check(service, holder))["Location"] == _question(service, holder, "dates")
    assert client.get(_question(service, holder, "nonsense")).status_code == HTTPStatus.NOT_FOUND


def test_with_two_budgets_the_person_chooses_and_another_persons_budget_is_refused(client, holder, budget, service,
                                                                                    other_holder):
    second = make_budget(holder=holder, funding_route=FundingRoute.SELF_FUNDED)
    other_budget = make_budget(holder=other_holder)
    client.force_login(holder.user)
    client.get(f"{reverse('orders:new', args=[service.pk])}?for={holder.pk}")
    for step, data in ONE_VISIT[:3]:
        client.post(_question(service, holder, step), data)

    refused = client.post(_question(service, holder, "budget"), {"budget": other_budget.pk})
    chosen = client.post(_question(service, holder, "budget"), {"budget": second.pk})

    assert refused.context["form"].errors["budget"] == ["Choose one of the budgets listed"]
    assert chosen["Location"] == _question(service, holder, "notes")  # self-funded: no question about a relative
    client.post(_question(service, holder, "notes"), {"notes": ""})
    key = client.get(_check(service, holder)).context["idempotency_key"]
    client.post(_check(service, holder), {"idempotency_key": key})
    assert Order.objects.get().budget == second
    assert budget_balance(budget).committed == 0


def test_a_supporter_chooses_who_then_orders_for_them(client, holder, budget, service, supporter):
    consent_grant(holder=holder, supporter=supporter, scopes=[ConsentScope.VIEW, ConsentScope.ORDER],
                  relationship="Daughter", granted_by=holder.user)
    client.force_login(supporter)

    choose = client.get(reverse("orders:new", args=[service.pk]))
    assert choose.status_code == HTTPStatus.OK
    assert f"?for={holder.pk}" in choose.content.decode()
    _answer(client, service, holder, ONE_VISIT)
    page = client.get(_check(service, holder))
    client.post(_check(service, holder), {"idempotency_key": page.context["idempotency_key"]})

    assert Order.objects.get().placed_by == supporter


def test_a_stranger_cannot_open_someone_elses_order_pages(client, holder, budget, service):
    client.force_login(factories.HolderUserFactory())

    assert client.get(f"{reverse('orders:new', args=[service.pk])}?for={holder.pk}").status_code == 404
    assert client.get(_question(service, holder, "how-often")).status_code == HTTPStatus.NOT_FOUND
    assert client.post(_check(service, holder), {"idempotency_key": str(uuid.uuid4())}).status_code == 404
    assert Order.objects.count() == 0


def test_someone_without_a_budget_is_told_who_sets_one_up(client, holder, service):
    client.force_login(holder.user)
    response = client.get(f"{reverse('orders:new', args=[service.pk])}?for={holder.pk}")
    assert response.status_code == HTTPStatus.OK
    assert "<h1>No budget to pay from yet</h1>" in response.content.decode()
