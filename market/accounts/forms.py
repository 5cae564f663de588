from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template import loader

from market.core.forms import GovFormMixin
from market.outbox.services import outbox_enqueue

from .models import ConsentScope


class SignInForm(GovFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter the email address and password for your account. Both are case-sensitive "
        "for the password only.",
        "inactive": "This account has been closed. Contact the council if you think this is wrong.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Email address"
        self.fields["username"].widget = forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"


class SecondFactorForm(GovFormMixin, forms.Form):
    token = forms.CharField(
        label="Code from your authenticator app",
        help_text="6 digits. It changes every 30 seconds.",
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError("The code is made of numbers only, like 123456.")
        return token


class ConsentGrantForm(GovFormMixin, forms.Form):
    supporter_email = forms.EmailField(
        label="Supporter's email address", help_text="They need an account on this site already.",
        error_messages={"required": "Enter the supporter's email address",
                        "invalid": "Enter an email address like name@example.org"},
    )
    relationship = forms.CharField(
        label="How do they know the person?", max_length=80, help_text="For example: daughter, neighbour, appointee.",
        error_messages={"required": "Say how they know the person"},
    )
    scopes = forms.MultipleChoiceField(
        label="What may they do?", choices=ConsentScope.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one thing they may do"},
    )
    expires_on = forms.DateField(
        label="End date (optional)", required=False,
        help_text="Leave empty for no end date. It can be revoked at any time.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter the end date as a real date, like 31 12 2027"},
    )


class ConsentRevokeForm(GovFormMixin, forms.Form):
    reason = forms.CharField(label="Reason (optional)", required=False, max_length=300)


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's password reset, with the email queued in the outbox like every other (so a mail outage delays it
    rather than losing it or failing the page)."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        outbox_enqueue(to=[to_email], subject=subject, body=body)
