"""Forms of the community pages. Each shows its errors beside the field (GovFormMixin)."""

from __future__ import annotations

from django import forms

from market.accounts.models import FundingRoute
from market.core.forms import GovFormMixin, MoneyField, QuantityField

from .models import (
    MAX_CREDITS_REDEEMED_AT_ONCE,
    MAX_CREDITS_SPENT_AT_ONCE,
    MAX_HOURS_A_DAY,
    MAX_PURCHASE_POUNDS,
    MAX_WEEKLY_POUNDS,
    PostKind,
)

_AREA = {"rows": 4}


class PersonAddForm(GovFormMixin, forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150)
    preferred_name = forms.CharField(label="What they like to be called (optional)", max_length=80, required=False)
    postcode = forms.CharField(label="Postcode (optional)", max_length=10, required=False,
                               widget=forms.TextInput(attrs={"class": "input--short", "autocomplete": "off"}))
    funding_route = forms.ChoiceField(label="How their support is paid", choices=FundingRoute.choices,
                                      initial=FundingRoute.INDIVIDUAL_SERVICE_FUND)


class WhatMattersForm(GovFormMixin, forms.Form):
    story = forms.CharField(label="Their story", required=False, max_length=4000,
                            widget=forms.Textarea(attrs={"rows": 6}),
                            help_text="In their own words: where they have come from, what their days are like.")
    interests = forms.CharField(label="What they enjoy and are interested in", required=False, max_length=2000,
                                widget=forms.Textarea(attrs=_AREA))
    gifts = forms.CharField(label="Their gifts: what they are good at and could share", required=False,
                            max_length=2000, widget=forms.Textarea(attrs=_AREA))
    people = forms.CharField(label="The people around them", required=False, max_length=2000,
                             widget=forms.Textarea(attrs=_AREA),
                             help_text="Family, friends, neighbours: who matters to them, who helps.")
    goals = forms.CharField(label="What they want to achieve", required=False, max_length=2000,
                            widget=forms.Textarea(attrs=_AREA), help_text="Strengths and hopes, not deficits.")


class IntroduceForm(GovFormMixin, forms.Form):
    service = forms.TypedChoiceField(label="Introduce them to", coerce=int,
                                     error_messages={"invalid_choice": "Choose a service or activity from the list.",
                                                     "required": "Choose the service or activity."})
    note = forms.CharField(label="A note for them", max_length=2000, widget=forms.Textarea(attrs=_AREA),
                           help_text="Why you think it suits them. They will read it.",
                           error_messages={"required": "Write a note: say why you think it suits them."})

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", "Choose one"), *[
            (service.pk, f"{service.title}, {service.provider.name}"
                         f"{' (activity at ' + service.venue_name + ')' if service.is_activity else ''}")
            for service in services]]


class AnswerForm(GovFormMixin, forms.Form):
    answer = forms.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")], widget=forms.HiddenInput)
    note = forms.CharField(label="Anything to say (optional)", max_length=500, required=False)


class JoinForm(GovFormMixin, forms.Form):
    service = forms.TypedChoiceField(label="Activity", coerce=int,
                                     error_messages={"invalid_choice": "Choose an activity from the list."})
    sessions_per_week = QuantityField(label="Sessions a week", min_value=1, max_value=14, initial=1,
                                           widget=forms.NumberInput(attrs={"class": "input--short"}))

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", "Choose one"), *[
            (service.pk, f"{service.title}, {service.provider.name}") for service in services]]


class PurchaseForm(GovFormMixin, forms.Form):
    description = forms.CharField(label="What it is", max_length=200, help_text="For example: walking boots.")
    amount_pence = MoneyField(max_pounds=MAX_PURCHASE_POUNDS, label="What it costs, in pounds")
    bought_on = forms.DateField(label="When (day/month/year)", input_formats=["%d/%m/%Y", "%Y-%m-%d"],
                                widget=forms.DateInput(attrs={"class": "input--short"}),
                                error_messages={"invalid": "Enter a date like 14/03/2027."})


class PlanSettingsForm(GovFormMixin, forms.Form):
    indicative_weekly_pence = MoneyField(max_pounds=MAX_WEEKLY_POUNDS, required=False,
                                         label="The council's indicative amount a week, in pounds (optional)",
                                         help_text="Used when they have no budget yet.")
    replaced_package = forms.CharField(label="The care package this plan replaced (optional)", max_length=200,
                                       required=False, help_text="For example: home care, 7 hours a week.")
    replaced_weekly_pence = MoneyField(max_pounds=MAX_WEEKLY_POUNDS, required=False,
                                       label="What that package cost a week, in pounds (optional)")


class ContributionForm(GovFormMixin, forms.Form):
    provider = forms.TypedChoiceField(label="Group you helped", coerce=int,
                                      error_messages={"invalid_choice": "Choose a group from the list."})
    given_on = forms.DateField(label="Day (day/month/year)", input_formats=["%d/%m/%Y", "%Y-%m-%d"],
                               widget=forms.DateInput(attrs={"class": "input--short"}),
                               error_messages={"invalid": "Enter a date like 14/03/2027."})
    hours = QuantityField(label="Hours", min_value=1, max_value=MAX_HOURS_A_DAY,
                               widget=forms.NumberInput(attrs={"class": "input--short"}),
                               error_messages={"max_value": "A day has 24 hours: enter 24 or fewer."})
    what = forms.CharField(label="What you did", max_length=200)

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", "Choose one"), *[(group.pk, group.name) for group in groups]]


class SpendForm(GovFormMixin, forms.Form):
    service = forms.TypedChoiceField(label="Activity", coerce=int,
                                     error_messages={"invalid_choice": "Choose an activity from the list."})
    credits = QuantityField(label="Credits to spend", min_value=1, max_value=MAX_CREDITS_SPENT_AT_ONCE,
                                 widget=forms.NumberInput(attrs={"class": "input--short"}))

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", "Choose one"), *[
            (service.pk, f"{service.title}, {service.provider.name}") for service in services]]


class RedeemForm(GovFormMixin, forms.Form):
    credits = QuantityField(label="Credits to redeem", min_value=1, max_value=MAX_CREDITS_REDEEMED_AT_ONCE,
                            error_messages={"required": "Enter how many credits to redeem",
                                            "invalid": "Enter how many credits to redeem, as a whole number"})


class PostForm(GovFormMixin, forms.Form):
    kind = forms.ChoiceField(label="What is it?", choices=PostKind.choices, widget=forms.RadioSelect)
    title = forms.CharField(label="Title", max_length=120, help_text="For example: Shower seat wanted.")
    body = forms.CharField(label="Details", max_length=2000, widget=forms.Textarea(attrs=_AREA),
                           help_text="What it involves, or what the equipment is. Do not give a phone number, "
                                     "email or address here: people reply through the site.")
    when = forms.CharField(label="When (optional)", max_length=120, required=False,
                           help_text="For volunteering, for example: Tuesday mornings.")
    neighbourhood = forms.TypedChoiceField(label="Area (optional)", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, neighbourhoods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["neighbourhood"].choices = [("", "Anywhere in the borough"),
                                                *[(n.pk, n.name) for n in neighbourhoods]]
