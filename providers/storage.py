"""Private file storage for check evidence (DBS certificates, insurance schedules...).

Files live under settings.PRIVATE_MEDIA_ROOT, which is outside MEDIA_ROOT and has no public URL: they are
served only by `providers.views.check_file`, which checks who is asking.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no public URL; use the check download view.")


def private_storage() -> PrivateStorage:
    return PrivateStorage()
