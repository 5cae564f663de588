"""Staff pages for the background work: /staff/background/."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from market.accounts.models import Role
from market.accounts.permissions import require_role

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
