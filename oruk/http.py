"""What every feed answer shares: JSON, open to any origin, throttled per client, and cheap to poll.

- `Access-Control-Allow-Origin: *` on every answer (the profile's rule), errors and throttling included.
- ETag (a hash of the body) and Last-Modified (the newest record shown, where there is one): a harvester that
  sends If-None-Match or If-Modified-Since gets a 304 with no body when nothing changed.
- A fixed window of ORUK_REQUESTS_PER_MINUTE requests per client address, counted in Redis (the cache); over it,
  a 429 with Retry-After. If Redis is down the feed is served unthrottled rather than not at all.
- Bad input is a 400 naming the parameter; an unknown id a 404; both with a JSON body.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import logging
import time
from http import HTTPStatus

from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from market.core.cache import CACHE_FAILURES

from .params import BadParameter

logger = logging.getLogger(__name__)

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "If-None-Match, If-Modified-Since",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Retry-After",
}
#: How long a harvester or a browser may reuse an answer without asking again.
MAX_AGE_SECONDS = 60


def _json(status: int, data: dict) -> HttpResponse:
    body = json.dumps(data, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False)
    return HttpResponse(body, status=status, content_type="application/json")


def error(status: HTTPStatus, message: str, *, parameter: str | None = None) -> HttpResponse:
    data = {"status": status.value, "error": status.phrase, "message": message}
    if parameter is not None:
        data["parameter"] = parameter
    return _json(status, data)


def not_found(what: str) -> HttpResponse:
    return error(HTTPStatus.NOT_FOUND, f"There is no {what} with that id in this feed.", parameter="id")


def feed(request: HttpRequest, data: dict, *, last_modified: datetime.datetime | None = None) -> HttpResponse:
    """A 200 with `data`, or a 304 when the client already has it."""
    response = _json(HTTPStatus.OK, data)
    etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
    response["ETag"] = etag
    timestamp = last_modified.timestamp() if last_modified is not None else None
    if timestamp is not None:
        response["Last-Modified"] = http_date(timestamp)
    patch_cache_control(response, public=True, max_age=MAX_AGE_SECONDS)
    conditional = get_conditional_response(request, etag=etag, last_modified=timestamp and int(timestamp),
                                           response=response)
    return conditional


def _client(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _throttled(request: HttpRequest) -> int | None:
    """Seconds to wait when this client is over its limit this minute, else None."""
    limit = settings.ORUK_REQUESTS_PER_MINUTE
    if not limit:
        return None
    now = time.time()
    window = int(now // 60)
    key = f"oruk:throttle:{_client(request)}:{window}"
    try:
        cache.add(key, 0, 61)
        count = cache.incr(key)
    except (ValueError, *CACHE_FAILURES):  # the key vanished (Redis restarted) or Redis is down: serve
        logger.warning("The feed's throttle could not count a request; serving it", exc_info=True)
        return None
    if count is None or count <= limit:
        return None
    return max(1, 60 - int(now % 60))


def endpoint(view):
    """Wraps a feed view: GET/HEAD only (OPTIONS answers a CORS preflight), throttling, bad parameters as 400s,
    and the CORS headers on every answer."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "OPTIONS":
            response = HttpResponse(status=HTTPStatus.NO_CONTENT)
        elif request.method not in ("GET", "HEAD"):
            response = error(HTTPStatus.METHOD_NOT_ALLOWED, "This feed only answers GET.")
            response["Allow"] = "GET, HEAD, OPTIONS"
        elif (wait := _throttled(request)) is not None:
            response = error(HTTPStatus.TOO_MANY_REQUESTS,
                             f"More than {settings.ORUK_REQUESTS_PER_MINUTE} requests a minute from one address; "
                             f"try again in {wait} seconds.")
            response["Retry-After"] = str(wait)
        else:
            try:
                response = view(request, *args, **kwargs)
            except BadParameter as bad:
                response = error(HTTPStatus.BAD_REQUEST, f"{bad.parameter} {bad.reason}.", parameter=bad.parameter)
        for header, value in CORS_HEADERS.items():
            response[header] = value
        return response

    wrapped.csrf_exempt = True
    return wrapped
