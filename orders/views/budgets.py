"""A person's budgets, a budget's statement, and adjusting a budget."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from market.accounts.models import ConsentScope
from market.accounts.permissions import person_access
from market.core.exceptions import DomainError
from market.core.forms import add_refusal, posted

from .. import selectors, services
from ..forms import AdjustForm
from ..money import format_pence
from ._access import found


@login_required
def budgets_for_person(request, person_id: int):
    person = found(selectors.person_get(person_id), "person")
    acting = person_access(request.user, person, ConsentScope.VIEW, request=request)
    budgets = [(budget, selectors.budget_balance(budget)) for budget in selectors.budgets_for_person(person)]
    return render(request, "orders/budgets.html", {"person": person, "acting": acting, "budgets": budgets,
                                                   "partners": selectors.household_partners(person)})


@login_required
def budget_statement(request, budget_id: int):
    budget = found(selectors.budget_get(budget_id), "budget")
    acting = person_access(request.user, budget.holder, ConsentScope.VIEW, request=request)
    context = {
        "budget": budget,
        "acting": acting,
        "balance": selectors.budget_balance(budget),
        "periods": selectors.budget_periods(budget),
        "entries": selectors.budget_ledger(budget, limit=100),
        "may_adjust": selectors.may_manage_budget(request.user, budget.holder),
        "categories": selectors.budget_categories(budget),
        "blocks": selectors.budget_block_shares(budget),
        "shares": selectors.shares_for_budget(budget),
    }
    return render(request, "orders/budget_statement.html", context)


@login_required
def budget_adjust(request, budget_id: int):
    budget = found(selectors.budget_get(budget_id), "budget")
    if not selectors.may_manage_budget(request.user, budget.holder):
        raise Http404("No such budget.")
    form = AdjustForm(posted(request), initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.budget_adjust(budget=budget, amount_pence=form.signed_pence(), on=form.cleaned_data["on"],
                                   reason=form.cleaned_data["reason"], actor=request.user)
        except DomainError as error:
            add_refusal(form, error.field, error.message)
        else:
            messages.success(request, f"Adjusted by {format_pence(form.signed_pence())}.")
            return redirect("orders:budget", budget_id=budget.pk)
    return render(request, "orders/form_page.html", {
        "form": form, "title": f"Adjust {budget.holder.display_name}'s budget", "submit": "Save the adjustment",
        "back": ("orders:budget", budget.pk),
    })
