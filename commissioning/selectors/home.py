"""What a commissioner's home page counts: everything she acts on, each a few aggregate queries."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from community.selectors_credits import credits_by_neighbourhood
from market.outbox.selectors import outbox_counts
from orders.models import Concern, ConcernStatus
from providers.models import (
    ChangeRequestStatus,
    CheckStatus,
    Provider,
    ProviderCheck,
    ProviderStatus,
    ServiceChangeRequest,
)
from providers.selectors import checks_lapsing
from quality.selectors import flag_counts


@dataclass(frozen=True)
class HomeCounts:
    safeguarding_concerns: int
    other_concerns: int
    providers_waiting: int
    documents_waiting: int
    changes_waiting: int
    checks_expiring_this_month: int
    checks_expired_recently: int
    quality_flags_open: int
    quality_flags_acknowledged: int
    emails_failed: int
    credits_earned_this_month: int = 0
    credits_spent_this_month: int = 0

    @property
    def verification_waiting(self) -> int:
        return self.providers_waiting + self.documents_waiting + self.changes_waiting


def home_counts() -> HomeCounts:
    today = timezone.localdate()
    month_days_left = calendar.monthrange(today.year, today.month)[1] - today.day
    concerns = Concern.objects.exclude(status=ConcernStatus.CLOSED).aggregate(
        safeguarding=Count("pk", filter=Q(is_safeguarding=True)), other=Count("pk", filter=Q(is_safeguarding=False)))
    lapsing = checks_lapsing(within_days=month_days_left, expired_since_days=30)
    flags = flag_counts()
    month_start = timezone.make_aware(datetime.datetime.combine(today.replace(day=1), datetime.time.min))
    credits = credits_by_neighbourhood(since=month_start)
    return HomeCounts(
        safeguarding_concerns=concerns["safeguarding"], other_concerns=concerns["other"],
        providers_waiting=Provider.objects.filter(status=ProviderStatus.PENDING).count(),
        documents_waiting=ProviderCheck.objects.filter(status=CheckStatus.PENDING).count(),
        changes_waiting=ServiceChangeRequest.objects.filter(status=ChangeRequestStatus.PENDING).count(),
        checks_expiring_this_month=sum(1 for lapse in lapsing if lapse.days_left >= 0),
        checks_expired_recently=sum(1 for lapse in lapsing if lapse.days_left < 0),
        quality_flags_open=flags["open"], quality_flags_acknowledged=flags["acknowledged"],
        emails_failed=outbox_counts()["failed"],
        credits_earned_this_month=sum(area.earned for area in credits),
        credits_spent_this_month=sum(area.spent for area in credits),
    )
