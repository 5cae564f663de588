"""Reads for providers. `listed_services()` is the single source of truth for what the public may see and
book now; the directory search, storefronts and ordering all use it.

A service is listed when:
- its provider is approved;
- the service is live;
- for every mandatory check type the provider has at least one approved check that has not expired
  (for a per-person check, such as DBS, at least one person's);
- if it is regulated personal care (flagged, or in a regulated category), the provider has an approved,
  unexpired CQC registration or a recorded CQC exemption.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from market.core.compiled import CompiledQuery

from .models import (
    ChangeRequestStatus,
    CheckStatus,
    CheckType,
    Provider,
    ProviderCheck,
    ProviderMembership,
    ProviderStatus,
    Service,
    ServiceChangeRequest,
    ServiceStatus,
)


def _today(on: datetime.date | None) -> datetime.date:
    return on or timezone.localdate()


def _current(checks: QuerySet, today: datetime.date) -> QuerySet:
    return checks.filter(status=CheckStatus.APPROVED, issued_on__lte=today).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=today)
    )


def _mandatory_checks_met(provider_ref, today: datetime.date) -> Q:
    """A condition on the row where `provider_ref` (an OuterRef-able field name) is the provider id."""
    current = _current(
        ProviderCheck.objects.filter(provider=OuterRef(OuterRef(provider_ref)), check_type=OuterRef("pk")),
        today,
    )
    missing = CheckType.objects.filter(is_mandatory=True).filter(~Exists(current))
    return ~Exists(missing)


def _cqc_met(provider_ref, provider_prefix: str, today: datetime.date) -> Q:
    cqc = _current(
        ProviderCheck.objects.filter(provider=OuterRef(provider_ref), check_type__regulated_care_only=True),
        today,
    )
    return Q(**{f"{provider_prefix}cqc_exemption_reason__gt": ""}) | Q(Exists(cqc))


def listed_providers(*, on: datetime.date | None = None) -> QuerySet[Provider]:
    """Approved providers whose mandatory checks are current (they may have no listed service yet)."""
    today = _today(on)
    return Provider.objects.filter(status=ProviderStatus.APPROVED).filter(_mandatory_checks_met("pk", today))


def listed_services(*, on: datetime.date | None = None) -> QuerySet[Service]:
    """Services that may be shown publicly and booked now. One query, whatever the number of rows."""
    today = _today(on)
    regulated = Q(is_regulated_personal_care=True) | Q(category__is_regulated_personal_care=True)
    return (
        Service.objects.filter(status=ServiceStatus.LIVE, provider__status=ProviderStatus.APPROVED)
        .filter(_mandatory_checks_met("provider_id", today))
        .filter(~regulated | _cqc_met("provider_id", "provider__", today))
    )


def provider_is_listed(provider: Provider, *, on: datetime.date | None = None) -> bool:
    return listed_providers(on=on).filter(pk=provider.pk).exists()


def service_is_listed(service: Service, *, on: datetime.date | None = None) -> bool:
    return listed_services(on=on).filter(pk=service.pk).exists()


# For ONE service (order placement): the same rule as listed_services(), without planning its set-based
# query (~5 ms of PostgreSQL planning for nested EXISTS over every check type). The provider's checks are
# read by provider id through the check_provider_type_status index; tests/providers/test_listing_rules.py
# asserts service_listed_now() agrees with listed_services() in every case it tests.
LISTING_FACTS = ("status", "provider__status", "provider__cqc_exemption_reason", "is_regulated_personal_care",
                 "category__is_regulated_personal_care")


def _provider_checks_query(today: datetime.date, *, provider_id: int) -> QuerySet:
    current = _current(ProviderCheck.objects.filter(provider_id=provider_id, check_type=OuterRef("pk")), today)
    return (
        CheckType.objects.filter(Q(is_mandatory=True) | Q(regulated_care_only=True))
        .order_by()
        .annotate(met=Exists(current))
        .values_list("is_mandatory", "regulated_care_only", "met")
    )


_PROVIDER_CHECKS = CompiledQuery(_provider_checks_query, "provider_id")  # compiled once a day, not per order


def provider_checks_met(provider_id: int, *, on: datetime.date | None = None) -> tuple[bool, bool]:
    """(every mandatory check type has a current check, a current CQC registration) for one provider:
    _mandatory_checks_met and _cqc_met for a single provider, in one small query."""
    mandatory_met, cqc_met = True, False
    for is_mandatory, regulated_care_only, met in _PROVIDER_CHECKS.rows(_today(on), provider_id=provider_id):
        mandatory_met = mandatory_met and (met or not is_mandatory)
        cqc_met = cqc_met or (met and regulated_care_only)
    return mandatory_met, cqc_met


def listed_from_facts(facts: dict, *, mandatory_met: bool, cqc_met: bool) -> bool:
    """listed_services()'s rule (the module docstring) for one service whose LISTING_FACTS are loaded."""
    regulated = facts["is_regulated_personal_care"] or facts["category__is_regulated_personal_care"]
    return (
        facts["status"] == ServiceStatus.LIVE
        and facts["provider__status"] == ProviderStatus.APPROVED
        and mandatory_met
        and (not regulated or (facts["provider__cqc_exemption_reason"] or "") > "" or cqc_met)
    )


