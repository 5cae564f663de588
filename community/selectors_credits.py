"""Reads of community credits (balances are sums of the append-only ledger) and of volunteering and equipment posts."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from market.accounts.models import User
from market.places.models import Neighbourhood
from providers.models import Provider, ProviderKind, ProviderStatus, Service
from providers.selectors import listed_services

from .models import CommunityPost, Contribution, ContributionStatus, CreditEntry, PostStatus


def credit_balance(*, user: User | None = None, provider: Provider | None = None) -> int:
    holder = {"account__user": user} if user is not None else {"account__provider": provider}
    return CreditEntry.objects.filter(**holder).aggregate(total=Sum("credits"))["total"] or 0


def credit_entries(*, user: User, limit: int = 50) -> list[CreditEntry]:
    return list(CreditEntry.objects.filter(account__user=user).select_related("service", "contribution")[:limit])


def contributions_of(volunteer: User) -> list[Contribution]:
    return list(Contribution.objects.filter(volunteer=volunteer).select_related("provider")[:50])


def contributions_to_answer(user: User) -> list[Contribution]:
    """Hours claimed for the groups the user is a member of, waiting for them to confirm."""
    return list(Contribution.objects.filter(provider__memberships__user=user, status=ContributionStatus.CLAIMED)
                .select_related("volunteer", "provider").order_by("given_on", "pk"))


def contribution_get(contribution_id: int) -> Contribution | None:
    return Contribution.objects.select_related("provider", "volunteer").filter(pk=contribution_id).first()


def groups_to_volunteer_for() -> list[Provider]:
    return list(Provider.objects.filter(status=ProviderStatus.APPROVED, kind=ProviderKind.COMMUNITY_GROUP)
                .order_by("name"))


def group_by_id(provider_id: int) -> Provider | None:
    return Provider.objects.filter(pk=provider_id).first()


def activities_taking_credits() -> list[Service]:
    return list(listed_services().filter(accepts_credits=True).select_related("provider").order_by("title"))


def groups_holding_credits() -> list[tuple[Provider, int]]:
    rows = (CreditEntry.objects.filter(account__provider__isnull=False).values("account__provider")
            .annotate(total=Sum("credits")).filter(total__gt=0))
    totals = {row["account__provider"]: row["total"] for row in rows}
    return [(provider, totals[provider.pk]) for provider in Provider.objects.filter(pk__in=totals).order_by("name")]


@dataclass(frozen=True)
class CreditsByArea:
    neighbourhood: str
    earned: int
    spent: int
    redeemed: int


def credits_by_neighbourhood(*, since=None, until=None, neighbourhood: Neighbourhood | None = None
                              ) -> list[CreditsByArea]:
    """For commissioners: credits earned, spent and redeemed in each neighbourhood (the group's), optionally only
    those moved at or after `since` and before `until`, or in one neighbourhood. One query."""
    entries = CreditEntry.objects.all()
    if since is not None:
        entries = entries.filter(at__gte=since)
    if until is not None:
        entries = entries.filter(at__lt=until)
    if neighbourhood is not None:
        entries = entries.filter(neighbourhood=neighbourhood)
    sums = (entries.values("neighbourhood__name")
            .annotate(earned=Coalesce(Sum("credits", filter=Q(kind="earned")), 0),
                      spent=Coalesce(Sum("credits", filter=Q(kind="spent")), 0),
                      redeemed=Coalesce(Sum("credits", filter=Q(kind="redeemed")), 0))
            .order_by("neighbourhood__name"))
    return [CreditsByArea(row["neighbourhood__name"] or "Not known", row["earned"], -row["spent"], -row["redeemed"])
            for row in sums]


# --- Volunteering and equipment -----------------------------------------------------------------------------------


def posts_published(*, kind: str = "") -> QuerySet[CommunityPost]:
    posts = CommunityPost.objects.filter(status__in=[PostStatus.PUBLISHED, PostStatus.MATCHED])
    if kind:
        posts = posts.filter(kind=kind)
    return posts.select_related("neighbourhood", "provider")


def posts_held() -> QuerySet[CommunityPost]:
    return CommunityPost.objects.filter(status=PostStatus.HELD).select_related("author", "neighbourhood")


def posts_of(user: User) -> QuerySet[CommunityPost]:
    return CommunityPost.objects.filter(author=user).select_related("neighbourhood")


def post_get(post_id: int) -> CommunityPost | None:
    return CommunityPost.objects.select_related("author", "neighbourhood", "matched_with").filter(pk=post_id).first()


def neighbourhoods() -> list[Neighbourhood]:
    return list(Neighbourhood.objects.order_by("name"))
