"""Writes for providers: keyword-only functions named <thing>_<verb>, one transaction each, each writing its
audit row in the same transaction. They raise `providers.exceptions` errors with a message a person can read
(and, where it is about one form field, that field's name).

One module per concern, every public name re-exported here, so callers write `providers.services.provider_approve`:

- `onboarding`: signing up and the guided sign-up steps;
- `verification`: a provider's status (the transition table), asking for approval and the commissioners' decisions;
- `members`: the people who work for a provider;
- `checks`: evidence of checks (uploads read by their content) and the decisions on them;
- `catalogue`: services, prices and change requests, photos, weekly times and days off.
"""

from .catalogue import (
    SERVICE_FIELDS,
    PhotoUpload,
    availability_add,
    availability_exception_remove,
    availability_exception_set,
    availability_remove,
    change_request_approve,
    change_request_reject,
    service_create,
    service_update,
)
from .checks import (
    UPLOAD_KIND_MESSAGE,
    CheckEvidence,
    check_approve,
    check_file_open,
    check_reject,
    check_upload,
    sniff_upload,
)
from .members import member_add, member_remove
from .onboarding import (
    ONBOARDING_STEPS,
    provider_mark_step,
    provider_set_neighbourhoods,
    provider_sign_up,
    provider_start,
    provider_update_about,
    provider_update_contact,
)
from .reminders import check_expiry_reminders_send
from .verification import (
    PROVIDER_APPROVED_HOOK,
    PROVIDER_TRANSITIONS,
    provider_approve,
    provider_record_cqc_exemption,
    provider_reinstate,
    provider_reject,
    provider_submit,
    provider_suspend,
)

__all__ = [
    "ONBOARDING_STEPS",
    "PROVIDER_APPROVED_HOOK",
    "PROVIDER_TRANSITIONS",
    "SERVICE_FIELDS",
    "UPLOAD_KIND_MESSAGE",
    "CheckEvidence",
    "PhotoUpload",
    "availability_add",
    "availability_exception_remove",
    "availability_exception_set",
    "availability_remove",
    "change_request_approve",
    "change_request_reject",
    "check_approve",
    "check_expiry_reminders_send",
    "check_file_open",
    "check_reject",
    "check_upload",
    "member_add",
    "member_remove",
    "provider_approve",
    "provider_mark_step",
    "provider_record_cqc_exemption",
    "provider_reinstate",
    "provider_reject",
    "provider_set_neighbourhoods",
    "provider_sign_up",
    "provider_start",
    "provider_submit",
    "provider_suspend",
    "provider_update_about",
    "provider_update_contact",
    "service_create",
    "service_update",
    "sniff_upload",
]
