"""Writing to the audit trail. Call it inside the same transaction as the change it records.

There is one way an audit row is written: the SQL function market_audit_record (market/core/sql/audit.sql), which
this calls and which SQL that records its own work (order placement) calls too.
"""

from __future__ import annotations

from typing import Any

from django.db import connections, models, router
from django.utils import timezone
from psycopg.types.json import Jsonb

from .models import AuditEvent

_RECORD_SQL = (
    "SELECT market_audit_record(%s::text, %s::bigint, %s::bigint, %s::text, %s::text, %s::text, %s::jsonb, "
    "%s::timestamptz)"
)


def audit_record(
    *,
    action: str,
    actor=None,
    on_behalf_of=None,
    target: models.Model | None = None,
    summary: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event and return it (as stored)."""
    event = AuditEvent(
        at=timezone.now(),
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        on_behalf_of=on_behalf_of,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        summary=summary[:300],
        data=data or {},
    )
    alias = router.db_for_write(AuditEvent)
    with connections[alias].cursor() as cursor:
        cursor.execute(_RECORD_SQL, [event.action, event.actor_id, event.on_behalf_of_id, event.object_type,
                                     event.object_id, event.summary, Jsonb(event.data), event.at])
        event.pk = cursor.fetchone()[0]
    event._state.adding = False
    event._state.db = alias
    return event
