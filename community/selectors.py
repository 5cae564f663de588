"""Reads for community connections: caseloads, what matters, introductions and their outcomes, a person's plan,
groups' activities (and their calendar). Credits and posts are read in `selectors_credits.py`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from market.accounts.models import Person, User
from orders.models import Budget, BudgetPeriod, Order, Visit, VisitStatus
from providers.models import DeliveryMode, Provider, Service
from providers.selectors import listed_services

from .models import (
    Introduction,
    IntroductionStatus,
    Participation,
    PlanPurchase,
    PlanSettings,
    PlanSnapshot,
    WhatMatters,
)


def caseload(*, coordinator: User) -> QuerySet[Person]:
    return Person.objects.filter(caseload_assignments__coordinator=coordinator).distinct().order_by("full_name")


def person_get(person_id: int) -> Person | None:
    return Person.objects.select_related("neighbourhood", "user").filter(pk=person_id).first()


def what_matters(person: Person) -> WhatMatters | None:
    return WhatMatters.objects.select_related("updated_by").filter(person=person).first()


def introduction_get(introduction_id: int) -> Introduction | None:
    return Introduction.objects.select_related("person", "service", "service__provider").filter(
        pk=introduction_id).first()


def _with_outcome(introductions: QuerySet[Introduction]) -> QuerySet[Introduction]:
    """Each introduction with the order placed for it, if any: the first order of that person for that service
    placed after the introduction was accepted."""
    orders = Order.objects.filter(holder=OuterRef("person"), service=OuterRef("service"),
                                  created_at__gte=OuterRef("answered_at")).order_by("created_at", "pk")
    return introductions.annotate(order_id=Subquery(orders.values("pk")[:1]),
                                  order_status=Subquery(orders.values("status")[:1]))


def introductions_for_person(person: Person) -> list[Introduction]:
    return list(_with_outcome(Introduction.objects.filter(person=person))
                .select_related("service", "service__provider", "made_by"))


def introductions_made_by(coordinator: User) -> list[Introduction]:
    """What became of the coordinator's introductions, newest first."""
    return list(_with_outcome(Introduction.objects.filter(made_by=coordinator))
                .select_related("person", "service", "service__provider"))


def outcome_label(introduction: Introduction) -> str:
    """In words, what became of an introduction."""
    if introduction.status == IntroductionStatus.OFFERED:
        return "Waiting for an answer"
    if introduction.status == IntroductionStatus.DECLINED:
        return "Declined" + (f": {introduction.answer_note}" if introduction.answer_note else "")
    if introduction.service.is_activity:
        return "Accepted: on their plan"
    order_id = getattr(introduction, "order_id", None)
    if order_id:
        status = dict(Order._meta.get_field("status").choices).get(introduction.order_status, "")
        return f"Accepted: ordered (ORD-{order_id:06d}, {status.lower()})"
    return "Accepted: not booked yet"


def activities_to_introduce(*, text: str = "", limit: int = 50) -> list[Service]:
    """Listed services a coordinator may introduce someone to, activities first, matching the words if any."""
    services = listed_services().select_related("provider", "category")
    if text:
        services = services.filter(Q(title__icontains=text) | Q(provider__name__icontains=text))
    return list(services.order_by("-delivery", "price_pence", "title")[:limit])


def service_get(service_id: int) -> Service | None:
    return Service.objects.select_related("provider", "category").filter(pk=service_id).first()


def participations_for_person(person: Person) -> list[Participation]:
    return list(Participation.objects.filter(person=person, ended_on__isnull=True)
                .select_related("service", "service__provider"))


def participation_get(*, person: Person, participation_id: int) -> Participation | None:
    return Participation.objects.select_related("service").filter(person=person, pk=participation_id).first()


# --- A group's activities and calendar -------------------------------------------------------------------------


def group_get(slug: str) -> Provider | None:
    return Provider.objects.filter(slug=slug).first()


def group_activities(provider: Provider) -> list[Service]:
    """A group's listed activities at a venue, with their weekly times."""
    return list(listed_services().filter(provider=provider, delivery=DeliveryMode.AT_VENUE)
                .prefetch_related("availability").order_by("title"))


# --- The person's plan ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanLine:
    key: str
    kind: str  # "paid" or "activity"
    label: str
    provider: str
    detail: str
    pence: int


@dataclass
class PlanWeek:
    starts_on: datetime.date
    lines: list[PlanLine] = field(default_factory=list)

    @property
    def total_pence(self) -> int:
        return sum(line.pence for line in self.lines)

    @property
    def ends_on(self) -> datetime.date:
        return self.starts_on + datetime.timedelta(days=6)


@dataclass(frozen=True)
class PlanChange:
    label: str
    before_pence: int | None
    after_pence: int | None


@dataclass
class Plan:
    person: Person
    weeks: list[PlanWeek]
    weekly_budget_pence: int | None
    budget_source: str
    purchases: list[PlanPurchase]
    settings: PlanSettings | None
    last_snapshot: PlanSnapshot | None
    changes: list[PlanChange]

    @property
    def typical_week(self) -> PlanWeek:
        return self.weeks[0]

    @property
    def purchases_total_pence(self) -> int:
        return sum(purchase.amount_pence for purchase in self.purchases)

    @property
    def left_each_week_pence(self) -> int | None:
        if self.weekly_budget_pence is None:
            return None
        return self.weekly_budget_pence - self.typical_week.total_pence

    @property
    def saving_pence(self) -> int | None:
        """The weekly saving against the care package the plan replaced (None if it replaced none)."""
        if not self.settings or not self.settings.replaced_weekly_pence:
            return None
        return self.settings.replaced_weekly_pence - self.typical_week.total_pence


