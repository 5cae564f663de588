"""Going along to activities, and the person's plan: one-off purchases, what it is measured against, snapshots."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from market.accounts.models import ConsentScope, Person, User
from market.accounts.permissions import Capacity, capacity_for
from market.core.audit import audit_record
from market.core.numbers import whole_within
from providers.models import PriceUnit, Service
from providers.selectors import service_is_listed

from .. import selectors
from ..exceptions import CommunityRefused
from ..models import (
    MAX_PURCHASE_POUNDS,
    MAX_WEEKLY_POUNDS,
    Introduction,
    Participation,
    PlanPurchase,
    PlanSettings,
    PlanSnapshot,
)

#: Who may put things on a person's plan: themselves, a supporter who may book for them, their coordinator.
_PLANNERS = (Capacity.SELF, Capacity.SUPPORTER, Capacity.COORDINATOR)


def _require_planner(by: User, person: Person) -> Capacity:
    capacity = capacity_for(by, person, ConsentScope.ORDER)
    if capacity not in _PLANNERS:
        raise CommunityRefused("Only the person, someone they let book for them, or their coordinator can do that.")
    return capacity


def _price_per_session(service: Service) -> int:
    """What one session costs the person: nothing for a free activity, else its price per session (an hourly price
    counts as one hour a session)."""
    return 0 if service.unit == PriceUnit.FREE else service.price_pence


def activity_join(*, person: Person, service: Service, by: User, sessions_per_week: int = 1,
                  introduction: Introduction | None = None, on: datetime.date | None = None) -> Participation:
    """The person goes along to an activity: it goes on their plan. No order and no visits; a free activity costs
    nothing. Joining twice gives the same place on the plan."""
    capacity = _require_planner(by, person)
    if not service.is_activity:
        raise CommunityRefused("That is support at home: book it as an order, with days and times.")
    if not whole_within(sessions_per_week, 1, 14):
        raise CommunityRefused("Enter how many sessions a week, from 1 to 14.", field="sessions_per_week")
    if not service_is_listed(service):
        raise CommunityRefused("That activity is not listed at the moment.")
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()  # one join per person at a time
        current = Participation.objects.filter(person=person, service=service, ended_on__isnull=True).first()
        if current is not None:
            return current
        participation = Participation.objects.create(
            person=person, service=service, sessions_per_week=sessions_per_week,
            price_per_session_pence=_price_per_session(service), started_on=on or timezone.localdate(),
            introduction=introduction, added_by=by,
        )
        audit_record(action="activity.joined", actor=by, on_behalf_of=person, target=participation,
                     summary=f"{person} goes along to {service}", data={"capacity": str(capacity)})
    return participation


def activity_leave(*, participation: Participation, by: User, on: datetime.date | None = None) -> Participation:
    _require_planner(by, participation.person)
    with transaction.atomic():
        locked = Participation.objects.select_for_update().get(pk=participation.pk)
        if locked.ended_on is not None:
            return locked
        locked.ended_on = max(on or timezone.localdate(), locked.started_on)
        locked.save(update_fields=["ended_on"])
        audit_record(action="activity.left", actor=by, on_behalf_of=locked.person, target=locked,
                     summary=f"{locked.person} stopped going to {locked.service}")
    return locked


def plan_purchase_add(*, person: Person, by: User, description: str, amount_pence: int | None,
                      bought_on: datetime.date) -> PlanPurchase:
    """A one-off purchase in the plan (boots, a season ticket, a course fee)."""
    _require_planner(by, person)
    description = description.strip()
    if not description:
        raise CommunityRefused("Say what it is, for example 'Walking boots'.", field="description")
    if not whole_within(amount_pence, 1, MAX_PURCHASE_POUNDS * 100):
        raise CommunityRefused(f"Enter what it costs, like 45.00, up to £{MAX_PURCHASE_POUNDS:,}.",
                               field="amount_pence")
    with transaction.atomic():
        purchase = PlanPurchase.objects.create(person=person, description=description[:200],
                                               amount_pence=amount_pence, bought_on=bought_on, added_by=by)
        audit_record(action="plan.purchase_added", actor=by, on_behalf_of=person, target=purchase,
                     summary=f"{description[:100]} added to the plan of {person}", data={"pence": amount_pence})
    return purchase


def plan_settings_set(*, person: Person, by: User, indicative_weekly_pence: int | None, replaced_package: str,
                      replaced_weekly_pence: int | None) -> PlanSettings:
    """The coordinator records the council's indicative weekly amount and the care package the plan replaced."""
    if capacity_for(by, person, ConsentScope.VIEW) is not Capacity.COORDINATOR:
        raise CommunityRefused("Only the person's coordinator can set what the plan is measured against.")
    for field, pence in (("indicative_weekly_pence", indicative_weekly_pence),
                         ("replaced_weekly_pence", replaced_weekly_pence)):
        if pence is not None and not whole_within(pence, 0, MAX_WEEKLY_POUNDS * 100):
            raise CommunityRefused(f"Enter an amount a week of £{MAX_WEEKLY_POUNDS:,} or less.", field=field)
    if replaced_weekly_pence and not replaced_package.strip():
        raise CommunityRefused("Say which package it replaced, for example 'Home care, 7 hours a week'.",
                               field="replaced_package")
    with transaction.atomic():
        settings_row = PlanSettings.objects.select_for_update().filter(person=person).first() or PlanSettings(
            person=person)
        settings_row.indicative_weekly_pence = indicative_weekly_pence
        settings_row.replaced_package = replaced_package.strip()[:200]
        settings_row.replaced_weekly_pence = replaced_weekly_pence
        settings_row.updated_by, settings_row.updated_at = by, timezone.now()
        settings_row.save()
        audit_record(action="plan.settings_set", actor=by, on_behalf_of=person, target=person,
                     summary=f"{by} set what the plan of {person} is measured against")
    return settings_row


def plan_snapshot_take(*, person: Person, by: User, today: datetime.date | None = None) -> PlanSnapshot:
    """Keep this week's plan as agreed today, so the next one shows what changed."""
    _require_planner(by, person)
    plan = selectors.person_plan(person, today=today, weeks=1)
    weekly_total_pence = plan.typical_week.total_pence
    with transaction.atomic():
        snapshot = PlanSnapshot.objects.create(person=person, taken_by=by,
                                               lines=selectors.plan_lines_for_snapshot(plan),
                                               weekly_total_pence=weekly_total_pence)
        audit_record(action="plan.agreed", actor=by, on_behalf_of=person, target=snapshot,
                     summary=f"The plan of {person} was agreed", data={"weekly_total_pence": weekly_total_pence})
    return snapshot
