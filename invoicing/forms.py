from django import forms

from market.core.forms import GovFormMixin

_date = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RunForm(GovFormMixin, forms.Form):
    period_start = forms.DateField(label="First day", widget=_date, error_messages={"required": "Enter the first day"})
    period_end = forms.DateField(label="Last day", widget=_date, error_messages={"required": "Enter the last day"})

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The last day must be on or after the first day.")
        return cleaned


class PaymentForm(GovFormMixin, forms.Form):
    paid_on = forms.DateField(label="Paid on", widget=_date, error_messages={"required": "Enter the day it was paid"})
    reference = forms.CharField(label="Payment reference (optional)", required=False, max_length=100)


class CreditForm(GovFormMixin, forms.Form):
    reason = forms.CharField(label="Why is it being credited?", max_length=300,
                             error_messages={"required": "Give the reason for the credit note"})