def weekly_amount(budget: Budget) -> int:
    """A budget's money per week, in whole pence (rounded down)."""
    if budget.period == BudgetPeriod.WEEKLY:
        return budget.amount_pence
    if budget.period == BudgetPeriod.FOUR_WEEKLY:
        return budget.amount_pence // 4
    return budget.amount_pence * 7 // 365


def _weekly_budget(person: Person, today: datetime.date, settings: PlanSettings | None) -> tuple[int | None, str]:
    budgets = list(Budget.objects.filter(holder=person, starts_on__lte=today, ends_on__gte=today))
    if budgets:
        return sum(weekly_amount(budget) for budget in budgets), "their budget"
    if settings and settings.indicative_weekly_pence:
        return settings.indicative_weekly_pence, "the council's indicative amount"
    return None, ""


_NOT_PAID = [VisitStatus.CANCELLED, VisitStatus.NOT_PAID]


def _paid_lines(person: Person, starts_on: datetime.date, weeks: int) -> dict[datetime.date, list[PlanLine]]:
    """Paid support per week, from the visits booked (one line per order and week). One query."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(starts_on, datetime.time.min, tzinfo=tz)
    end = start + datetime.timedelta(weeks=weeks)
    visits = (Visit.objects.filter(order__holder=person, starts_at__gte=start, starts_at__lt=end)
              .exclude(status__in=_NOT_PAID)
              .values("order_id", "order__service__title", "order__provider__name", "starts_at", "cost_pence"))
    grouped: dict[tuple[datetime.date, int], dict] = {}
    for visit in visits:
        day = timezone.localtime(visit["starts_at"], tz).date()
        week = starts_on + datetime.timedelta(weeks=(day - starts_on).days // 7)
        entry = grouped.setdefault((week, visit["order_id"]), {"visit": visit, "count": 0, "pence": 0})
        entry["count"] += 1
        entry["pence"] += visit["cost_pence"]
    lines: dict[datetime.date, list[PlanLine]] = {}
    for (week, order_id), entry in sorted(grouped.items(), key=lambda item: (item[0][0], item[0][1])):
        visit = entry["visit"]
        count = entry["count"]
        lines.setdefault(week, []).append(PlanLine(
            key=f"order:{order_id}", kind="paid", label=visit["order__service__title"],
            provider=visit["order__provider__name"], detail=f"{count} visit{'s' if count != 1 else ''}",
            pence=entry["pence"]))
    return lines


def _activity_lines(participations: list[Participation], week_start: datetime.date) -> list[PlanLine]:
    week_end = week_start + datetime.timedelta(days=6)
    lines = []
    for participation in participations:
        if participation.started_on > week_end or (participation.ended_on and participation.ended_on < week_start):
            continue
        service = participation.service
        sessions = participation.sessions_per_week
        where = f" at {service.venue_name}" if service.venue_name else ""
        lines.append(PlanLine(
            key=f"activity:{participation.pk}", kind="activity", label=service.title, provider=service.provider.name,
            detail=f"{sessions} session{'s' if sessions != 1 else ''}{where}", pence=participation.weekly_cost_pence))
    return lines


def _changes(snapshot: PlanSnapshot | None, week: PlanWeek) -> list[PlanChange]:
    if snapshot is None:
        return []
    before = {line["key"]: line for line in snapshot.lines}
    now = {line.key: line for line in week.lines}
    changes = []
    for key, line in now.items():
        if key not in before:
            changes.append(PlanChange(line.label, None, line.pence))
        elif before[key]["pence"] != line.pence:
            changes.append(PlanChange(line.label, before[key]["pence"], line.pence))
    changes += [PlanChange(line["label"], line["pence"], None) for key, line in before.items() if key not in now]
    return changes


def person_plan(person: Person, *, today: datetime.date | None = None, weeks: int = 4) -> Plan:
    """The person's plan, week by week from this week's Monday: paid support (visits booked) and activities they go
    along to, side by side; the weekly total against their budget (or the council's indicative amount); one-off
    purchases; the saving against a replaced package; what changed since the plan was last agreed."""
    today = today or timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    settings = PlanSettings.objects.filter(person=person).first()
    paid = _paid_lines(person, monday, weeks)
    participations = list(Participation.objects.filter(person=person).select_related("service", "service__provider"))
    plan_weeks = []
    for n in range(weeks):
        start = monday + datetime.timedelta(weeks=n)
        plan_weeks.append(PlanWeek(start, paid.get(start, []) + _activity_lines(participations, start)))
    weekly_budget, source = _weekly_budget(person, today, settings)
    snapshot = PlanSnapshot.objects.filter(person=person).first()
    return Plan(
        person=person, weeks=plan_weeks, weekly_budget_pence=weekly_budget, budget_source=source,
        purchases=list(PlanPurchase.objects.filter(person=person)), settings=settings, last_snapshot=snapshot,
        changes=_changes(snapshot, plan_weeks[0]),
    )


def plan_lines_for_snapshot(plan: Plan) -> list[dict]:
    return [{"key": line.key, "label": line.label, "pence": line.pence} for line in plan.typical_week.lines]


def purchases_total(person: Person) -> int:
    return PlanPurchase.objects.filter(person=person).aggregate(total=Sum("amount_pence"))["total"] or 0
