"""Forms for ordering, visits and budgets. They only parse input: every rule is in orders.services.

No form carries a price: the price is always computed from the service on the server.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone

from market.core.forms import GovFormMixin, MoneyField, QuantityField
from market.core.money import MAX_ADJUSTMENT_POUNDS, MAX_PRICE_POUNDS
from providers.models import PriceUnit

from . import selectors
from .blocks import hours_text
from .models import WEEKDAYS, OrderKind

DURATIONS = [(minutes, hours_text(minutes)) for minutes in (15, 30, 45, *range(60, 12 * 60 + 1, 30))]

# The browser's own date picker shows dates in the person's own order, so the questions give no typed example.
_date = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_time = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
_datetime = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class _QuestionForm(GovFormMixin, forms.Form):
    """One question page of the order journey (orders.booking). `service` and `budgets` are given to every
    form so that a page can shape its choices; most ignore them."""

    def __init__(self, *args, service=None, budgets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service
        self.budgets = list(budgets)


class KindForm(_QuestionForm):
    kind = forms.ChoiceField(
        label="How often do you want this support?", choices=OrderKind.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose one visit, every week, or a block of hours",
                        "invalid_choice": "Choose one of the options listed"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.service is not None and self.service.unit != PriceUnit.PER_HOUR:  # blocks are bought in hours
            self.fields["kind"].choices = [c for c in OrderKind.choices if c[0] != OrderKind.BLOCK]


class WeekdaysForm(_QuestionForm):
    weekdays = forms.TypedMultipleChoiceField(
        label="Which days of the week?", choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple,
        help_text="Choose all the days you want a visit.",
        error_messages={"required": "Choose at least one day of the week",
                        "invalid_choice": "Choose days from the list"},
    )


def _not_in_the_past(day):
    if day is not None and day < timezone.localdate():
        raise forms.ValidationError("The date must be today or in the future")
    return day


class VisitDateForm(_QuestionForm):
    first_visit_on = forms.DateField(
        label="What day would you like the visit?", widget=_date,
        error_messages={"required": "Enter the date of the visit", "invalid": "Enter a real date"},
    )

    def clean_first_visit_on(self):
        return _not_in_the_past(self.cleaned_data["first_visit_on"])


class DateRangeForm(_QuestionForm):
    first_visit_on = forms.DateField(
        label="Start date", widget=_date,
        error_messages={"required": "Enter the start date", "invalid": "Enter a real date"},
    )
    last_visit_on = forms.DateField(
        label="End date", widget=_date, help_text="The last day it can happen.",
        error_messages={"required": "Enter the end date", "invalid": "Enter a real date"},
    )

    def clean_first_visit_on(self):
        return _not_in_the_past(self.cleaned_data["first_visit_on"])

    def clean(self):
        data = super().clean()
        first, last = data.get("first_visit_on"), data.get("last_visit_on")
        if first and last and last < first:
            self.add_error("last_visit_on", "The end date must be on or after the start date")
        return data


class BlockDateRangeForm(DateRangeForm):
    """A block of hours is bought from the start of its first day, so it can start tomorrow at the earliest."""

    def clean_first_visit_on(self):
        day = super().clean_first_visit_on()
        if day is not None and day <= timezone.localdate():
            raise forms.ValidationError("A block of hours can start tomorrow at the earliest")
        return day


class VisitTimeForm(_QuestionForm):
    visit_starts_at = forms.TimeField(
        label="Start time", widget=_time, help_text="For example 10:00 or 14:30.",
        error_messages={"required": "Enter a start time", "invalid": "Enter a time like 10:00 or 14:30"},
    )
    duration_minutes = forms.TypedChoiceField(
        label="How long?", choices=DURATIONS, coerce=int, initial=60,
        error_messages={"required": "Choose how long", "invalid_choice": "Choose one of the lengths listed"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        shortest = accepted_shortest_minutes(self.service)
        field = self.fields["duration_minutes"]
        field.choices = [(minutes, label) for minutes, label in DURATIONS if minutes >= shortest]
        if shortest > field.initial:
            field.initial = shortest


def accepted_shortest_minutes(service) -> int:
    """The shortest visit the service takes: its minimum hours for an hourly service, else a quarter of an hour.
    Only lengths it accepts are offered (placement refuses shorter ones the same way, orders.pricing)."""
    if service is not None and service.unit == PriceUnit.PER_HOUR and service.minimum_units > 1:
        return service.minimum_units * 60
    return DURATIONS[0][0]


class BlockHoursForm(_QuestionForm):
    block_hours = QuantityField(
        label="How many hours do you want to buy?", min_value=1, max_value=200,
        help_text="The provider uses them as needed between the dates, and records each visit for you to confirm.",
        error_messages={"required": "Enter how many hours", "min_value": "Choose at least 1 hour",
                        "max_value": "Choose at most 200 hours", "invalid": "Enter a whole number of hours"},
    )


class ItemsForm(_QuestionForm):
    items_per_visit = QuantityField(
        label="How many items each visit?", min_value=1, max_value=100, initial=1,
        help_text="For example, the number of meals.",
        error_messages={"required": "Enter how many items", "min_value": "Choose at least 1",
                        "max_value": "Choose at most 100", "invalid": "Enter a whole number"},
    )


class BudgetForm(_QuestionForm):
    budget = forms.ModelChoiceField(
        label="Which budget should pay?", queryset=selectors.budgets_among(()), empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a budget", "invalid_choice": "Choose one of the budgets listed"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["budget"]
        field.queryset = selectors.budgets_among(budget.pk for budget in self.budgets)
        field.label_from_instance = lambda budget: f"{budget.name} ({budget.get_funding_route_display()})"


class HouseholdRelativeForm(_QuestionForm):
    pays_household_relative = forms.TypedChoiceField(
        label="Is the provider a close relative who lives in the same household?", widget=forms.RadioSelect,
        choices=[("no", "No"), ("yes", "Yes")], coerce=lambda value: value == "yes",
        help_text="A direct payment can pay a close relative in the same household only with the council's "
                  "recorded agreement.",
        error_messages={"required": "Choose yes or no"},
    )


class NotesForm(_QuestionForm):
    notes = forms.CharField(
        label="Is there anything the provider should know?", required=False, max_length=2000,
        help_text="Optional. For example how to get in, or what you would like to do together.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "Keep it under 2,000 characters"},
    )


class ReasonForm(GovFormMixin, forms.Form):
    reason = forms.CharField(label="Reason", max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Give a reason"})


class ProposalForm(GovFormMixin, forms.Form):
    price = MoneyField(max_pounds=MAX_PRICE_POUNDS, label="New price per unit, in pounds (optional)", required=False,
                       help_text="For example 18.50. Leave empty to keep the price.")
    first_visit_on = forms.DateField(label="New date of the first visit (optional)", required=False, widget=_date,
                                     error_messages={"invalid": "Enter a real date"})
    visit_starts_at = forms.TimeField(label="New start time (optional)", required=False, widget=_time,
                                      error_messages={"invalid": "Enter a time like 10:00"})
    note = forms.CharField(label="Explain the change", max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "Explain the change you are proposing"})


class DeliveryForm(GovFormMixin, forms.Form):
    actual_starts_at = forms.DateTimeField(
        label="When did the visit start?", widget=_datetime,
        error_messages={"required": "Enter when the visit started", "invalid": "Enter a date and time"},
    )
    actual_ends_at = forms.DateTimeField(
        label="When did it end?", widget=_datetime,
        error_messages={"required": "Enter when the visit ended", "invalid": "Enter a date and time"},
    )
    notes = forms.CharField(label="What happened? (optional)", required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 3}))

    @classmethod
    def for_visit(cls, visit, data=None) -> DeliveryForm:
        """The form, filled in with the visit's booked times until the provider changes them."""
        def local(moment):
            return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")
        return cls(data, initial={"actual_starts_at": local(visit.starts_at), "actual_ends_at": local(visit.ends_at)})


