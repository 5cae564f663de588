"""Demo budgets and orders for the Scholes demo people. Called from cms.demo.load_demo(); idempotent.

Budgets are keyed on (holder, name); orders on a fixed idempotency key per scenario, so a second run finds
them and changes nothing. Everything goes through orders.services, as the product does. Dates are
relative to the day the demo is loaded, so there is always something booked, something to confirm and
something in the past.

Budgets:
- Margaret Hughes: direct payment, £150.00 a week, Wigan Council (supporter: Susan, her daughter).
- Dave Turner: council-managed account, £200.00 every four weeks.
- Jane Ashworth: individual service fund held by Scholes Care Co-operative, £494.00 every four weeks.
- Peter Lowe: self-funded, £400.00 every four weeks.
- Tom and Joe Baxter, brothers in one household (their mother Linda books for both): Tom a direct payment of
  £120.00 a week, Joe a council-managed account of £100.00 a week.

Orders (Margaret, from Scholes Care Co-operative's "Personal care at home"; Dave, from Jo's Companions'
"Getting out and about"): one in each state: placed, accepted, declined, changes proposed, active (one
visit confirmed, one waiting for confirmation, more booked), completed, cancelled, disputed. And one shared
booking: Jo takes Tom and Joe out together on Wednesdays, split 60/40 between their budgets, last week's outing
recorded and confirmed.
"""

from __future__ import annotations

import datetime
import uuid

from django.utils import timezone

from market.accounts.models import FundingRoute, Person, User
from market.taxonomy.models import Category
from providers.models import Provider, Service

from . import services
from .models import Budget, BudgetPeriod, Household, Order, SharedBooking, Visit

NAMESPACE = uuid.UUID("6f1f6b1e-4d0b-4a52-9a59-0b5f1b1e0d04")

BUDGETS = [
    # holder, route, period, amount, categories (empty = any), ISF provider slug, created by (email or holder)
    ("Margaret Hughes", FundingRoute.DIRECT_PAYMENT, BudgetPeriod.WEEKLY, 15_000,
     ["Personal care", "Companionship", "Getting out and about", "Domestic help", "Activities and groups", "Respite"],
     None),
    ("Dave Turner", FundingRoute.COUNCIL_MANAGED, BudgetPeriod.FOUR_WEEKLY, 20_000,
     ["Getting out and about", "Activities and groups", "Transport"], None),
    ("Jane Ashworth", FundingRoute.INDIVIDUAL_SERVICE_FUND, BudgetPeriod.FOUR_WEEKLY, 49_400,
     ["Activities and groups", "Companionship", "Skills and learning"], "scholes-care-cooperative"),
    ("Peter Lowe", FundingRoute.SELF_FUNDED, BudgetPeriod.FOUR_WEEKLY, 40_000, [], None),
    ("Tom Baxter", FundingRoute.DIRECT_PAYMENT, BudgetPeriod.WEEKLY, 12_000,
     ["Getting out and about", "Companionship", "Activities and groups"], None),
    ("Joe Baxter", FundingRoute.COUNCIL_MANAGED, BudgetPeriod.WEEKLY, 10_000,
     ["Getting out and about", "Companionship", "Skills and learning"], None),
]


def _key(name: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, name)


def load_budgets() -> dict[str, Budget]:
    coordinator = User.objects.get(email="carol.coordinator@demo.example")
    today = timezone.localdate()
    budgets = {}
    for holder_name, route, period, amount, categories, isf_slug in BUDGETS:
        holder = Person.objects.get(full_name=holder_name)
        budget = Budget.objects.filter(holder=holder, name="Personal budget").first()
        if budget is None:
            starts_on = today - datetime.timedelta(days=21)
            budget = services.budget_create(
                holder=holder, funding_route=route, period=period, amount_pence=amount, starts_on=starts_on,
                ends_on=starts_on + datetime.timedelta(days=364),
                created_by=holder.user if route == FundingRoute.SELF_FUNDED else coordinator,
                council="" if route == FundingRoute.SELF_FUNDED else "Wigan Council",
                isf_provider=Provider.objects.get(slug=isf_slug) if isf_slug else None,
                allowed_categories=Category.objects.filter(name__in=categories),
            )
        budgets[holder_name] = budget
    return budgets


def _place(name, *, user, budget, service, first, now=None, **kwargs) -> tuple[Order, bool]:
    existing = Order.objects.filter(idempotency_key=_key(name)).first()
    if existing is not None:
        return existing, False
    arguments = {"kind": "one_off", "visit_starts_at": datetime.time(10), "duration_minutes": 60}
    arguments.update(kwargs)
    order = services.order_place(user=user, budget=budget, service=service, first_visit_on=first,
                                 idempotency_key=_key(name), now=now, **arguments)
    return order, True


def _deliver(visit: Visit, by: User, notes: str) -> None:
    services.visit_record_delivery(visit=visit, by=by, actual_starts_at=visit.starts_at,
                                   actual_ends_at=visit.ends_at, notes=notes)


