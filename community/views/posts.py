"""Volunteering and equipment: the public board, posting, matching, marking done, and the council's moderation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from market.core.exceptions import DomainError
from market.core.forms import add_refusal, posted
from market.core.numbers import id_from
from providers.permissions import is_commissioner, require_commissioner

from .. import selectors_credits as reads
from ..forms import PostForm
from ..models import PostKind, PostStatus
from ..services import posts
from .people import found


def board(request):
    kind = request.GET.get("kind", "")
    kind = kind if kind in PostKind.values else ""
    return render(request, "community/board.html", {
        "posts": reads.posts_published(kind=kind), "kind": kind, "kinds": PostKind.choices,
        "mine": reads.posts_of(request.user) if request.user.is_authenticated else [],
    })


@login_required
def post_new(request):
    form = PostForm(posted(request), neighbourhoods=reads.neighbourhoods())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        neighbourhood = next((n for n in reads.neighbourhoods() if n.pk == data["neighbourhood"]), None)
        try:
            post = posts.post_create(author=request.user, kind=data["kind"], title=data["title"], body=data["body"],
                                     when=data["when"], neighbourhood=neighbourhood)
        except DomainError as refusal:
            add_refusal(form, refusal.field, refusal.message)
        else:
            if post.status == PostStatus.HELD:
                messages.info(request, f"{post.held_because}, so the council will check it before it is shown. "
                              "People reply through the site: you do not need to give your details.")
            else:
                messages.success(request, "Your post is on the board.")
            return redirect("community:post", post_id=post.pk)
    return render(request, "community/form_page.html", {
        "form": form, "title": "Ask for or offer help or equipment", "submit": "Post it", "back": "community:board",
    })


def post_page(request, post_id: int):
    post = found(reads.post_get(post_id), "post")
    own = request.user.is_authenticated and post.author_id == request.user.pk
    council = is_commissioner(request.user)
    if post.status in (PostStatus.HELD, PostStatus.REMOVED) and not (own or council):
        found(None, "post")
    candidates = []
    if (own or council) and post.status == PostStatus.PUBLISHED:
        candidates = [p for p in reads.posts_published() if p.kind == posts.MATCHES[post.kind] and
                      p.status == PostStatus.PUBLISHED]
    return render(request, "community/post.html", {"post": post, "own": own, "council": council,
                                                   "candidates": candidates})


@login_required
@require_POST
def post_act(request, post_id: int, action: str):
    post = found(reads.post_get(post_id), "post")
    try:
        if action == "match":
            other = found(reads.post_get(id_from(request.POST.get("other", "")) or 0), "post")
            posts.post_match(post=post, other=other, by=request.user)
            messages.success(request, f"Matched with “{other.title}”.")
        elif action == "done":
            posts.post_done(post=post, by=request.user)
            messages.success(request, "Marked done. Thank you.")
        elif action in ("publish", "remove"):
            require_commissioner(request.user)
            posts.post_moderate(post=post, by=request.user, action=action)
            messages.success(request, f"The post is {'published' if action == 'publish' else 'removed'}.")
        else:
            found(None, "action")
    except DomainError as refusal:
        messages.error(request, refusal.message)
    return redirect("community:post", post_id=post.pk)


@login_required
def moderation(request):
    require_commissioner(request.user)
    return render(request, "community/moderation.html", {"posts": reads.posts_held()})
