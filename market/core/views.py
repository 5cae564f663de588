from http import HTTPStatus

from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .selectors import health_report


@never_cache
@require_GET
def healthz(request):
    report = health_report()
    status = HTTPStatus.OK if report["ok"] else HTTPStatus.SERVICE_UNAVAILABLE
    return JsonResponse(report, status=status)


def permission_denied(request, exception=None):
    """A page someone may not open. Someone not signed in (never signed in, or signed out since) is sent to sign in
    and brought back here: the page may well be theirs once they are. Someone signed in is told why not."""
    if not request.user.is_authenticated and request.method in ("GET", "HEAD"):
        return redirect_to_login(request.get_full_path())
    return defaults.permission_denied(request, exception)