def load_orders(budgets: dict[str, Budget]) -> None:
    try:
        care = Service.objects.get(provider__slug="scholes-care-cooperative", title="Personal care at home")
        outings = Service.objects.get(provider__slug="jos-companions", title="Getting out and about")
    except Service.DoesNotExist:
        return  # the providers' demo data is not there: budgets only
    coop = User.objects.get(email="coop@demo.example")
    jo = User.objects.get(email="jo@demo.example")
    margaret = budgets["Margaret Hughes"]
    susan = User.objects.get(email="susan@demo.example")
    holder = margaret.holder.user
    today = timezone.localdate()
    days = datetime.timedelta

    # Placed, by Margaret's daughter, waiting for the co-op.
    _place("placed", user=susan, budget=margaret, service=care, first=today + days(5),
           notes="Mum likes a cup of tea first thing. Key safe code by phone.")

    # Accepted: a weekly arrangement starting in three days.
    order, new = _place("accepted", user=holder, budget=margaret, service=care, first=today + days(3), kind="weekly",
                        weekdays=[(today + days(3)).weekday()], last_visit_on=today + days(17),
                        visit_starts_at=datetime.time(9))
    if new:
        services.order_accept(order=order, by=coop)

    # Declined, with a reason.
    order, new = _place("declined", user=holder, budget=margaret, service=care, first=today + days(4),
                        visit_starts_at=datetime.time(21))
    if new:
        services.order_decline(order=order, by=coop, reason="Nobody free that late on a weekday, sorry.")

    # Changes proposed: the co-op suggests a different time.
    order, new = _place("changes-proposed", user=holder, budget=margaret, service=care, first=today + days(6),
                        visit_starts_at=datetime.time(8), duration_minutes=90)
    if new:
        services.order_propose_change(order=order, by=coop, visit_starts_at=datetime.time(11),
                                      note="Could we come at 11 instead? Mornings are full.")

    # Cancelled by Margaret before it was answered.
    order, new = _place("cancelled", user=holder, budget=margaret, service=care, first=today + days(8))
    if new:
        services.order_cancel(order=order, by=holder, reason="My daughter can take me that day.")

    # Completed: a visit last week, recorded and confirmed.
    placed_at = timezone.now() - days(10)
    order, new = _place("completed", user=holder, budget=margaret, service=care, first=today - days(6),
                        now=placed_at)
    if new:
        services.order_accept(order=order, by=coop)
        visit = order.visits.get()
        _deliver(visit, coop, "Help with a bath and breakfast. All well.")
        services.visit_confirm(visit=visit, user=holder)

    # Disputed: Susan says the visit was cut short; it waits for Carol, the coordinator.
    order, new = _place("disputed", user=susan, budget=margaret, service=care, first=today - days(4),
                        now=placed_at, visit_starts_at=datetime.time(14))
    if new:
        services.order_accept(order=order, by=coop)
        visit = order.visits.get()
        _deliver(visit, coop, "Lunch and a walk.")
        services.visit_dispute(visit=visit, user=susan, reason="Mum says they left after 20 minutes.")

    # Active: Dave's Saturday outings, one confirmed, one waiting for him, more booked.
    dave = budgets["Dave Turner"]
    saturday = today - days((today.weekday() - 5) % 7 or 7) - days(7)  # the Saturday before last
    order, new = _place("active", user=dave.holder.user, budget=dave, service=outings, first=saturday,
                        now=timezone.now() - days(15), kind="weekly", weekdays=[5], last_visit_on=saturday + days(21),
                        visit_starts_at=datetime.time(13), duration_minutes=120)
    if new:
        services.order_accept(order=order, by=jo)
        first, second = list(order.visits.order_by("starts_at")[:2])
        _deliver(first, jo, "Rugby at the DW. Wigan won!")
        services.visit_confirm(visit=first, user=dave.holder.user)
        _deliver(second, jo, "Sailing club open day.")


def load_shared_booking(budgets: dict[str, Budget]) -> None:
    """The Baxter household, and Jo's Wednesday outings shared by Tom (60%) and Joe (40%)."""
    tom, joe = budgets["Tom Baxter"], budgets["Joe Baxter"]
    carol = User.objects.get(email="carol.coordinator@demo.example")
    if not Household.objects.filter(members__person=tom.holder).exists():
        services.household_record(by=carol, name="The Baxter household", people=[tom.holder, joe.holder])
    try:
        outings = Service.objects.get(provider__slug="jos-companions", title="Getting out and about")
    except Service.DoesNotExist:
        return
    if SharedBooking.objects.filter(idempotency_key=_key("shared")).exists():
        return
    linda = User.objects.get(email="linda@demo.example")
    jo = User.objects.get(email="jo@demo.example")
    today = timezone.localdate()
    wednesday = today - datetime.timedelta(days=(today.weekday() - 2) % 7 or 7)  # the last Wednesday before today
    booking = services.shared_booking_place(
        user=linda, budget=tom, partner=joe.holder, first_percent=60, service=outings, kind="weekly", weekdays=[2],
        first_visit_on=wednesday, last_visit_on=wednesday + datetime.timedelta(days=21),
        visit_starts_at=datetime.time(10), duration_minutes=180, idempotency_key=_key("shared"),
        now=timezone.now() - datetime.timedelta(days=9),
        notes="Tom and Joe together. Joe is practising paying at the tills.")
    services.shared_booking_accept(booking=booking, by=jo)
    first = Visit.objects.filter(order=booking.first_order).order_by("starts_at").first()
    services.shared_visit_record(booking=booking, visit=first, by=jo, actual_starts_at=first.starts_at,
                                 actual_ends_at=first.ends_at, notes="Wigan market, then chips. Joe paid by himself.")
    services.shared_visit_confirm(booking=booking, visit=first, user=linda)


def load() -> None:
    budgets = load_budgets()
    load_orders(budgets)
    load_shared_booking(budgets)
