"""A provider member may open only their own storefront in the Wagtail admin.

Wagtail already refuses another provider's page, but by sending the member to the admin dashboard with a
"no permission" message. This middleware answers a plain 403 instead, before any Wagtail view runs, for
people whose only standing is as a provider member. Council staff (commissioners reviewing storefront edits
through the workflow) and superusers are left to Wagtail's own checks.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from wagtail.models import Page

ADMIN_PREFIX = "/admin/pages/"
PAGE_KWARGS = ("page_id", "parent_page_id", "page_to_move_id", "destination_id")


class StorefrontAdminBoundary:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.path.startswith(ADMIN_PREFIX):
            return None
        user = request.user
        if not user.is_authenticated or user.is_superuser or user.is_council_staff:
            return None
        for name in PAGE_KWARGS:
            page = Page.objects.filter(pk=view_kwargs.get(name)).first() if name in view_kwargs else None
            if page is not None and not page.permissions_for_user(user).permissions:
                raise PermissionDenied("You can only edit your own storefront.")
        return None