class AdjustForm(GovFormMixin, forms.Form):
    direction = forms.ChoiceField(label="Add or take away?", widget=forms.RadioSelect,
                                  choices=[("add", "Add money"), ("remove", "Take money away")],
                                  error_messages={"required": "Choose add or take away"})
    amount = MoneyField(max_pounds=MAX_ADJUSTMENT_POUNDS, label="Amount in pounds", help_text="For example 25.00",
                        error_messages={"required": "Enter an amount"})
    on = forms.DateField(label="Which day does it apply to?", widget=_date,
                         help_text="It counts in the budget period containing this day.",
                         error_messages={"required": "Enter a date", "invalid": "Enter a real date"})
    reason = forms.CharField(label="Reason (the holder will see it)", max_length=300,
                             error_messages={"required": "Give a reason for the adjustment"})

    def signed_pence(self) -> int:
        amount = self.cleaned_data["amount"]
        return -amount if self.cleaned_data["direction"] == "remove" else amount


class ResolveForm(GovFormMixin, forms.Form):
    pay = forms.TypedChoiceField(label="Should the provider be paid for this visit?", widget=forms.RadioSelect,
                                 choices=[("yes", "Yes, pay it"), ("no", "No, release the money")],
                                 coerce=lambda value: value == "yes",
                                 error_messages={"required": "Choose whether to pay"})
    note = forms.CharField(label="What was decided, and why", max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}), error_messages={"required": "Record the decision"})


