"""Messages on an order, reviews (writing, replying, hiding), and concerns (raising; the commissioners' queue)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from market.accounts.models import Role
from market.core.exceptions import DomainError
from market.core.forms import add_refusal, posted
from market.core.numbers import id_from

from .. import selectors, services
from ..forms import ConcernForm, ConcernNoteForm, MessageForm, ReasonForm, ReviewForm
from ._access import found, order_for


@login_required
@require_POST
def order_message(request, order_id: int):
    order = order_for(request, order_id)
    form = MessageForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write a message first.")
    else:
        try:
            services.order_message_post(order=order, author=request.user, body=form.cleaned_data["body"])
            messages.success(request, "Message sent.")
        except DomainError as error:
            messages.error(request, error.message)
    return redirect("orders:order", order_id=order.pk)


@login_required
def review_write(request, order_id: int):
    order = order_for(request, order_id)
    form = ReviewForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.review_write(order=order, user=request.user, rating=form.cleaned_data["rating"],
                                  body=form.cleaned_data["body"])
        except DomainError as error:
            add_refusal(form, error.field, error.message)
        else:
            messages.success(request, "Thank you for your review.")
            return redirect("orders:order", order_id=order.pk)
    return render(request, "orders/form_page.html", {
        "form": form, "title": f"Review {order.provider}", "submit": "Send the review", "order": order,
        "back": ("orders:order", order.pk)})


@login_required
def review_reply(request, review_id: int):
    review = found(selectors.review_get(review_id), "review")
    if not selectors.is_member(request.user, review.provider_id):
        raise Http404("No such review.")
    form = MessageForm(posted(request))
    form.fields["body"].label = "Your reply (you can reply once)"
    if request.method == "POST" and form.is_valid():
        try:
            services.review_reply(review=review, by=request.user, body=form.cleaned_data["body"])
        except DomainError as error:
            form.add_error("body" if error.field == "body" else None, error.message)
        else:
            messages.success(request, "Reply published.")
            return redirect("orders:order", order_id=review.order_id)
    return render(request, "orders/form_page.html", {
        "form": form, "title": "Reply to a review", "submit": "Publish the reply", "order": review.order,
        "back": ("orders:order", review.order_id)})


@login_required
def review_hide(request, review_id: int):
    review = found(selectors.review_get(review_id), "review")
    if not request.user.has_role(Role.COMMISSIONER):
        raise Http404("No such review.")
    form = ReasonForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.review_hide(review=review, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form.add_error("reason" if error.field == "reason" else None, error.message)
        else:
            messages.success(request, "The review is hidden from the storefront.")
            return redirect("orders:concerns")
    return render(request, "orders/form_page.html", {
        "form": form, "title": f"Hide a review of {review.provider}", "submit": "Hide the review",
        "back": ("orders:concerns", None), "quote": review.body})


@login_required
def concern_raise(request, provider_id: int):
    provider = found(selectors.provider_get(provider_id), "provider")
    visit = None
    if (visit_id := id_from(request.GET.get("visit", ""))) is not None:
        visit = found(selectors.visit_get(visit_id), "visit")
    form = ConcernForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            concern = services.concern_raise(user=request.user, provider=provider, visit=visit,
                                             body=form.cleaned_data["body"],
                                             is_safeguarding=form.cleaned_data["is_safeguarding"])
        except DomainError as error:
            form.add_error("body" if error.field == "body" else None, error.message)
        else:
            return render(request, "orders/concern_raised.html", {"concern": concern})
    return render(request, "orders/form_page.html", {
        "form": form, "title": f"Raise a concern about {provider}", "submit": "Send the concern",
        "back": ("accounts:dashboard", None)})


def _commissioners_only(request) -> None:
    if not request.user.has_role(Role.COMMISSIONER):
        raise PermissionDenied("This page is for commissioners.")


@login_required
def concern_detail(request, concern_id: int):
    """A commissioner reads one concern, its history, and takes it on or closes it with a note."""
    _commissioners_only(request)
    concern = found(selectors.concern_get(concern_id), "concern")
    form = ConcernNoteForm(posted(request))
    if request.method == "POST" and form.is_valid():
        handle = {"take": services.concern_take, "close": services.concern_close}.get(request.POST.get("action"))
        if handle is None:
            form.add_error(None, "Choose whether to take the concern on or close it.")
        else:
            try:
                handle(concern=concern, by=request.user, note=form.cleaned_data["note"])
            except DomainError as error:
                form.add_error("note" if error.field == "note" else None, error.message)
            else:
                messages.success(request, "The concern has been updated.")
                return redirect("orders:concern", concern_id=concern.pk)
    return render(request, "orders/concern_detail.html",
                  {"concern": concern, "form": form, "history": selectors.concern_history(concern)})


@login_required
def concern_queue(request):
    _commissioners_only(request)
    return render(request, "orders/concern_queue.html",
                  {"concerns": selectors.concern_queue(), "reviews": selectors.reviews_to_moderate(limit=50)})
