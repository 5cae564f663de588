"""The commissioners' quality flags: /commissioners/quality/."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from market.core.exceptions import DomainError
from market.core.forms import posted
from providers.permissions import require_commissioner

from . import selectors, services
from .forms import FlagDecisionForm


def flags(request):
    require_commissioner(request.user)
    unresolved = list(selectors.flags_unresolved())
    for flag in unresolved:
        flag.form = FlagDecisionForm(prefix=f"flag{flag.pk}")
    return render(request, "quality/flags.html", {
        "unresolved": unresolved, "resolved": selectors.flags_resolved(), "counts": selectors.flag_counts(),
    })


@require_POST
def flag_decide(request, flag_id: int):
    require_commissioner(request.user)
    flag = selectors.flag_get(flag_id)
    if flag is None:
        raise Http404("No such flag.")
    form = FlagDecisionForm(posted(request), prefix=f"flag{flag.pk}")
    if form.is_valid():
        decide = services.flag_resolve if form.cleaned_data["decision"] == "resolve" else services.flag_acknowledge
        try:
            decide(flag=flag, actor=request.user, note=form.cleaned_data["note"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Recorded: {flag.provider}, {flag.get_kind_display().lower()}.")
    else:
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
    return redirect("quality:flags")
