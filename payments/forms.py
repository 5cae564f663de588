import uuid

from django import forms

from market.core.forms import GovFormMixin, MoneyField
from market.core.money import MAX_ADJUSTMENT_POUNDS

_date = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RefundForm(GovFormMixin, forms.Form):
    amount_pence = MoneyField(label="How much to refund, in pounds", max_pounds=MAX_ADJUSTMENT_POUNDS,
                              error_messages={"required": "Enter how much to refund"})
    reason = forms.CharField(label="Why is it being refunded?", max_length=300,
                             help_text="The person and the audit trail see this.",
                             error_messages={"required": "Give the reason for the refund"})
    # The same form sent twice (a double click, a retry after Stripe did not answer) refunds once: this token is part
    # of the refund's idempotency key.
    token = forms.CharField(widget=forms.HiddenInput, initial=lambda: uuid.uuid4().hex, max_length=64)


class PeriodForm(GovFormMixin, forms.Form):
    start = forms.DateField(label="First day", widget=_date, error_messages={"required": "Enter the first day"})
    end = forms.DateField(label="Last day", widget=_date, error_messages={"required": "Enter the last day"})

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", "The last day must be on or after the first day.")
        return cleaned
