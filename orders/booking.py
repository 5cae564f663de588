"""Booking support as question pages (the GOV.UK "question pages" pattern): one question a page, then
"check your answers", then place the order.

The answers live in the session (one draft per person and service) as the submitted strings, so every page
re-validates them the same way and nothing is written to the database until the order is placed. Which
questions are asked depends on earlier answers (only a weekly arrangement asks for days, only a block asks for
hours, only a direct payment asks about a relative in the household); `Draft.steps()` works that out each time.
Every rule is checked by `orders.services` when the check page quotes the order and again when it is placed.

We wrote this rather than use django-formtools' wizard because the pattern needs "Change" links from the check
page that come straight back to it, and steps whose form depends on earlier answers; both are awkward there.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.http import QueryDict

from market.accounts.models import FundingRoute
from providers.models import PriceUnit

from .forms import (
    DURATIONS,
    BlockDateRangeForm,
    BlockHoursForm,
    BudgetForm,
    DateRangeForm,
    HouseholdRelativeForm,
    ItemsForm,
    KindForm,
    NotesForm,
    VisitDateForm,
    VisitTimeForm,
    WeekdaysForm,
)
from .models import WEEKDAYS, Budget, OrderKind

# A block of hours has no visit times of its own: it starts at the beginning of its first day.
BLOCK_STARTS_AT = datetime.time(0, 0)
BLOCK_NOMINAL_MINUTES = 60


@dataclass(frozen=True)
class Step:
    slug: str
    form: Callable[[Draft], type[forms.Form]]
    applies: Callable[[Draft], bool]
    title: Callable[[Draft], str]


def _always(_draft) -> bool:
    return True


def _dates_title(draft: Draft) -> str:
    if draft.kind == OrderKind.BLOCK:
        return "Between which dates can the hours be used?"
    return "When should the visits start and end?"


DATE_FORMS = {OrderKind.ONE_OFF: VisitDateForm, OrderKind.BLOCK: BlockDateRangeForm}

STEPS = [
    Step("how-often", lambda d: KindForm, _always, lambda d: "How often do you want this support?"),
    Step("days", lambda d: WeekdaysForm, lambda d: d.kind == OrderKind.WEEKLY, lambda d: "Which days of the week?"),
    Step("dates", lambda d: DATE_FORMS.get(d.kind, DateRangeForm),
         lambda d: d.kind is not None, _dates_title),
    Step("time", lambda d: VisitTimeForm, lambda d: d.kind in (OrderKind.ONE_OFF, OrderKind.WEEKLY),
         lambda d: "What time should the visit start, and how long should it be?"),
    Step("hours", lambda d: BlockHoursForm, lambda d: d.kind == OrderKind.BLOCK,
         lambda d: "How many hours do you want to buy?"),
    Step("items", lambda d: ItemsForm,
         lambda d: d.kind is not None and d.kind != OrderKind.BLOCK and d.service.unit == PriceUnit.PER_ITEM,
         lambda d: "How many items each visit?"),
    Step("budget", lambda d: BudgetForm, lambda d: len(d.budgets) > 1, lambda d: "Which budget should pay?"),
    Step("relative", lambda d: HouseholdRelativeForm,
         lambda d: d.budget is not None and d.budget.funding_route == FundingRoute.DIRECT_PAYMENT,
         lambda d: "Is the provider a close relative who lives in the same household?"),
    Step("notes", lambda d: NotesForm, _always, lambda d: "Is there anything the provider should know?"),
]
STEPS_BY_SLUG = {step.slug: step for step in STEPS}

# Which question page answers a field named in a service's refusal (orders.exceptions.OrderRefused.field).
FIELD_STEPS = {
    "kind": "how-often", "weekdays": "days", "first_visit_on": "dates", "last_visit_on": "dates",
    "visit_starts_at": "time", "duration_minutes": "time", "block_hours": "hours", "items_per_visit": "items",
    "budget": "budget", "pays_household_relative": "relative", "notes": "notes",
}


class Draft:
    """The answers so far to one order of `service` for `person`, kept in the session."""

    def __init__(self, session, *, service, person, budgets: list[Budget]):
        self.session = session
        self.service = service
        self.person = person
        self.budgets = budgets
        self.session_key = f"order-draft:{service.pk}:{person.pk}"
        stored = session.get(self.session_key) or {}
        self.answers: dict[str, dict[str, list[str]]] = stored.get("answers", {})
        self.idempotency_key: str = stored.get("idempotency_key") or str(uuid.uuid4())
        self.refusal: dict | None = stored.get("refusal")
        self._cleaned: dict[str, dict | None] = {}

    # --- storage -------------------------------------------------------------------------------------------

    def save(self) -> None:
        self.session[self.session_key] = {
            "answers": self.answers, "idempotency_key": self.idempotency_key, "refusal": self.refusal,
        }

    def start_again(self) -> None:
        self.answers, self.refusal, self._cleaned = {}, None, {}
        self.idempotency_key = str(uuid.uuid4())
        self.save()

    def forget(self) -> None:
        self.session.pop(self.session_key, None)

    def answer(self, step: Step, data) -> None:
        """Keep a valid page's submitted strings (only its own fields)."""
        self.answers[step.slug] = {name: data.getlist(name) for name in step.form(self).base_fields}
        self._cleaned = {}
        self.save()

    def refuse(self, *, step: Step, field: str | None, message: str) -> None:
        """Remember a service's refusal so the page that can fix it shows it beside its question."""
        self.refusal = {"step": step.slug, "field": field, "message": message}
        self.save()

    def take_refusal(self, step: Step) -> dict | None:
        if not self.refusal or self.refusal.get("step") != step.slug:
            return None
        refusal, self.refusal = self.refusal, None
        self.save()
        return refusal

    # --- forms ---------------------------------------------------------------------------------------------

    def form_for(self, step: Step, data=None) -> forms.Form:
        form_class = step.form(self)
        kwargs = {"service": self.service, "budgets": self.budgets}
        if data is None and step.slug in self.answers:
            stored = self.answers[step.slug]
            kwargs["initial"] = {name: values if _is_multiple(form_class, name) else (values[0] if values else "")
                                 for name, values in stored.items()}
        return form_class(data, **kwargs)

    def cleaned(self, slug: str) -> dict | None:
        """The validated answer to one page, or None if it has not been answered (or no longer validates,
        e.g. the kind changed so the dates page now asks for an end date)."""
        if slug not in self._cleaned:
            stored = self.answers.get(slug)
            result = None
            if stored is not None:
                form = STEPS_BY_SLUG[slug].form(self)(as_querydict(stored), service=self.service,
                                                      budgets=self.budgets)
                result = form.cleaned_data if form.is_valid() else None
            self._cleaned[slug] = result
        return self._cleaned[slug]

    # --- the answers so far ------------------------------------------------------------------------------

    @property
    def kind(self) -> str | None:
        return (self.cleaned("how-often") or {}).get("kind")

    @property
    def budget(self) -> Budget | None:
        if len(self.budgets) == 1:
            return self.budgets[0]
        return (self.cleaned("budget") or {}).get("budget")

    def steps(self) -> list[Step]:
        return [step for step in STEPS if step.applies(self)]

    def first_unanswered(self) -> Step | None:
        return next((step for step in self.steps() if self.cleaned(step.slug) is None), None)

    def after(self, step: Step, *, returning_to_check: bool) -> Step | None:
        """The page after `step`: the next question, or when changing an answer from the check page, the first
        question still unanswered (None means the check page)."""
        if returning_to_check:
            return self.first_unanswered()
        steps = self.steps()
        later = steps[steps.index(step) + 1:] if step in steps else steps
        return later[0] if later else None

    def before(self, step: Step) -> Step | None:
        steps = self.steps()
        if step not in steps or steps.index(step) == 0:
            return None
        return steps[steps.index(step) - 1]

    def service_arguments(self) -> dict:
        """Keyword arguments for orders.services.order_quote / order_place. Call only when nothing is unanswered."""
        kind = self.kind
        dates = self.cleaned("dates")
        arguments = {
            "kind": kind,
            "first_visit_on": dates["first_visit_on"],
            "last_visit_on": dates.get("last_visit_on"),
            "weekdays": (self.cleaned("days") or {}).get("weekdays", []),
            "items_per_visit": (self.cleaned("items") or {}).get("items_per_visit", 1),
            "pays_household_relative": (self.cleaned("relative") or {}).get("pays_household_relative", False),
            "block_hours": None,
        }
        if kind == OrderKind.BLOCK:
            arguments.update(visit_starts_at=BLOCK_STARTS_AT,
                             duration_minutes=BLOCK_NOMINAL_MINUTES, block_hours=self.cleaned("hours")["block_hours"])
        else:
            time = self.cleaned("time")
            arguments.update(visit_starts_at=time["visit_starts_at"], duration_minutes=time["duration_minutes"])
        return arguments

    @property
    def notes(self) -> str:
        return (self.cleaned("notes") or {}).get("notes", "")


