"""The market view's filter (read from the URL, so every view can be linked to) and the reference rate form."""

from __future__ import annotations

import datetime

from django import forms

from market.accounts.models import FundingRoute
from market.core.forms import GovFormMixin, MoneyField

from .selectors.market import MarketFilter, default_period
from .services import MAX_HOURLY_PENCE

#: The longest period the view covers at once.
MAX_PERIOD_DAYS = 3 * 366


class MarketFilterForm(GovFormMixin, forms.Form):
    start = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            error_messages={"invalid": "Enter the first day as a date, like 2026-11-01"})
    end = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                          error_messages={"invalid": "Enter the last day as a date, like 2026-11-30"})
    neighbourhood = forms.ChoiceField(label="Neighbourhood", required=False)
    category = forms.ChoiceField(label="Kind of support", required=False)
    route = forms.ChoiceField(label="Funding route", required=False,
                              choices=[("", "All funding routes"), *FundingRoute.choices])

    def __init__(self, data, *, neighbourhoods, categories, **kwargs):
        super().__init__(data, **kwargs)
        self.neighbourhoods = {area.slug: area for area in neighbourhoods}
        self.categories = {kind.slug: kind for kind in categories}
        self.fields["neighbourhood"].choices = [("", "All neighbourhoods"),
                                                *((slug, area.name) for slug, area in self.neighbourhoods.items())]
        self.fields["category"].choices = [("", "All kinds of support"),
                                           *((slug, kind.name) for slug, kind in self.categories.items())]
        for name in ("neighbourhood", "category", "route"):
            self.fields[name].error_messages["invalid_choice"] = {
                "neighbourhood": "That neighbourhood is not known: showing all neighbourhoods",
                "category": "That kind of support is not known: showing all kinds",
                "route": "That funding route is not known: showing all routes",
            }[name]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The last day must be on or after the first day: showing this month")
        elif start and end and (end - start).days > MAX_PERIOD_DAYS:
            self.add_error("end", "Choose a period of at most three years: showing this month")
        return cleaned

    def market_filter(self, *, today: datetime.date | None = None) -> MarketFilter:
        """The filter asked for; anything invalid falls back to its default (the form keeps the message)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        start, end = default_period(today)
        if not any(name in self.errors for name in ("start", "end")):
            asked_start, asked_end = data.get("start"), data.get("end")
            if asked_start or asked_end:
                start = asked_start or (asked_end or end).replace(day=1)
                end = asked_end or max(start, end)
                if end < start:
                    start, end = default_period(today)
        return MarketFilter(
            start=start, end=end,
            neighbourhood=self.neighbourhoods.get(data.get("neighbourhood") or ""),
            category=self.categories.get(data.get("category") or ""),
            route=data.get("route") or "",
        )


class ReferenceRateForm(GovFormMixin, forms.Form):
    category = forms.ChoiceField(label="Kind of support", error_messages={"required": "Choose a kind of support"})
    hourly_rate = MoneyField(label="Reference rate, in pounds an hour", max_pounds=MAX_HOURLY_PENCE // 100,
                             help_text="The hourly rate the council considers fair, for example 17.50")

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = {kind.slug: kind for kind in categories}
        self.fields["category"].choices = [("", "Choose"),
                                           *((slug, kind.name) for slug, kind in self.categories.items())]
