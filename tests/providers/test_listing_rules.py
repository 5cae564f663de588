"""Which services the public may see and book: providers.selectors.listed_services()."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError
from django.utils import timezone

from providers.models import CheckStatus, CheckType, ProviderCheck, ProviderStatus, ServiceStatus
from providers.selectors import listed_services, provider_is_listed, service_is_listed
from tests.factories import CategoryFactory, ListedServiceFactory, ProviderCheckFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


def _expire(check):
    ProviderCheck.objects.filter(pk=check.pk).update(
        issued_on=_today() - datetime.timedelta(days=400), expires_on=_today() - datetime.timedelta(days=1)
    )


def _break_by_expired_check(service):
    _expire(service.provider.checks.get(check_type__slug="dbs-enhanced"))


def _break_by_missing_mandatory_check(service):
    service.provider.checks.filter(check_type__slug="public-liability-insurance").delete()


def _break_by_pending_check(service):
    service.provider.checks.filter(check_type__slug="public-liability-insurance").update(
        status=CheckStatus.PENDING, decided_at=None
    )


def _break_by_regulated_without_cqc(service):
    service.is_regulated_personal_care = True
    service.save()


def _break_by_regulated_category_without_cqc(service):
    service.category = CategoryFactory(name="Personal care", is_regulated_personal_care=True)
    service.save()


def _break_by_suspended_provider(service):
    service.provider.status = ProviderStatus.SUSPENDED
    service.provider.save()


def _break_by_pending_provider(service):
    service.provider.status = ProviderStatus.PENDING
    service.provider.save()


def _break_by_paused_service(service):
    service.status = ServiceStatus.PAUSED
    service.save()


def _break_by_expired_cqc(service):
    service.is_regulated_personal_care = True
    service.save()
    cqc = ProviderCheckFactory(provider=service.provider, check_type=CheckType.objects.get(slug="cqc-registration"))
    _expire(cqc)


@pytest.mark.parametrize(
    "break_it",
    [
        _break_by_expired_check,
        _break_by_missing_mandatory_check,
        _break_by_pending_check,
        _break_by_regulated_without_cqc,
        _break_by_regulated_category_without_cqc,
        _break_by_suspended_provider,
        _break_by_pending_provider,
        _break_by_paused_service,
        _break_by_expired_cqc,
    ],
)
def test_a_service_is_hidden_when(break_it):
    # Given a listed service and another listed service from a different provider
    service = ListedServiceFactory()
    other = ListedServiceFactory()
    assert service_is_listed(service) is True

    # When one rule is broken
    break_it(service)

    # Then that service (only) is hidden
    assert service_is_listed(service) is False
    assert list(listed_services()) == [other]


def test_regulated_care_is_listed_with_a_verified_cqc_registration():
    service = ListedServiceFactory(is_regulated_personal_care=True)
    assert service_is_listed(service) is False

    ProviderCheckFactory(
        provider=service.provider,
        check_type=CheckType.objects.get(slug="cqc-registration"),
        person_name="",
        expires_on=None,
    )

    assert service_is_listed(service) is True


def test_regulated_care_is_listed_with_a_recorded_exemption():
    service = ListedServiceFactory(is_regulated_personal_care=True)
    service.provider.cqc_exemption_reason = "Works under the registered manager of Scholes Care Co-operative."
    service.provider.save()

    assert service_is_listed(service) is True


def test_one_current_dbs_is_enough_for_a_per_person_check():
    service = ListedServiceFactory()
    dbs = CheckType.objects.get(slug="dbs-enhanced")
    old = ProviderCheckFactory(provider=service.provider, check_type=dbs, person_name="Sam")
    _expire(old)

    assert service_is_listed(service) is True


def test_a_check_expiring_today_still_counts_and_tomorrow_it_does_not():
    service = ListedServiceFactory()
    service.provider.checks.filter(check_type__slug="dbs-enhanced").update(expires_on=_today())

    assert service_is_listed(service) is True
    assert service_is_listed(service, on=_today() + datetime.timedelta(days=1)) is False
    assert provider_is_listed(service.provider, on=_today() + datetime.timedelta(days=1)) is False


@pytest.mark.parametrize(
    "break_it",
    [
        _break_by_expired_check,
        _break_by_missing_mandatory_check,
        _break_by_pending_check,
        _break_by_regulated_without_cqc,
        _break_by_regulated_category_without_cqc,
        _break_by_suspended_provider,
        _break_by_pending_provider,
        _break_by_paused_service,
        _break_by_expired_cqc,
    ],
)
def test_each_way_a_service_stops_being_listed(break_it):
    service = ListedServiceFactory()
    assert service_is_listed(service) is True

    break_it(service)

    assert service_is_listed(service) is False
    assert service not in listed_services()


def test_cqc_exemption_and_expiry_dates():
    service = ListedServiceFactory(is_regulated_personal_care=True)
    assert service_is_listed(service) is False
    service.provider.cqc_exemption_reason = "Works under the registered manager of Scholes Care Co-operative."
    service.provider.save()
    assert service_is_listed(service) is True

    other = ListedServiceFactory(is_regulated_personal_care=True)
    ProviderCheckFactory(provider=other.provider, check_type=CheckType.objects.get(slug="cqc-registration"),
                         person_name="", expires_on=None)
    other.provider.checks.filter(check_type__slug="dbs-enhanced").update(expires_on=_today())
    tomorrow = _today() + datetime.timedelta(days=1)
    assert service_is_listed(other) is True
    assert service_is_listed(other, on=tomorrow) is False
    assert service_is_listed(0) is False


def test_a_gap_between_two_checks_of_one_kind_unlists_for_the_gap_only():
    # Given a DBS check that ran out, and its renewal issued ten days later
    service = ListedServiceFactory()
    today = _today()
    day = datetime.timedelta(days=1)
    dbs = service.provider.checks.get(check_type__slug="dbs-enhanced")
    dbs.issued_on, dbs.expires_on = today - 100 * day, today + 10 * day
    dbs.save()
    ProviderCheckFactory(provider=service.provider, check_type=dbs.check_type, issued_on=today + 21 * day,
                         expires_on=today + 400 * day)

    # Then the service is listed up to the expiry, hidden for the gap, and listed again from the renewal
    listed = {offset: service_is_listed(service, on=today + offset * day) for offset in (10, 11, 20, 21, 150)}
    assert listed == {10: True, 11: False, 20: False, 21: True, 150: True}
    assert provider_is_listed(service.provider, on=today + 15 * day) is False


def test_listed_services_is_one_query(django_assert_num_queries):
    for _ in range(5):
        ListedServiceFactory()

    with django_assert_num_queries(1):
        assert len(list(listed_services())) == 5


def test_the_database_refuses_a_price_of_zero_unless_free():
    with pytest.raises(IntegrityError):
        ServiceFactory(price_pence=0, unit="per_hour")
