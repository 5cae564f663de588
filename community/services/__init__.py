"""Writes of the community area: every change goes through one of these functions (keyword-only, one transaction,
an audit row with the change, a CommunityRefused with a readable message when refused)."""

from .activities import (
    activity_join,
    activity_leave,
    plan_purchase_add,
    plan_settings_set,
    plan_snapshot_take,
)
from .people import (
    caseload_join,
    caseload_person_add,
    introduction_answer,
    introduction_make,
    what_matters_record,
)

__all__ = [
    "activity_join",
    "activity_leave",
    "caseload_join",
    "caseload_person_add",
    "introduction_answer",
    "introduction_make",
    "plan_purchase_add",
    "plan_settings_set",
    "plan_snapshot_take",
    "what_matters_record",
]
