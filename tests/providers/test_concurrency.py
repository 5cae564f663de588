"""Two commissioners deciding the same document at the same moment: exactly one decision wins."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from market.core.models import AuditEvent
from providers import services
from providers.exceptions import IllegalTransition
from providers.models import CheckStatus, CheckType, ProviderCheck
from tests.factories import CommissionerFactory, ProviderCheckFactory


@pytest.mark.django_db(transaction=True)
def test_concurrent_decisions_on_one_document_leave_exactly_one(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    # A transactional test may start after another has flushed the seeded check types: make its own.
    check_type, _ = CheckType.objects.get_or_create(slug="dbs-enhanced", defaults={"name": "Enhanced DBS check"})
    check = ProviderCheckFactory(status=CheckStatus.PENDING, decided_at=None, check_type=check_type)
    cath, priya = CommissionerFactory(), CommissionerFactory()
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def decide(name, call, actor, reason):
        try:
            barrier.wait(timeout=10)
            call(check=check, actor=actor, reason=reason)
            outcomes[name] = "decided"
        except IllegalTransition:
            outcomes[name] = "refused"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=("approve", services.check_approve, cath, "")),
        threading.Thread(target=decide, args=("reject", services.check_reject, priya, "Blurred.")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    check = ProviderCheck.objects.get(pk=check.pk)
    assert sorted(outcomes.values()) == ["decided", "refused"]
    winner = "approve" if outcomes["approve"] == "decided" else "reject"
    assert check.status == {"approve": CheckStatus.APPROVED, "reject": CheckStatus.REJECTED}[winner]
    assert AuditEvent.objects.filter(action__in=["check.approved", "check.rejected"]).count() == 1
