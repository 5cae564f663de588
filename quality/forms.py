from django import forms

from market.core.forms import GovFormMixin


class FlagDecisionForm(GovFormMixin, forms.Form):
    decision = forms.ChoiceField(label="Decision", widget=forms.RadioSelect,
                                 choices=[("acknowledge", "Acknowledge: being looked into"),
                                          ("resolve", "Resolve: nothing more to do")],
                                 error_messages={"required": "Choose acknowledge or resolve"})
    note = forms.CharField(label="Note (what was found or done; needed to resolve)", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))
