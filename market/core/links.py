"""Links in emails: always on the site's configured address (SITE_URL), never on whatever host a request came in on."""

from django.conf import settings
from django.urls import reverse


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def absolute_reverse(name: str, *, args=None, kwargs=None) -> str:
    return absolute_url(reverse(name, args=args, kwargs=kwargs))
