"""Staff pages for the background work: /staff/background/."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from market.accounts.models import EmailFrequency, Role
from market.accounts.permissions import require_role
from market.core.forms import GovFormMixin, posted

from . import selectors, services

#: Who sees the outbox and the runs: the council's people who run the market.
STAFF = (Role.COMMISSIONER, Role.FINANCE, Role.PLATFORM_ADMIN)


def background(request):
    require_role(request.user, *STAFF)
    return render(request, "outbox/background.html", selectors.background_overview())


@require_POST
def email_retry(request, email_id: int):
    require_role(request.user, *STAFF)
    email = selectors.email_get(email_id)
    if email is None:
        raise Http404("No such email.")
    services.outbox_retry(email=email, actor=request.user)
    messages.success(request, f"The email “{email.subject}” will be sent again within a minute.")
    return redirect("outbox:background")


#: The notices page's one question, each answer as (emails wanted, how often).
HOW_TO_TELL = {
    EmailFrequency.AS_IT_HAPPENS.value: (True, EmailFrequency.AS_IT_HAPPENS),
    EmailFrequency.DAILY.value: (True, EmailFrequency.DAILY),
    EmailFrequency.WEEKLY.value: (True, EmailFrequency.WEEKLY),
    "none": (False, EmailFrequency.AS_IT_HAPPENS),
}


class EmailPreferenceForm(GovFormMixin, forms.Form):
    how = forms.ChoiceField(
        label="How should we tell you?", widget=forms.RadioSelect,
        help_text="Whatever you choose, everything is also listed on this page. An urgent safeguarding message "
                  "is always emailed at once.",
        choices=[
            (EmailFrequency.AS_IT_HAPPENS.value, "An email each time, and here"),
            (EmailFrequency.DAILY.value, "One email a day with everything, and here"),
            (EmailFrequency.WEEKLY.value, "One email a week with everything, and here"),
            ("none", "No emails: only here, on this page"),
        ],
        error_messages={"required": "Choose how we should tell you"},
    )

    @staticmethod
    def initial_for(user) -> dict:
        return {"how": user.email_frequency if user.emails_wanted else "none"}


@login_required
def notices(request):
    """Everything the site has told this person, newest first; opening the page marks them read."""
    form = EmailPreferenceForm(posted(request), initial=EmailPreferenceForm.initial_for(request.user))
    if request.method == "POST" and form.is_valid():
        emails_wanted, frequency = HOW_TO_TELL[form.cleaned_data["how"]]
        services.email_preference_set(user=request.user, emails_wanted=emails_wanted, frequency=frequency)
        told = dict(form.fields["how"].choices)[form.cleaned_data["how"]]
        messages.success(request, f"Saved. We will tell you: {told[0].lower()}{told[1:]}.")
        return redirect("notices:list")
    items = selectors.notices_for(request.user)
    unread = {notice.pk for notice in items if notice.read_at is None}
    services.notices_mark_read(user=request.user)
    return render(request, "outbox/notices.html", {"notices": items, "unread": unread, "form": form})
