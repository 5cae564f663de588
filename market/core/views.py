from http import HTTPStatus

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .selectors import health_report


@never_cache
@require_GET
def healthz(request):
    report = health_report()
    status = HTTPStatus.OK if report["ok"] else HTTPStatus.SERVICE_UNAVAILABLE
    return JsonResponse(report, status=status)
