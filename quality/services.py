"""Raising quality flags (the nightly run) and working through them (commissioners)."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from market.core.audit import audit_record
from providers.permissions import require_commissioner

from .exceptions import FlagRefused
from .models import FlagStatus, QualityFlag
from .rules import RULES


def quality_checks_run(*, today: datetime.date | None = None) -> int:
    """Run every rule and raise a flag for each finding, unless the same flag (provider and kind) is already open or
    acknowledged. Returns how many flags were raised."""
    today = today or timezone.localdate()
    raised = 0
    for rule in RULES:
        for finding in rule(today):
            try:
                with transaction.atomic():
                    QualityFlag.objects.create(provider_id=finding.provider_id, kind=finding.kind,
                                               summary=finding.summary[:300], evidence=finding.evidence)
            except IntegrityError:
                continue  # still open: not raised twice
            raised += 1
    return raised


def _decide(flag: QualityFlag, *, actor, status: str, note: str) -> QualityFlag:
    require_commissioner(actor)
    with transaction.atomic():
        flag = QualityFlag.objects.select_for_update().get(pk=flag.pk)
        if flag.status == FlagStatus.RESOLVED:
            raise FlagRefused("This flag is already resolved.")
        flag.status, flag.decided_by, flag.decided_at, flag.note = status, actor, timezone.now(), note.strip()
        flag.save()
        audit_record(action=f"quality_flag.{status}", actor=actor, target=flag,
                     summary=f"{actor} marked “{flag.summary}” for {flag.provider} {status}", data={"note": flag.note})
    return flag


def flag_acknowledge(*, flag: QualityFlag, actor, note: str = "") -> QualityFlag:
    return _decide(flag, actor=actor, status=FlagStatus.ACKNOWLEDGED, note=note)


def flag_resolve(*, flag: QualityFlag, actor, note: str) -> QualityFlag:
    if not note.strip():
        raise FlagRefused("Say what was found or done before resolving the flag.", field="note")
    return _decide(flag, actor=actor, status=FlagStatus.RESOLVED, note=note)
