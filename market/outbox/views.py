"""Staff pages for the background work: /staff/background/."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from market.accounts.models import Role
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


class EmailPreferenceForm(GovFormMixin, forms.Form):
    emails_wanted = forms.TypedChoiceField(
        label="How should we tell you?", widget=forms.RadioSelect, coerce=lambda value: value == "yes",
        choices=[("yes", "By email, and here"), ("no", "Only here, on this page")],
        error_messages={"required": "Choose how we should tell you"},
    )


@login_required
def notices(request):
    """Everything the site has told this person, newest first; opening the page marks them read."""
    form = EmailPreferenceForm(posted(request),
                               initial={"emails_wanted": "yes" if request.user.emails_wanted else "no"})
    if request.method == "POST" and form.is_valid():
        services.email_preference_set(user=request.user, emails_wanted=form.cleaned_data["emails_wanted"])
        messages.success(request, "Saved. We will tell you " + (
            "by email and on this page." if form.cleaned_data["emails_wanted"] else "only on this page."))
        return redirect("notices:list")
    items = selectors.notices_for(request.user)
    unread = {notice.pk for notice in items if notice.read_at is None}
    services.notices_mark_read(user=request.user)
    return render(request, "outbox/notices.html", {"notices": items, "unread": unread, "form": form})
