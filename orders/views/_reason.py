"""The page that asks why before an order or a shared booking is declined or cancelled."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from market.core.exceptions import DomainError
from market.core.forms import add_refusal, posted

from ..forms import ReasonForm


def reason_page(request, subject, *, back: tuple[str, int], title: str, submit: str, act, done: str, **context):
    """Ask for a reason, then `act(subject, reason)`: a refusal is shown beside the reason (or above the form), and
    once done the person goes `back` with the `done` message."""
    form = ReasonForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            act(subject, form.cleaned_data["reason"])
        except DomainError as error:
            add_refusal(form, error.field, error.message)
        else:
            messages.success(request, done)
            return redirect(*back)
    return render(request, "orders/form_page.html",
                  {"form": form, "title": title, "submit": submit, "back": back, **context})
