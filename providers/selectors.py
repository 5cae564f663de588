"""Reads for providers. `listed_services()` is the one Python reading of the listing rule, which lives in SQL
(providers/sql/listing.sql): the directory search, storefronts and ordering all use it.

A service is listed on a day when it is live, its provider is approved, every mandatory kind of check is covered
that day by an approved check (`ProviderCheck.valid_during`), and, for regulated personal care, a CQC
registration covers it too (or the provider has a recorded exemption).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Aggregate, BooleanField, Count, DateField, Exists, F, Func, OuterRef, QuerySet, Value
from django.utils import timezone

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
)


def _today(on: datetime.date | None) -> datetime.date:
    return on or timezone.localdate()


class _Covers(Func):
    """`<cover function>(id) @> day`: whether one of providers/sql/listing.sql's functions covers the day."""

    template = "%(function)s(%(expressions)s) @> %(day)s::date"
    output_field = BooleanField()

    def __init__(self, function: str, day: datetime.date):
        super().__init__(F("pk"), function=function)
        self.day = day

    def as_sql(self, compiler, connection, **extra):
        sql, params = super().as_sql(compiler, connection, day="%s", **extra)
        return sql, (*params, self.day)


def listed_services(*, on: datetime.date | None = None) -> QuerySet[Service]:
    """Services that may be shown publicly and booked on the day (today by default). One query."""
    return Service.objects.filter(_Covers("providers_service_listed_during", _today(on)))


def listed_providers(*, on: datetime.date | None = None) -> QuerySet[Provider]:
    """Providers whose storefronts may be shown on the day (they may have no listed service yet)."""
    return Provider.objects.filter(_Covers("providers_provider_listed_during", _today(on)))


def provider_is_listed(provider: Provider, *, on: datetime.date | None = None) -> bool:
    return listed_providers(on=on).filter(pk=provider.pk).exists()


def service_is_listed(service: Service | int, *, on: datetime.date | None = None) -> bool:
    return listed_services(on=on).filter(pk=getattr(service, "pk", service)).exists()


def provider_cqc_verified(provider: Provider, *, on: datetime.date | None = None) -> bool:
    """An approved, unexpired CQC registration, or a recorded exemption."""
    return Provider.objects.filter(pk=provider.pk).filter(_Covers("providers_cqc_cover", _today(on))).exists()


def checks_current(checks: QuerySet[ProviderCheck], *, on: datetime.date | None = None) -> QuerySet[ProviderCheck]:
    """Those of the checks that count on the day (approved, issued, unexpired)."""
    return checks.filter(valid_during__contains=_today(on))


def _check_applies(provider_id, check_type_id) -> Func:
    """Whether a kind of check applies to a provider's kind of listing (providers_check_applies, listing.sql)."""
    return Func(provider_id, check_type_id, function="providers_check_applies", output_field=BooleanField())


def mandatory_check_types(provider: Provider) -> QuerySet[CheckType]:
    """The mandatory kinds of check that apply to this provider (a community group running only activities at a
    venue is asked only for those the council marks for such groups)."""
    return CheckType.objects.filter(is_mandatory=True).filter(_check_applies(Value(provider.pk), F("pk")))


def provider_missing_checks(provider: Provider, *, on: datetime.date | None = None) -> list[CheckType]:
    """Mandatory check types that apply, without an approved, current check: what stops the provider being listed."""
    current = checks_current(ProviderCheck.objects.filter(provider=provider, check_type=OuterRef("pk")), on=on)
    return list(mandatory_check_types(provider).filter(~Exists(current)))


def current_checks(provider: Provider, *, on: datetime.date | None = None) -> QuerySet[ProviderCheck]:
    """Approved, unexpired checks: what a storefront may show as "verified" badges."""
    return checks_current(provider.checks.all(), on=on).select_related("check_type")


def providers_for_member(user) -> QuerySet[Provider]:
    if not user.is_authenticated:
        return Provider.objects.none()
    return Provider.objects.filter(memberships__user=user)


def membership_for(user, provider: Provider) -> ProviderMembership | None:
    if not user.is_authenticated:
        return None
    return ProviderMembership.objects.filter(user=user, provider=provider).first()


#: How far ahead (and back) the commissioners' queue shows mandatory checks lapsing.
QUEUE_LAPSE_DAYS = 30


def verification_queue() -> dict:
    """What is waiting for a commissioner: providers, check documents and listing changes; and mandatory checks
    about to expire (or just expired) with no renewal approved."""
    return {
        "lapsing": checks_lapsing(within_days=QUEUE_LAPSE_DAYS, expired_since_days=QUEUE_LAPSE_DAYS),
        "providers": Provider.objects.filter(status=ProviderStatus.PENDING).order_by("submitted_at", "pk"),
        "checks": ProviderCheck.objects.filter(status=CheckStatus.PENDING)
        .select_related("provider", "check_type", "uploaded_by")
        .order_by("uploaded_at", "pk"),
        "change_requests": ServiceChangeRequest.objects.filter(status=ChangeRequestStatus.PENDING)
        .select_related("service", "service__provider", "requested_by")
        .order_by("requested_at", "pk"),
    }


class _Median(Aggregate):
    function = "percentile_disc"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


def local_price_median(*, category_id: int, unit: str, on: datetime.date | None = None) -> int | None:
    """The median price in pence of the listed services of one kind (category and unit) in this council's
    market, or None when fewer than PRICE_COMPARABLES_MIN are listed (too few to call a price unusual)."""
    row = listed_services(on=on).filter(category_id=category_id, unit=unit, price_pence__gt=0).aggregate(
        median=_Median("price_pence"), count=Count("id")
    )
    if row["count"] < settings.PRICE_COMPARABLES_MIN:
        return None
    return row["median"]


@dataclass(frozen=True)
class Lapse:
    """A mandatory check whose cover ends (or has ended) with nothing approved to follow it."""

    check: ProviderCheck
    days_left: int  # days from today to its expiry date (0: expires today; negative: expired)


def _not_renewed() -> Exists:
    """(the day after a check expires, "no approved check of the same type and person covers that day")."""
    day_after = Func(F("expires_on"), Value(1), template="(%(expressions)s)", arg_joiner=" + ",
                     output_field=DateField())
    following = ProviderCheck.objects.filter(
        provider=OuterRef("provider"), check_type=OuterRef("check_type"), person_name=OuterRef("person_name"),
        valid_during__contains=OuterRef("day_after"),
    )
    return day_after, ~Exists(following)


def checks_lapsing(*, within_days: int, expired_since_days: int = 0, on: datetime.date | None = None,
                   provider: Provider | None = None) -> list[Lapse]:
    """Approved providers' mandatory checks that expire within `within_days` of the day (or expired in the last
    `expired_since_days`) with no renewal approved: what reminders warn of and commissioners watch. One query."""
    today = _today(on)
    day_after, not_renewed = _not_renewed()
    checks = (
        ProviderCheck.objects.filter(
            status=CheckStatus.APPROVED, check_type__is_mandatory=True, provider__status=ProviderStatus.APPROVED,
            expires_on__gte=today - datetime.timedelta(days=expired_since_days),
            expires_on__lte=today + datetime.timedelta(days=within_days),
        )
        .annotate(day_after=day_after)
        .filter(not_renewed)
        .filter(_check_applies(F("provider_id"), F("check_type_id")))
        .filter(**({"provider": provider} if provider is not None else {}))
        .select_related("provider", "check_type")
        .order_by("expires_on", "pk")
    )
    return [Lapse(check=check, days_left=(check.expires_on - today).days) for check in checks]
