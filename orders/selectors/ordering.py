"""Reads for ordering, orders and visits: what the pages show and what placement's rules need to know."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from market.accounts.models import Person
from providers.models import ProviderMembership, Service

from ..models import Order, OrderKind, OrderStatus, Review, Visit, VisitStatus
from .blocks import COUNTED_VISITS, block_share_use
from .person_search import person_search

#: Visits still waiting for something (booked, waiting for an answer, disputed).
OPEN_VISITS = (VisitStatus.SCHEDULED, VisitStatus.DELIVERED, VisitStatus.DISPUTED)


def person_get(person_id: int) -> Person | None:
    return Person.objects.select_related("neighbourhood").filter(pk=person_id).first()


def person_of_user(user) -> Person | None:
    """The person whose own account this is (a budget holder), if any."""
    return Person.objects.filter(user=user).first() if user.is_authenticated else None


def is_member(user, provider_id: int) -> bool:
    """Is `user` one of the provider's own team?"""
    return ProviderMembership.objects.filter(user=user, provider_id=provider_id).exists()


def service_for_order(service_id: int) -> Service | None:
    return Service.objects.select_related("provider", "category").filter(pk=service_id).first()


@dataclass(frozen=True)
class ServiceFacts:
    listed: bool  # the listing rule (providers/sql/listing.sql) lists it on the day
    covers: bool  # it covers the holder's neighbourhood
    category_allowed: bool  # the budget's plan allows its kind of support
    has_slots: bool  # it has published weekly availability


_FACTS_SQL = "SELECT * FROM orders_service_facts(%s::bigint, %s::bigint, %s::bigint, %s::date)"


def service_facts(*, service_id: int, budget_id: int, neighbourhood_id: int | None,
                  on: datetime.date | None = None) -> ServiceFacts | None:
    """What placement's rules need to know about the service for the budget, in one call (orders_service_facts,
    orders/sql/placement.sql). None if there is no such service."""
    with connection.cursor() as cursor:
        cursor.execute(_FACTS_SQL, [service_id, budget_id, neighbourhood_id, on or timezone.localdate()])
        row = cursor.fetchone()
    return None if row is None else ServiceFacts(*row)


def order_placed_with_key(*, idempotency_key: uuid.UUID, user) -> Order | None:
    """The order this person already placed with this form, if any (the same page submitted twice)."""
    return Order.objects.filter(idempotency_key=idempotency_key, placed_by=user).first()


def order_get(order_id: int) -> Order | None:
    return Order.objects.select_related("holder", "service", "provider", "budget").filter(pk=order_id).first()


def visit_get(visit_id: int) -> Visit | None:
    return (Visit.objects.select_related("order", "order__holder", "order__provider", "order__service")
            .filter(pk=visit_id).first())


def block_usage(order: Order) -> tuple[int, int]:
    """(minutes, pence) of a block of hours' visits that count: delivered, disputed or confirmed."""
    used = 0
    pence = 0
    for visit in order.visits.filter(status__in=COUNTED_VISITS):
        used += int((visit.ends_at - visit.starts_at).total_seconds() // 60)
        pence += visit.cost_pence
    return used, pence


def order_has_open_visits(order: Order) -> bool:
    return order.visits.filter(status__in=OPEN_VISITS).exists()


def order_page(order: Order) -> dict:
    """Everything one order's page shows besides the order itself."""
    return {
        "visits": list(order.visits.all()),
        "transitions": list(order.transitions.select_related("actor", "on_behalf_of")),
        "messages_on_order": list(order.messages.select_related("author")),
        "review": Review.objects.filter(order=order).first(),
        "block_used_minutes": block_usage(order)[0] if order.kind == OrderKind.BLOCK else None,
        "block_shares": block_share_use(order),
    }


def orders_for_person(person: Person) -> dict:
    """A holder's orders, their visits waiting to be confirmed, and a search made for them."""
    return {
        **person_search(person),
        "orders": list(Order.objects.filter(holder=person).select_related("service", "provider")),
        "to_confirm": list(Visit.objects.filter(order__holder=person, status=VisitStatus.DELIVERED)
                           .select_related("order")),
    }


def provider_dashboard(user) -> dict | None:
    """The orders of every provider the user is a member of, by what they wait for; None for a non-member."""
    provider_ids = list(ProviderMembership.objects.filter(user=user).values_list("provider_id", flat=True))
    if not provider_ids:
        return None
    orders = Order.objects.filter(provider_id__in=provider_ids).select_related("holder", "service", "provider")
    return {
        "new_orders": list(orders.filter(status=OrderStatus.PLACED).order_by("created_at")),
        "waiting": list(orders.filter(status=OrderStatus.CHANGES_PROPOSED)),
        "current": list(orders.filter(status__in=[OrderStatus.ACCEPTED, OrderStatus.ACTIVE, OrderStatus.DISPUTED])),
        "to_record": list(
            Visit.objects.filter(order__provider_id__in=provider_ids, status=VisitStatus.SCHEDULED,
                                 starts_at__lte=timezone.now())
            .select_related("order", "order__holder")
            .order_by("starts_at")
        ),
    }


@dataclass(frozen=True)
class BookingFit:
    """What a person booking for someone needs to know before the first question (issue 18, item 1)."""

    area: str  # the person's neighbourhood, or "" if none is recorded
    covers: bool
    plan_allows: bool  # at least one of the person's budgets' plans includes the service's kind of support
    listed: bool

    @property
    def bookable(self) -> bool:
        return self.listed and self.covers and self.plan_allows


def booking_fit(*, service: Service, person: Person, budgets) -> BookingFit:
    """The placement rules that depend only on who the order is for, asked of each of their budgets up front
    (the same database function placement uses, so the answer here is the answer at the end)."""
    facts = [service_facts(service_id=service.pk, budget_id=budget.pk, neighbourhood_id=person.neighbourhood_id)
             for budget in budgets]
    facts = [fact for fact in facts if fact is not None]
    return BookingFit(
        area=person.neighbourhood.name if person.neighbourhood_id else "",
        covers=any(fact.covers for fact in facts),
        plan_allows=any(fact.category_allowed for fact in facts),
        listed=any(fact.listed for fact in facts),
    )