class MessageForm(GovFormMixin, forms.Form):
    body = forms.CharField(label="Your message", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "Write a message first"})


class ReviewForm(GovFormMixin, forms.Form):
    rating = forms.TypedChoiceField(
        label="How would you rate the support?", coerce=int, widget=forms.RadioSelect,
        choices=[(5, "5 stars: excellent"), (4, "4 stars: good"), (3, "3 stars: all right"), (2, "2 stars: poor"),
                 (1, "1 star: very poor")],
        error_messages={"required": "Choose a rating", "invalid_choice": "Choose a rating from 1 to 5"},
    )
    body = forms.CharField(label="Tell others about it (optional)", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 4}))


class ConcernForm(GovFormMixin, forms.Form):
    body = forms.CharField(label="What is the concern?", max_length=4000, widget=forms.Textarea(attrs={"rows": 5}),
                           error_messages={"required": "Tell us what the concern is"})
    is_safeguarding = forms.BooleanField(
        label="Someone may be at risk of abuse or neglect (a safeguarding concern)", required=False,
        help_text="If someone is in danger now, call 999.",
    )


class ConcernNoteForm(GovFormMixin, forms.Form):
    note = forms.CharField(
        label="What have you done or decided?", max_length=4000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example: safeguarding enquiry started under section 42, provider suspended, no further action.",
        error_messages={"required": "Say what you have done or decided"},
    )


class SecondOrderForm(GovFormMixin, forms.Form):
    """Asked before placing an order that repeats an open one (orders.selectors.orders_overlapping)."""

    place_anyway = forms.ChoiceField(
        label="Do you want to place this order as well?", widget=forms.RadioSelect,
        choices=[("yes", "Yes, place this order as well"), ("no", "No, do not place it")],
        error_messages={"required": "Choose whether to place this order as well",
                        "invalid_choice": "Choose one of the options listed"},
    )


class ShareForm(GovFormMixin, forms.Form):
    """Who shares a booking, and how the cost is split (orders.services.household checks every rule)."""

    partner = forms.TypedChoiceField(label="Who shares this support?", widget=forms.RadioSelect, coerce=int,
                                     error_messages={"required": "Choose who shares it",
                                                     "invalid_choice": "Choose one of the people listed"})
    first_percent = QuantityField(
        min_value=1, max_value=99,
        error_messages={"required": "Enter a share in percent", "min_value": "Enter a share of at least 1%",
                        "max_value": "Enter a share of at most 99%", "invalid": "Enter a whole number"},
    )
    second_percent = QuantityField(
        label="The other person's share, in percent", min_value=1, max_value=99,
        help_text="The two shares must add up to 100.",
        error_messages={"required": "Enter a share in percent", "min_value": "Enter a share of at least 1%",
                        "max_value": "Enter a share of at most 99%", "invalid": "Enter a whole number"},
    )

    def __init__(self, *args, person, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [(partner.pk, partner.display_name) for partner in partners]
        self.fields["first_percent"].label = f"{person.display_name}'s share, in percent"


class HouseholdForm(GovFormMixin, forms.Form):
    """A coordinator records who lives with a person (orders.services.household_record checks every rule)."""

    name = forms.CharField(label="What is the household called?", max_length=150,
                           help_text="How the family knows it, for example 'The Baxter household'.",
                           error_messages={"required": "Enter a name for the household"})
    people = forms.TypedMultipleChoiceField(
        label="Who else lives in the household?", widget=forms.CheckboxSelectMultiple, coerce=int,
        error_messages={"required": "Choose at least one person", "invalid_choice": "Choose people listed here"},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].choices = [(person.pk, person.display_name) for person in candidates]
