"""Volunteering and equipment posts: requests and offers, published at once unless their text holds a phone number,
an email address or a street address (then held for the council to moderate); matched, and marked done."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone

from market.accounts.models import Role, User
from market.core.audit import audit_record
from market.places.models import Neighbourhood

from ..exceptions import CommunityRefused
from ..models import CommunityPost, PostKind, PostStatus

_PHONE = re.compile(r"(?:\+44\s?|\b0)(?:\d[\s-]?){9,10}\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_STREET = re.compile(
    r"\b\d{1,4}[a-z]?,?\s+(?:[A-Z][a-z]+\s+){1,3}(?:Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Close|Drive|Dr|Way|Court|"
    r"Crescent|Grove|Place|Gardens|Terrace|Walk|Row|Hill|View|Mews|Square)\b",
    re.IGNORECASE,
)
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)

#: What the council may do to a post, and from which states.
_MODERATION = {"publish": ({PostStatus.HELD}, PostStatus.PUBLISHED),
               "remove": ({PostStatus.HELD, PostStatus.PUBLISHED, PostStatus.MATCHED}, PostStatus.REMOVED)}

MATCHES = {PostKind.VOLUNTEERS_WANTED: PostKind.OFFER_TO_HELP, PostKind.OFFER_TO_HELP: PostKind.VOLUNTEERS_WANTED,
          PostKind.EQUIPMENT_WANTED: PostKind.EQUIPMENT_OFFERED, PostKind.EQUIPMENT_OFFERED: PostKind.EQUIPMENT_WANTED}


def personal_details_in(text: str) -> list[str]:
    """What in a public text would let a stranger find or contact someone: why it is held for moderation."""
    reasons = []
    if _PHONE.search(text):
        reasons.append("a phone number")
    if _EMAIL.search(text):
        reasons.append("an email address")
    if _STREET.search(text) or _POSTCODE.search(text):
        reasons.append("a street address")
    return reasons


def post_create(*, author: User, kind: str, title: str, body: str, when: str = "",
                neighbourhood: Neighbourhood | None = None) -> CommunityPost:
    if kind not in PostKind.values:
        raise CommunityRefused("Choose what it is.", field="kind")
    title, body, when = title.strip(), body.strip(), when.strip()
    if not title:
        raise CommunityRefused("Give it a title.", field="title")
    if not body:
        raise CommunityRefused("Say a little more about it.", field="body")
    reasons = personal_details_in(" ".join((title, body, when)))
    status = PostStatus.HELD if reasons else PostStatus.PUBLISHED
    with transaction.atomic():
        post = CommunityPost.objects.create(
            kind=kind, title=title[:120], body=body[:2000], when=when[:120], neighbourhood=neighbourhood,
            author=author, status=status, held_because=("It seems to hold " + " and ".join(reasons)) if reasons else "")
        audit_record(action="post.created", actor=author, target=post, summary=f"{author} posted {post.title[:80]}",
                     data={"held": bool(reasons)})
    return post


def post_moderate(*, post: CommunityPost, by: User, action: str) -> CommunityPost:
    """A commissioner publishes a held post, or removes one."""
    if not by.has_role(Role.COMMISSIONER):
        raise CommunityRefused("Only the council moderates posts.")
    sources, target = _MODERATION[action]
    with transaction.atomic():
        locked = CommunityPost.objects.select_for_update().get(pk=post.pk)
        if locked.status not in sources:
            raise CommunityRefused(f"That post is {locked.get_status_display().lower()}: it cannot be {action}d.")
        locked.status, locked.moderated_by, locked.updated_at = target, by, timezone.now()
        locked.save(update_fields=["status", "moderated_by", "updated_at"])
        audit_record(action=f"post.{action}d", actor=by, target=locked, summary=f"{by} {action}d {locked.title[:80]}")
    return locked


def post_match(*, post: CommunityPost, other: CommunityPost, by: User) -> CommunityPost:
    """Match a request with an offer (the author of either, or the council): both are marked matched."""
    if by.pk not in (post.author_id, other.author_id) and not by.has_role(Role.COMMISSIONER):
        raise CommunityRefused("Only the people who posted them, or the council, can match them.")
    if MATCHES.get(post.kind) != other.kind:
        raise CommunityRefused("Match a request with an offer of the same kind.", field="other")
    with transaction.atomic():
        first, second = sorted([post, other], key=lambda p: p.pk)
        locked = {p.pk: p for p in CommunityPost.objects.select_for_update().filter(pk__in=[first.pk, second.pk])
                  .order_by("pk")}
        if any(p.status != PostStatus.PUBLISHED for p in locked.values()):
            raise CommunityRefused("Both posts must be published and not yet matched.")
        now = timezone.now()
        for this, that in ((post.pk, other.pk), (other.pk, post.pk)):
            row = locked[this]
            row.status, row.matched_with_id, row.updated_at = PostStatus.MATCHED, that, now
            row.save(update_fields=["status", "matched_with", "updated_at"])
        audit_record(action="post.matched", actor=by, target=locked[post.pk],
                     summary=f"{locked[post.pk].title[:60]} matched with {locked[other.pk].title[:60]}")
    return locked[post.pk]


def post_done(*, post: CommunityPost, by: User) -> CommunityPost:
    if by.pk != post.author_id and not by.has_role(Role.COMMISSIONER):
        raise CommunityRefused("Only the person who posted it, or the council, can mark it done.")
    with transaction.atomic():
        locked = CommunityPost.objects.select_for_update().get(pk=post.pk)
        if locked.status not in (PostStatus.PUBLISHED, PostStatus.MATCHED):
            raise CommunityRefused(f"That post is {locked.get_status_display().lower()}.")
        locked.status, locked.updated_at = PostStatus.DONE, timezone.now()
        locked.save(update_fields=["status", "updated_at"])
        audit_record(action="post.done", actor=by, target=locked, summary=f"{locked.title[:80]} is done")
    return locked
