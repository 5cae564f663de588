"""Reads for the provider pages and the commissioners' verification queue, each named for what it returns: a view
never queries, it calls one of these (or `providers.selectors`, which holds the listing rule and the reads other
areas use)."""

from __future__ import annotations

import datetime
from typing import NamedTuple

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from market.accounts.models import User
from market.core.models import AuditEvent
from market.places.models import Neighbourhood
from market.taxonomy.models import Category, Need

from .display import history_words
from .models import (
    AvailabilityException,
    ChangeRequestStatus,
    CheckType,
    MemberRole,
    Provider,
    ProviderCheck,
    ProviderMembership,
    ProviderStatus,
    Service,
    ServiceAvailability,
    ServiceChangeRequest,
    ServiceStatus,
)
from .selectors import (
    checks_lapsing,
    listed_services,
    provider_cqc_verified,
    provider_is_listed,
    provider_missing_checks,
)


def provider_owner(provider: Provider) -> User | None:
    """The provider's first owner (the person who signed it up)."""
    membership = (
        ProviderMembership.objects.filter(provider=provider, role=MemberRole.OWNER)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership is not None else None


def member_provider(user, slug: str) -> ProviderMembership | None:
    """`user`'s membership of the provider `slug` (with the provider), or None if they are not a member."""
    if not user.is_authenticated:
        return None
    return ProviderMembership.objects.select_related("provider").filter(user=user, provider__slug=slug).first()


def is_member(user, provider_id: int) -> bool:
    return user.is_authenticated and ProviderMembership.objects.filter(user=user, provider_id=provider_id).exists()


def provider_by_slug(slug: str) -> Provider | None:
    return Provider.objects.filter(slug=slug).first()


def provider_has_services(provider: Provider) -> bool:
    return provider.services.exists()


def provider_services(provider: Provider) -> QuerySet[Service]:
    """The provider's services, whatever their status, by title."""
    return provider.services.select_related("category").order_by("title")


def provider_neighbourhoods(provider: Provider) -> list:
    return list(provider.neighbourhoods.all())


def provider_change_requests(provider: Provider, *, limit: int) -> list[ServiceChangeRequest]:
    """The provider's latest listing changes that needed a commissioner, newest first."""
    return list(
        ServiceChangeRequest.objects.filter(service__provider=provider)
        .select_related("service", "requested_by")
        .order_by("-requested_at")[:limit]
    )


def provider_dashboard(provider: Provider) -> dict:
    """What a provider's dashboard (and the last sign-up step) shows: checks, what is missing, services with
    whether each is shown to people today, recent changes waiting for the council, and the listing status."""
    listed_ids = set(listed_services().filter(provider=provider).values_list("pk", flat=True))
    services = list(provider_services(provider).select_related("category"))
    missing = provider_missing_checks(provider)
    cqc_verified = provider_cqc_verified(provider)
    for service in services:
        service.is_listed = service.pk in listed_ids
        service.not_shown_because = "" if service.is_listed else not_shown_because(
            provider=provider, service=service, missing_checks=missing, cqc_verified=cqc_verified)
    return {
        "checks": provider.checks.select_related("check_type").order_by("check_type__sort_order", "-issued_on"),
        "missing_checks": missing,
        "lapsing": checks_lapsing(within_days=30, provider=provider),
        "services": services,
        "change_requests": provider_change_requests(provider, limit=10),
        "provider_listed": provider_is_listed(provider),
        "cqc_verified": cqc_verified,
        "today": timezone.localdate(),
    }


def not_shown_because(*, provider: Provider, service: Service, missing_checks: list, cqc_verified: bool) -> str:
    """Why a service is not shown to people today, in the order a provider can put it right (the listing rule
    itself is providers/sql/listing.sql; this names its parts)."""
    if service.status != ServiceStatus.LIVE:
        return f"It is {service.get_status_display().lower()}: only live services are shown."
    if provider.status != ProviderStatus.APPROVED:
        return f"{provider.name} is {provider.get_status_display().lower()}: services are shown once the council " \
               "has approved it."
    if missing_checks:
        return "The council has not yet approved a current " + ", ".join(c.name for c in missing_checks) + "."
    if (service.is_regulated_personal_care or service.category.is_regulated_personal_care) and not cqc_verified:
        return "Personal care is shown only with a verified CQC registration."
    return "Ask the council why it is not shown."



def provider_members(provider: Provider) -> QuerySet[ProviderMembership]:
    return provider.memberships.select_related("user").order_by("role", "user__full_name")


def provider_membership(provider: Provider, membership_id: int) -> ProviderMembership | None:
    return provider.memberships.select_related("user").filter(pk=membership_id).first()


def provider_check(check_id: int) -> ProviderCheck | None:
    """A check with its provider and kind (for its evidence file or a decision on it)."""
    return ProviderCheck.objects.select_related("provider", "check_type").filter(pk=check_id).first()


def provider_service(provider: Provider, service_id: int) -> Service | None:
    """One of the provider's services, with what its form shows (category, needs, neighbourhoods)."""
    return (
        Service.objects.select_related("category")
        .prefetch_related("needs", "neighbourhoods")
        .filter(pk=service_id, provider=provider)
        .first()
    )


def service_pending_change(service: Service) -> ServiceChangeRequest | None:
    return service.change_requests.filter(status=ChangeRequestStatus.PENDING).first()


def service_times(service: Service) -> dict[str, list]:
    """A service's weekly times (`slots`) and its dated exceptions, days off or extra days (`exceptions`)."""
    return {"slots": list(service.availability.all()), "exceptions": list(service.availability_exceptions.all())}


def availability_slot(service: Service, slot_id: int) -> ServiceAvailability | None:
    return service.availability.filter(pk=slot_id).first()


def availability_exception(service: Service, exception_id: int) -> AvailabilityException | None:
    return service.availability_exceptions.filter(pk=exception_id).first()


def change_request(change_id: int) -> ServiceChangeRequest | None:
    return ServiceChangeRequest.objects.select_related("service__provider").filter(pk=change_id).first()


class HistoryRow(NamedTuple):
    at: datetime.datetime
    actor: object
    what: str


def provider_history(provider: Provider, *, limit: int = 20) -> list[HistoryRow]:
    """The latest audit events about the provider itself (status, decisions, details, members), in words. A
    provider approved without an approval event (loaded or imported approved) still shows when and by whom."""
    events = list(
        AuditEvent.objects.filter(object_type="providers.provider", object_id=str(provider.pk))
        .select_related("actor")[:limit]
    )
    provider = Provider.objects.select_related("decided_by").get(pk=provider.pk) if provider.approved_at else provider
    rows = [HistoryRow(event.at, event.actor, history_words(event.action, event.summary, event.data))
            for event in events]
    if provider.approved_at and not any(event.action == "provider.approved" for event in events):
        rows.append(HistoryRow(provider.approved_at, provider.decided_by, "Approved"))
        rows.sort(key=lambda row: row.at, reverse=True)
    return rows[:limit]


def verification_provider_detail(provider: Provider) -> dict:
    """What a commissioner reviews about one provider: its checks (pending first), latest listing changes,
    services, members, what stops it being listed, and its history."""
    return {
        "checks": list(
            provider.checks.select_related("check_type", "uploaded_by", "decided_by").order_by(
                "status", "check_type__sort_order", "-uploaded_at"
            )
        ),
        "change_requests": provider_change_requests(provider, limit=20),
        "services": provider_services(provider),
        "missing_checks": provider_missing_checks(provider),
        "lapsing": checks_lapsing(within_days=30, provider=provider),
        "provider_listed": provider_is_listed(provider),
        "memberships": provider.memberships.select_related("user"),
        "history": provider_history(provider),
        "today": timezone.localdate(),
    }


# --- Choices for the provider forms --------------------------------------------------------------------------


def neighbourhood_choices() -> QuerySet[Neighbourhood]:
    return Neighbourhood.objects.all()


def category_choices() -> QuerySet[Category]:
    return Category.objects.all()


def need_choices() -> QuerySet[Need]:
    return Need.objects.all()


def check_type_choices() -> QuerySet[CheckType]:
    return CheckType.objects.all()


def approval_typical_days(*, within_days: int = 365) -> tuple[int, int] | None:
    """How long approval usually takes: the median whole days from submitting to approval over the providers
    approved in the last `within_days`, and how many that is; None when there are none to go by."""
    since = timezone.now() - datetime.timedelta(days=within_days)
    spans = sorted(
        (approved - submitted).days
        for submitted, approved in Provider.objects.filter(
            approved_at__gte=since, submitted_at__isnull=False, approved_at__gt=models.F("submitted_at"),
        ).values_list("submitted_at", "approved_at")
    )
    if not spans:
        return None
    return spans[len(spans) // 2], len(spans)