def service_listed_now(service_id: int, *, on: datetime.date | None = None) -> bool:
    """The same answer as service_is_listed(), in two small indexed queries."""
    facts = Service.objects.filter(pk=service_id).order_by().values("provider_id", *LISTING_FACTS).first()
    if facts is None:
        return False
    mandatory_met, cqc_met = provider_checks_met(facts["provider_id"], on=on)
    return listed_from_facts(facts, mandatory_met=mandatory_met, cqc_met=cqc_met)


def provider_cqc_verified(provider: Provider, *, on: datetime.date | None = None) -> bool:
    """An approved, unexpired CQC registration, or a recorded exemption."""
    today = _today(on)
    return Provider.objects.filter(pk=provider.pk).filter(_cqc_met("pk", "", today)).exists()


def provider_missing_checks(provider: Provider, *, on: datetime.date | None = None) -> list[CheckType]:
    """Mandatory check types without an approved, current check: what stops the provider being listed."""
    today = _today(on)
    current = _current(ProviderCheck.objects.filter(provider=provider, check_type=OuterRef("pk")), today)
    return list(CheckType.objects.filter(is_mandatory=True).filter(~Exists(current)))


def current_checks(provider: Provider, *, on: datetime.date | None = None) -> QuerySet[ProviderCheck]:
    """Approved, unexpired checks: what a storefront may show as "verified" badges."""
    return _current(provider.checks.all(), _today(on)).select_related("check_type")


def providers_for_member(user) -> QuerySet[Provider]:
    if not user.is_authenticated:
        return Provider.objects.none()
    return Provider.objects.filter(memberships__user=user)


def membership_for(user, provider: Provider) -> ProviderMembership | None:
    if not user.is_authenticated:
        return None
    return ProviderMembership.objects.filter(user=user, provider=provider).first()


def verification_queue() -> dict[str, QuerySet]:
    """What is waiting for a commissioner: providers, check documents and listing changes."""
    return {
        "providers": Provider.objects.filter(status=ProviderStatus.PENDING).order_by("submitted_at", "pk"),
        "checks": ProviderCheck.objects.filter(status=CheckStatus.PENDING)
        .select_related("provider", "check_type", "uploaded_by")
        .order_by("uploaded_at", "pk"),
        "change_requests": ServiceChangeRequest.objects.filter(status=ChangeRequestStatus.PENDING)
        .select_related("service", "service__provider", "requested_by")
        .order_by("requested_at", "pk"),
    }
