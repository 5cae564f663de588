"""Talking about orders and providers: messages on an order, reviews (with the provider's reply and a
commissioner's hiding), and concerns (raised by anyone signed in; taken on and closed by commissioners).

A concern's notes and outcome live in the audit trail, so its history (who, when, why) is the append-only record
itself.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from market.accounts.models import ConsentScope, Role, User
from market.accounts.permissions import capacity_for
from market.core.audit import audit_record
from market.core.links import absolute_reverse
from market.core.numbers import whole_within

from .. import notifications, selectors
from ..exceptions import OrderRefused
from ..models import Concern, ConcernStatus, Order, OrderMessage, OrderStatus, Review, Visit
from ._common import _holder_side, _sides_for, order_lock


def order_message_post(*, order: Order, author: User, body: str) -> OrderMessage:
    """A message from the holder's side (with the order consent) or the provider, emailed to the other side."""
    body = (body or "").strip()
    if not body:
        raise OrderRefused("Write a message first.", field="body")
    if len(body) > 2000:
        raise OrderRefused("Keep a message under 2,000 characters.", field="body")
    side, _sides = _sides_for(author, order)
    side = "provider" if side == "provider" else "holder"
    with transaction.atomic():
        message = OrderMessage.objects.create(order=order, author=author, author_side=side, body=body)
        text = f"{author} wrote about {order.reference} ({order.service}):\n\n{body}\n\nReply on the order's page."
        if side == "provider":
            notifications.tell_holder(order, "a new message", text)
        else:
            notifications.tell_provider(order, "a new message", text)
    return message


def review_write(*, order: Order, user: User, rating: int, body: str = "") -> Review:
    """After a completed order, the holder's side may rate (1-5) and review the provider, once."""
    _capacity, _sides = _holder_side(user, order.holder, ConsentScope.ORDER)
    if order.status != OrderStatus.COMPLETED:
        raise OrderRefused("You can review an order once it is completed.")
    if not whole_within(rating, 1, 5):
        raise OrderRefused("Choose a rating from 1 to 5 stars.", field="rating")
    with transaction.atomic():
        order_lock(order.pk)  # budget, then order (ADR 0002), so two reviews of one order cannot both pass
        if Review.objects.filter(order=order).exists():
            raise OrderRefused("This order has already been reviewed.")
        review = Review.objects.create(order=order, provider_id=order.provider_id, author=user,
                                       on_behalf_of=order.holder, rating=rating, body=(body or "").strip()[:2000])
        audit_record(action="review.written", actor=user, on_behalf_of=order.holder, target=review,
                     data={"rating": rating})
    return review


def review_reply(*, review: Review, by: User, body: str) -> Review:
    """The provider replies to a review, once."""
    body = (body or "").strip()
    if not body:
        raise OrderRefused("Write your reply first.", field="body")
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        if not selectors.is_member(by, review.provider_id):
            raise OrderRefused("Only the provider's own team can reply.")
        if review.replied_at is not None:
            raise OrderRefused("You have already replied to this review. A reply can be given once.")
        review.reply, review.replied_by, review.replied_at = body[:2000], by, timezone.now()
        review.save(update_fields=["reply", "replied_by", "replied_at"])
        audit_record(action="review.replied", actor=by, target=review)
    return review


def review_hide(*, review: Review, by: User, reason: str) -> Review:
    """A commissioner hides a review from the storefront, with a reason. The review itself is kept."""
    reason = (reason or "").strip()
    if not by.has_role(Role.COMMISSIONER):
        raise OrderRefused("Only a commissioner can hide a review.")
    if not reason:
        raise OrderRefused("Give a reason for hiding the review.", field="reason")
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        if review.hidden_at is not None:
            raise OrderRefused("This review is already hidden.")
        review.hidden_at, review.hidden_by, review.hidden_reason = timezone.now(), by, reason[:300]
        review.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        audit_record(action="review.hidden", actor=by, target=review, summary=reason)
    return review


def concern_raise(*, user: User, provider, body: str, is_safeguarding: bool, visit: Visit | None = None) -> Concern:
    """Anyone signed in may raise a concern about a provider (or one of its visits they were part of).
    Safeguarding concerns go straight to the commissioners, marked urgent."""
    body = (body or "").strip()
    if not user.is_authenticated:
        raise OrderRefused("Sign in to raise a concern.")
    if not body:
        raise OrderRefused("Tell us what the concern is.", field="body")
    if visit is not None:
        order = visit.order
        if order.provider_id != provider.pk:
            raise OrderRefused("That visit was not with this provider.", field="visit")
        if not selectors.is_member(user, provider.pk) and capacity_for(user, order.holder, ConsentScope.VIEW) is None:
            raise OrderRefused("You can only raise a concern about a visit you were part of.", field="visit")
    with transaction.atomic():
        concern = Concern.objects.create(raised_by=user, provider=provider, visit=visit, body=body[:4000],
                                         is_safeguarding=bool(is_safeguarding))
        audit_record(action="concern.raised", actor=user, target=concern,
                     summary=f"{'SAFEGUARDING: ' if is_safeguarding else ''}concern about {provider}",
                     data={"safeguarding": bool(is_safeguarding), "visit": visit.pk if visit else None})
        # Commissioners hear of every concern, in its transaction, with a link to it; a safeguarding one is urgent.
        link = absolute_reverse("orders:concern", args=[concern.pk])
        if is_safeguarding:
            notifications.tell_commissioners(
                f"URGENT safeguarding concern about {provider}",
                f"{user} raised a safeguarding concern about {provider}:\n\n{body}\n\n"
                "It is at the top of the concerns queue. The council must decide whether to make enquiries "
                f"(Care Act 2014, section 42).\n\n{link}\n",
                urgent=True,
            )
        else:
            notifications.tell_commissioners(
                f"New concern about {provider}",
                f"{user} raised a concern about {provider}:\n\n{body}\n\nIt is in the concerns queue: {link}\n",
            )
    return concern


# What a commissioner may do with a concern in each status.
CONCERN_TRANSITIONS = {
    ConcernStatus.OPEN: {ConcernStatus.IN_HAND, ConcernStatus.CLOSED},
    ConcernStatus.IN_HAND: {ConcernStatus.CLOSED},
    ConcernStatus.CLOSED: set(),
}


def _concern_move(*, concern: Concern, by: User, to: ConcernStatus, note: str, action: str) -> Concern:
    note = (note or "").strip()
    if not by.has_role(Role.COMMISSIONER):
        raise OrderRefused("Only a commissioner can handle concerns.")
    if not note:
        raise OrderRefused("Say what you have done or decided.", field="note")
    with transaction.atomic():
        concern = Concern.objects.select_for_update().get(pk=concern.pk)
        if to not in CONCERN_TRANSITIONS[ConcernStatus(concern.status)]:
            raise OrderRefused(f"This concern is already {concern.get_status_display().lower()}.")
        concern.status = to
        concern.save(update_fields=["status"])
        audit_record(action=action, actor=by, target=concern, summary=note[:300],
                     data={"note": note[:4000], "status": to.value})
    return concern


def concern_take(*, concern: Concern, by: User, note: str) -> Concern:
    """A commissioner takes the concern on, saying what happens next (e.g. a section 42 enquiry started)."""
    return _concern_move(concern=concern, by=by, to=ConcernStatus.IN_HAND, note=note, action="concern.taken")


def concern_close(*, concern: Concern, by: User, note: str) -> Concern:
    """A commissioner closes the concern with its outcome."""
    return _concern_move(concern=concern, by=by, to=ConcernStatus.CLOSED, note=note, action="concern.closed")
