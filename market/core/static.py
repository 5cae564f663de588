"""Serving uploaded media in development (`make run`, DEBUG): a path that climbs out of the media folder is a 404.

Django's `django.views.static.serve` raises `SuspiciousFileOperation` for `/media/..%2fprivate/...` (the private
check evidence sits beside the media folder), which Django answers with a 400. This one answers 404, like a file
that is not there. Static files are WhiteNoise's in development as in production (tests/foundation/
test_static_traversal.py); production serves no media folder from the application.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404
from django.urls import re_path
from django.views.static import serve


def media_serve(request, path: str, document_root=None, **kwargs):
    try:
        return serve(request, path, document_root=document_root, **kwargs)
    except SuspiciousFileOperation as error:
        raise Http404("No such file.") from error


def development_media_urlpatterns() -> list:
    return [re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$", media_serve,
                    {"document_root": settings.MEDIA_ROOT})]
