"""Forms for provider pages. They only shape input; the rules live in providers.services."""

from __future__ import annotations

import datetime

from django import forms

from market.core.forms import GovFormMixin, MoneyField, QuantityField
from market.core.money import MAX_COVER_POUNDS, MAX_PRICE_POUNDS

from .models import DeliveryMode, LegalForm, PriceUnit, ServiceAvailability, ServiceStatus
from .page_selectors import category_choices, check_type_choices, need_choices, neighbourhood_choices

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class AboutForm(GovFormMixin, forms.Form):
    name = forms.CharField(
        label="Your name, or your organisation's name",
        max_length=120,
        help_text="The name people will see and search for.",
    )
    legal_form = forms.ChoiceField(label="How are you set up?", choices=LegalForm.choices, widget=forms.RadioSelect)
    description = forms.CharField(
        label="Tell people about yourself",
        required=False,
        max_length=4000,
        help_text="Who you are, why you do this, and what people can expect. Plain words are best.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class SignUpForm(AboutForm):
    """Step 1 for someone without an account: who they are, and their own login."""

    full_name = forms.CharField(
        label="Your full name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label="Your email address",
        help_text="You will use it to sign in.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label="Choose a password",
        help_text="At least 10 characters. A few words together are easy to remember.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        max_length=128,
    )

    field_order = ["full_name", "email", "password", "name", "legal_form", "description"]


class ContactForm(GovFormMixin, forms.Form):
    email = forms.EmailField(
        label="Email address for enquiries", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(
        label="Phone number",
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    website = forms.URLField(
        label="Website (optional)",
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Enter a web address, like https://example.org."},
    )
    postcode = forms.CharField(
        label="Your postcode",
        required=False,
        max_length=10,
        help_text="Where you are based. It is not shown publicly.",
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "class": "input--short"}),
    )


class NeighbourhoodsForm(GovFormMixin, forms.Form):
    neighbourhoods = forms.ModelMultipleChoiceField(
        label="Which neighbourhoods do you cover?",
        queryset=neighbourhood_choices(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose all that apply.",
        error_messages={"required": "Choose at least one neighbourhood you cover."},
    )


class ServiceForm(GovFormMixin, forms.Form):
    title = forms.CharField(
        label="Name of the service",
        max_length=120,
        help_text="For example: Companionship visits, or Help with shopping.",
    )
    description = forms.CharField(
        label="What happens, and who it suits", max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )
    category = forms.ModelChoiceField(label="Kind of support", queryset=category_choices(), empty_label="Choose one")
    needs = forms.ModelMultipleChoiceField(
        label="Needs it meets (optional)",
        queryset=need_choices(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    unit = forms.ChoiceField(label="How you charge", choices=PriceUnit.choices)
    price_pence = MoneyField(
        max_pounds=MAX_PRICE_POUNDS,
        label="Price in pounds",
        required=False,
        help_text="For example 17.50. Leave empty if it is free.",
    )
    minimum_units = QuantityField(
        label="Smallest booking",
        min_value=1,
        max_value=100,
        initial=1,
        help_text="In the units above, for example 2 for at least two hours.",
        widget=forms.NumberInput(attrs={"class": "input--short"}),
    )
    neighbourhoods = forms.ModelMultipleChoiceField(
        label="Neighbourhoods covered (optional)",
        queryset=neighbourhood_choices(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to use your provider's neighbourhoods.",
    )
    travel_radius_km = QuantityField(
        label="Or how far you travel, in kilometres (optional)",
        required=False,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"class": "input--short"}),
    )
    languages = forms.CharField(
        label="Languages",
        max_length=300,
        initial="English",
        help_text="Separate them with commas, for example: English, Polish, BSL.",
    )
    accessibility_notes = forms.CharField(
        label="Accessibility (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: step-free venue, hearing loop, female carers.",
    )
    is_regulated_personal_care = forms.BooleanField(
        label="This is regulated personal care (washing, dressing, medicines)",
        required=False,
        help_text="Regulated by the Care Quality Commission. It needs a verified CQC registration.",
    )
    council_budget_ok = forms.BooleanField(
        label="Can be paid from a council-managed budget", required=False, initial=True
    )
    photo_file = forms.FileField(
        label="A photo (optional)",
        required=False,
        help_text="A JPEG or PNG, smaller than 5 MB. Only use photos of people who have agreed.",
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png"}),
    )
    photo_alt_text = forms.CharField(
        label="Describe the photo",
        required=False,
        max_length=200,
        help_text="For someone who cannot see it, for example: Jo and Ken playing dominoes.",
    )
    remove_photo = forms.BooleanField(label="Remove the current photo", required=False)
    delivery = forms.ChoiceField(
        label="How people get it",
        choices=DeliveryMode.choices,
        required=False,
        initial=DeliveryMode.AT_HOME,
        widget=forms.RadioSelect,
        help_text="An activity at a venue (a lunch club, a walking group) is something people go along to: "
        "nobody books visits, and a free one needs no order.",
    )
    venue_name = forms.CharField(
        label="Venue (for an activity)", required=False, max_length=120, help_text="For example: St John's Hall."
    )
    venue_address = forms.CharField(label="Venue address (optional)", required=False, max_length=200)
    venue_postcode = forms.CharField(
        label="Venue postcode (optional)", required=False, max_length=8,
        widget=forms.TextInput(attrs={"class": "input--short", "autocomplete": "off"}),
    )
    schedule_note = forms.CharField(
        label="When it happens, in words (optional)", required=False, max_length=200,
        help_text="For example: Every Tuesday, 10am to 12 noon, not in August.",
    )
    come_along = forms.CharField(
        label="Coming along for the first time (optional)", required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Who meets people, what to bring, whether to just turn up.",
    )
    booking_needed = forms.BooleanField(label="People must book a place first", required=False)
    accepts_credits = forms.BooleanField(label="Community credits are accepted", required=False)
    status = forms.ChoiceField(
        label="Show it to people?",
        choices=ServiceStatus.choices,
        initial=ServiceStatus.LIVE,
        widget=forms.RadioSelect,
        help_text="Live services are shown once your provider is approved.",
    )

    def clean_languages(self):
        languages = [lang.strip() for lang in self.cleaned_data["languages"].split(",") if lang.strip()]
        if len(languages) > 10:
            raise forms.ValidationError("List up to 10 languages.")
        if any(len(lang) > 40 for lang in languages):
            raise forms.ValidationError("Each language can be up to 40 characters.")
        return languages or ["English"]

    def clean(self):
        data = super().clean()
        unit, price = data.get("unit"), data.get("price_pence")
        data["delivery"] = data.get("delivery") or DeliveryMode.AT_HOME
        if data["delivery"] == DeliveryMode.AT_VENUE and not data.get("venue_name") and "venue_name" in self.fields:
            self.add_error("venue_name", "Enter where the activity happens, for example St John's Hall.")
        if unit == PriceUnit.FREE:
            data["price_pence"] = 0
        elif unit and not price and "price_pence" not in self.errors:
            self.add_error("price_pence", "Enter a price, or choose “free”.")
        return data

    @classmethod
    def initial_for(cls, service) -> dict:
        return {
            "title": service.title,
            "description": service.description,
            "category": service.category_id,
            "needs": [need.pk for need in service.needs.all()],
            "unit": service.unit,
            "price_pence": service.price_pence or None,
            "minimum_units": service.minimum_units,
            "neighbourhoods": [neighbourhood.pk for neighbourhood in service.neighbourhoods.all()],
            "travel_radius_km": service.travel_radius_km,
            "languages": ", ".join(service.languages),
            "accessibility_notes": service.accessibility_notes,
            "is_regulated_personal_care": service.is_regulated_personal_care,
            "council_budget_ok": service.council_budget_ok,
            "photo_alt_text": service.photo_alt_text,
            "delivery": service.delivery,
            "venue_name": service.venue_name,
            "venue_address": service.venue_address,
            "venue_postcode": service.venue_postcode,
            "schedule_note": service.schedule_note,
            "come_along": service.come_along,
            "booking_needed": service.booking_needed,
            "accepts_credits": service.accepts_credits,
            "status": service.status,
        }


WEEKDAY_CHOICES = ServiceAvailability._meta.get_field("weekday").choices
#: The sign-up's questions about usual times (visits at home): not fields of a service but its weekly availability.
USUAL_TIMES = ("usual_days", "usual_from", "usual_until")


class FirstServiceForm(ServiceForm):
    """Sign-up step 4: the essentials only; the rest can be added later. For visits at home it also asks the usual
    times (which days, from and until), saved as the service's weekly availability (editable later)."""

    usual_days = forms.TypedMultipleChoiceField(
        label="Which days do you usually visit people? (for visits at home)",
        coerce=int,
        choices=WEEKDAY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick every day you usually work. You can change these, and add other times, later.",
        error_messages={"invalid_choice": "Choose days from the list."},
    )
    usual_from = forms.TimeField(
        label="Usually from", required=False, widget=TIME_INPUT, help_text="For example 09:00.",
        error_messages={"invalid": "Enter a time, like 09:00."},
    )
    usual_until = forms.TimeField(
        label="Usually until", required=False, widget=TIME_INPUT, help_text="For example 17:00.",
        error_messages={"invalid": "Enter a time, like 17:00."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = [name for name in self.fields if name not in USUAL_TIMES]
        after = names.index("delivery") + 1
        self.order_fields([*names[:after], *USUAL_TIMES, *names[after:]])
        for name in (
            "needs",
            "neighbourhoods",
            "travel_radius_km",
            "accessibility_notes",
            "status",
            "photo_file",
            "photo_alt_text",
            "remove_photo",
        ):
            del self.fields[name]

    def clean(self):
        data = super().clean()
        if data.get("delivery") != DeliveryMode.AT_HOME:
            return data
        if not data.get("usual_days") and "usual_days" not in self.errors:
            self.add_error("usual_days", "Choose at least one day you usually visit people.")
        starts, ends = data.get("usual_from"), data.get("usual_until")
        if starts is None and "usual_from" not in self.errors:
            self.add_error("usual_from", "Enter the time you usually start, like 09:00.")
        if ends is None and "usual_until" not in self.errors:
            self.add_error("usual_until", "Enter the time you usually finish, like 17:00.")
        if starts is not None and ends is not None and starts >= ends:
            self.add_error("usual_until", "The time you finish must be after the time you start.")
        return data

    @staticmethod
    def split(data: dict) -> tuple[dict, list[tuple[int, datetime.time, datetime.time]]]:
        """The service's fields, and its weekly times (weekday, from, until): none for an activity at a venue."""
        fields = {name: value for name, value in data.items() if name not in USUAL_TIMES}
        if fields.get("delivery") != DeliveryMode.AT_HOME:
            return fields, []
        return fields, [(day, data["usual_from"], data["usual_until"]) for day in sorted(data["usual_days"])]


class CheckUploadForm(GovFormMixin, forms.Form):
    check_type = forms.ModelChoiceField(
        label="Which check is this?", queryset=check_type_choices(), empty_label="Choose one"
    )
    person_name = forms.CharField(
        label="Whose check is it? (for a DBS or a certificate)", required=False, max_length=150
    )
    reference = forms.CharField(label="Certificate, policy or registration number", max_length=80)
    amount_pence = MoneyField(
        max_pounds=MAX_COVER_POUNDS,
        label="Amount of cover in pounds (for insurance)",
        required=False,
        help_text="For example 5000000 for £5 million.",
    )
    issued_on = forms.DateField(
        label="Date issued", widget=DATE_INPUT, error_messages={"invalid": "Enter a real date, like 2026-03-31."}
    )
    expires_on = forms.DateField(
        label="Expiry date (leave empty if it does not expire)",
        required=False,
        widget=DATE_INPUT,
        error_messages={"invalid": "Enter a real date, like 2027-03-31."},
    )
    file = forms.FileField(
        label="The document",
        help_text="A PDF, JPEG or PNG, smaller than 5 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class DecisionForm(GovFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="Decision", choices=[("approve", "Approve"), ("reject", "Reject")], widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label="Reason (the provider will see it)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed if you reject.",
    )

    def __init__(self, *args, subject: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if subject:
            # Several decision forms share a page: name what each decides, for screen-reader users.
            self.fields["decision"].label = f"Decision on {subject}"
            self.fields["reason"].label = f"Reason for the decision on {subject} (the provider will see it)"

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not data.get("reason", "").strip():
            self.add_error("reason", "Give a reason: the provider will see it.")
        return data


class ReasonForm(GovFormMixin, forms.Form):
    reason = forms.CharField(label="Reason", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ExemptionForm(GovFormMixin, forms.Form):
    reason = forms.CharField(
        label="CQC exemption: why this provider may offer personal care without its own registration",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Leave empty to remove an exemption.",
    )


class MemberAddForm(GovFormMixin, forms.Form):
    full_name = forms.CharField(label="Their full name", max_length=150)
    email = forms.EmailField(
        label="Their email address", help_text="We will email them a link to choose their own password."
    )


class AvailabilityForm(GovFormMixin, forms.Form):
    weekday = forms.TypedChoiceField(
        label="Day", coerce=int, choices=ServiceAvailability._meta.get_field("weekday").choices
    )
    starts_at = forms.TimeField(
        label="From", widget=TIME_INPUT, error_messages={"invalid": "Enter a time, like 09:00."}
    )
    ends_at = forms.TimeField(label="Until", widget=TIME_INPUT, error_messages={"invalid": "Enter a time, like 17:00."})

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["starts_at"] >= data["ends_at"]:
            self.add_error("ends_at", "The end time must be after the start time.")
        return data


class AvailabilityExceptionForm(GovFormMixin, forms.Form):
    date = forms.DateField(label="Date", widget=DATE_INPUT, error_messages={"invalid": "Enter a real date."})
    is_available = forms.BooleanField(label="Available that day (untick for a day off)", required=False)
    note = forms.CharField(label="Note (optional)", required=False, max_length=200)