def _is_multiple(form_class, name: str) -> bool:
    return isinstance(form_class.base_fields[name], forms.MultipleChoiceField)


def as_querydict(stored: dict[str, list[str]]) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, values in stored.items():
        data.setlist(name, values)
    return data


def step_for_field(draft: Draft, field: str | None) -> Step | None:
    """The question page where a refusal naming `field` can be put right, if it is one this order asks."""
    step = STEPS_BY_SLUG.get(FIELD_STEPS.get(field or "", ""))
    return step if step is not None and step in draft.steps() else None


@dataclass(frozen=True)
class AnswerRow:
    label: str
    value: str
    step: str  # the page that changes it
    change_label: str  # what "Change" changes, for screen readers


def answer_rows(draft: Draft) -> list[AnswerRow]:
    """The person's answers as the check page lists them, each with the page that changes it."""
    kind = draft.kind
    rows = [AnswerRow("How often", dict(OrderKind.choices)[kind], "how-often", "how often")]
    if kind == OrderKind.WEEKLY:
        days = [dict(WEEKDAYS)[day] for day in sorted(draft.cleaned("days")["weekdays"])]
        rows.append(AnswerRow("Days", _and_list([f"{day}s" for day in days]), "days", "the days"))
    dates = draft.cleaned("dates")
    if kind == OrderKind.ONE_OFF:
        rows.append(AnswerRow("Date", f"{dates['first_visit_on']:%A %-d %B %Y}", "dates", "the date"))
    else:
        rows.append(AnswerRow("Dates", f"{dates['first_visit_on']:%-d %B %Y} to {dates['last_visit_on']:%-d %B %Y}",
                              "dates", "the dates"))
    if kind == OrderKind.BLOCK:
        hours = draft.cleaned("hours")["block_hours"]
        rows.append(AnswerRow("Hours", f"{hours} hour{'s' if hours != 1 else ''}", "hours", "the hours"))
    else:
        time = draft.cleaned("time")
        length = dict(DURATIONS)[time["duration_minutes"]]
        rows.append(AnswerRow("Time", f"{time['visit_starts_at']:%H:%M}, for {length}", "time", "the time"))
    if draft.cleaned("items") is not None and STEPS_BY_SLUG["items"] in draft.steps():
        rows.append(AnswerRow("Items each visit", str(draft.cleaned("items")["items_per_visit"]), "items",
                              "the number of items"))
    budget = draft.budget
    rows.append(AnswerRow("Paid from", f"{budget.name} ({budget.get_funding_route_display()})",
                          "budget" if STEPS_BY_SLUG["budget"] in draft.steps() else "", "the budget"))
    if STEPS_BY_SLUG["relative"] in draft.steps():
        relative = draft.cleaned("relative")["pays_household_relative"]
        rows.append(AnswerRow("Close relative in the same household", "Yes" if relative else "No", "relative",
                              "whether the provider is a close relative"))
    rows.append(AnswerRow("Notes for the provider", draft.notes or "None", "notes", "the notes"))
    return rows


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
