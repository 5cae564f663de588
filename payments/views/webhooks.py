"""Stripe's two webhook endpoints: answer fast (verify, store, queue) and let a task do the work."""

from __future__ import annotations

from http import HTTPStatus

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from .. import services, stripe_api
from ..models import Endpoint


def _receive(request, endpoint: str) -> JsonResponse:
    if request.method != "POST":
        return JsonResponse({"error": "Send Stripe events by POST."}, status=HTTPStatus.METHOD_NOT_ALLOWED)
    if not stripe_api.is_set_up():
        return JsonResponse({"error": "Payments are not set up on this site."}, status=HTTPStatus.BAD_REQUEST)
    try:
        payload = request.body
    except RequestDataTooBig:
        return JsonResponse({"error": "The body is larger than any Stripe event."},
                            status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    try:
        event, new = services.webhook_receive(endpoint=endpoint, payload=payload,
                                              signature=request.headers.get("Stripe-Signature", ""))
    except services.WebhookRefused as refusal:
        return JsonResponse({"error": refusal.message}, status=HTTPStatus.BAD_REQUEST)
    return JsonResponse({"received": event.event_id, "duplicate": not new})


@csrf_exempt
def platform(request):
    return _receive(request, Endpoint.PLATFORM)


@csrf_exempt
def connect(request):
    return _receive(request, Endpoint.CONNECT)
