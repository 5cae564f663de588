"""Commissioners and platform admins must pass a second factor before anything else."""

from django.conf import settings
from django.shortcuts import redirect

# Views a signed-in user may reach before the second factor: the second-factor pages themselves,
# signing out, and the health check.
_EXEMPT_VIEWS = frozenset(
    {"accounts:second-factor", "accounts:second-factor-setup", "accounts:sign-out", "healthz"}
)


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.needs_second_factor:
            return None
        if user.is_verified() or request.path.startswith(settings.STATIC_URL):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in _EXEMPT_VIEWS:
            return None
        return redirect("accounts:second-factor")
