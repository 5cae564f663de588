"""What every feed answer shares: JSON, open to any origin, throttled per client, and cheap to poll.

- `Access-Control-Allow-Origin: *` on every answer (the profile's rule), errors and throttling included.
- ETag (a hash of the body) and Last-Modified (when this URL's answer last changed, remembered in Redis): a
  harvester that sends If-None-Match or If-Modified-Since gets a 304 with no body when nothing changed.
- A fixed window of ORUK_REQUESTS_PER_MINUTE requests per client address, counted in Redis (the cache); over it,
  a 429 with Retry-After. If Redis is down the feed is served unthrottled rather than not at all.
- Bad input is a 400 naming the parameter; an unknown id a 404; both with a JSON body.
"""

from __future__ import annotations

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


def feed(request: HttpRequest, data: dict) -> HttpResponse:
    """A 200 with `data`, or a 304 when the client already has it."""
    response = _json(HTTPStatus.OK, data)
    etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
    response["ETag"] = etag
    last_modified = _since(request.get_full_path(), etag)
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(response, public=True, max_age=MAX_AGE_SECONDS)
    return get_conditional_response(request, etag=etag, last_modified=last_modified, response=response)


#: How long the feed remembers when an answer last changed (a URL not asked for this long starts afresh).
SINCE_TTL_SECONDS = 7 * 24 * 3600


def _since(path: str, etag: str) -> int | None:
    """When this answer (this URL with this body) first appeared, in whole seconds: its Last-Modified. An answer
    is made of many rows (a provider's phone, a slot, a listing that lapsed) with no one timestamp, so the feed
    remembers, per URL, the last body it gave and since when; a new body is always dated later than the one before,
    so If-Modified-Since never hides a change. With Redis down the cache reads as empty, so every answer is dated now
(never a wrong 304); None if the cache raises all the same (then only the ETag is offered)."""
    key = "oruk:since:" + hashlib.sha256(path.encode()).hexdigest()
    try:
        known = cache.get(key)
        if known is not None and known[0] == etag:
            return known[1]
        now = int(time.time())
        since = max(now, known[1] + 1) if known is not None else now
        cache.set(key, (etag, since), SINCE_TTL_SECONDS)
    except CACHE_FAILURES:
        logger.warning("The feed could not date an answer; offering its ETag only", exc_info=True)
        return None
    return since


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
