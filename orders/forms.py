"""Forms for ordering, visits and budgets. They only parse input: every rule is in orders.services.

No form carries a price: the price is always computed from the service on the server.
"""

from __future__ import annotations

from django import forms

from market.core.forms import GovFormMixin

from .models import WEEKDAYS, Budget, OrderKind
from .money import parse_pounds

DURATIONS = [(m, f"{m // 60} hour{'s' if m // 60 != 1 else ''}" + (f" {m % 60} minutes" if m % 60 else ""))
             for m in range(60, 12 * 60 + 1, 30)]
DURATIONS = [(15, "15 minutes"), (30, "30 minutes"), (45, "45 minutes"), *DURATIONS]

_date = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_time = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
_datetime = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class OrderForm(GovFormMixin, forms.Form):
    budget = forms.ModelChoiceField(
        label="Which budget pays?", queryset=Budget.objects.none(), empty_label=None,
        error_messages={"required": "Choose a budget", "invalid_choice": "Choose one of the budgets listed"},
    )
    kind = forms.ChoiceField(
        label="How often?", choices=OrderKind.choices, widget=forms.RadioSelect, initial=OrderKind.ONE_OFF,
        error_messages={"required": "Choose one visit or a weekly arrangement"},
    )
    first_visit_on = forms.DateField(
        label="Date of the (first) visit", widget=_date,
        error_messages={"required": "Enter the date of the visit", "invalid": "Enter a real date, like 24 11 2026"},
    )
    visit_starts_at = forms.TimeField(
        label="Start time", widget=_time, help_text="For example 10:00 or 14:30.",
        error_messages={"required": "Enter a start time", "invalid": "Enter a time like 10:00 or 14:30"},
    )
    duration_minutes = forms.TypedChoiceField(
        label="How long?", choices=DURATIONS, coerce=int, initial=60,
        error_messages={"invalid_choice": "Choose one of the lengths listed"},
    )
    weekdays = forms.TypedMultipleChoiceField(
        label="Which days? (weekly only)", choices=WEEKDAYS, coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    last_visit_on = forms.DateField(
        label="Last date (weekly, or block of hours)", widget=_date, required=False,
        error_messages={"invalid": "Enter a real date, like 31 3 2027"},
    )
    items_per_visit = forms.IntegerField(
        label="How many items each visit?", min_value=1, max_value=100, initial=1,
        help_text="Only for services priced per item, such as meals.",
        error_messages={"min_value": "Choose at least 1", "max_value": "Choose at most 100",
                        "invalid": "Enter a whole number"},
    )
    block_hours = forms.IntegerField(
        label="How many hours? (block of hours only)", required=False, min_value=1, max_value=200,
        help_text="Hours to use as needed between the start and end dates. Visits are recorded as they happen.",
        error_messages={"min_value": "Choose at least 1 hour", "max_value": "Choose at most 200 hours",
                        "invalid": "Enter a whole number of hours"},
    )
    notes = forms.CharField(label="Anything the provider should know? (optional)", required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 3}))
    pays_household_relative = forms.BooleanField(
        label="The provider is a close relative who lives in the same household", required=False,
        help_text="A direct payment can pay them only with the council's recorded agreement.",
    )

    def __init__(self, *args, budgets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget"].queryset = Budget.objects.filter(pk__in=[b.pk for b in budgets])

    def clean(self):
        data = super().clean()
        if data.get("kind") == OrderKind.BLOCK:
            if not data.get("block_hours"):
                self.add_error("block_hours", "Enter how many hours the block is for")
            if not data.get("last_visit_on"):
                self.add_error("last_visit_on", "Enter the last date the hours can be used")
        if data.get("kind") == OrderKind.WEEKLY:
            if not data.get("weekdays"):
                self.add_error("weekdays", "Choose at least one day of the week")
            if not data.get("last_visit_on"):
                self.add_error("last_visit_on", "Enter the last date of the arrangement")
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"], "first_visit_on": data["first_visit_on"], "visit_starts_at": data["visit_starts_at"],
            "duration_minutes": data["duration_minutes"], "last_visit_on": data.get("last_visit_on"),
            "weekdays": data.get("weekdays") or [], "items_per_visit": data.get("items_per_visit") or 1,
            "pays_household_relative": data.get("pays_household_relative", False),
            "block_hours": data.get("block_hours") if data.get("kind") == OrderKind.BLOCK else None,
        }


class ReasonForm(GovFormMixin, forms.Form):
    reason = forms.CharField(label="Reason", max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Give a reason"})


class ProposalForm(GovFormMixin, forms.Form):
    price = forms.CharField(label="New price per unit, in pounds (optional)", required=False, max_length=12,
                            help_text="For example 18.50. Leave empty to keep the price.")
    first_visit_on = forms.DateField(label="New date of the first visit (optional)", required=False, widget=_date,
                                     error_messages={"invalid": "Enter a real date"})
    visit_starts_at = forms.TimeField(label="New start time (optional)", required=False, widget=_time,
                                      error_messages={"invalid": "Enter a time like 10:00"})
    note = forms.CharField(label="Explain the change", max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "Explain the change you are proposing"})

    def clean_price(self):
        text = self.cleaned_data["price"].strip()
        if not text:
            return None
        try:
            return parse_pounds(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error


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


class AdjustForm(GovFormMixin, forms.Form):
    direction = forms.ChoiceField(label="Add or take away?", widget=forms.RadioSelect,
                                  choices=[("add", "Add money"), ("remove", "Take money away")],
                                  error_messages={"required": "Choose add or take away"})
    amount = forms.CharField(label="Amount in pounds", max_length=12, help_text="For example 25.00",
                             error_messages={"required": "Enter an amount"})
    on = forms.DateField(label="Which day does it apply to?", widget=_date,
                         help_text="It counts in the budget period containing this day.",
                         error_messages={"required": "Enter a date", "invalid": "Enter a real date"})
    reason = forms.CharField(label="Reason (the holder will see it)", max_length=300,
                             error_messages={"required": "Give a reason for the adjustment"})

    def clean_amount(self):
        try:
            return parse_pounds(self.cleaned_data["amount"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error

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
