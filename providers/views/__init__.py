"""Provider pages (sign-up, dashboard, checks, services, members) and the commissioners' verification queue.

Views are thin: they check who is asking (providers.permissions), read through providers.page_selectors and
providers.selectors, call a service and show the result. A provider member who asks for another provider's page
or document gets a 404, so nothing is revealed.

One module per page area: `onboarding`, `dashboard` (with the members page), `checks`, `catalogue` (services,
times and days off) and `verification` (the commissioners' queue). Every view is re-exported here for the URLs.
"""

from .catalogue import availability_remove, exception_remove, service_availability, service_create, service_edit
from .checks import check_file, check_upload
from .dashboard import dashboard, member_remove, members
from .onboarding import home, onboarding, sign_up, submit
from .verification import (
    verification_change_decide,
    verification_check_decide,
    verification_exemption,
    verification_provider,
    verification_provider_decide,
    verification_provider_suspend,
    verification_queue,
)

__all__ = [
    "availability_remove",
    "check_file",
    "check_upload",
    "dashboard",
    "exception_remove",
    "home",
    "member_remove",
    "members",
    "onboarding",
    "service_availability",
    "service_create",
    "service_edit",
    "sign_up",
    "submit",
    "verification_change_decide",
    "verification_check_decide",
    "verification_exemption",
    "verification_provider",
    "verification_provider_decide",
    "verification_provider_suspend",
    "verification_queue",
]
