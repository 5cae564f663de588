"""Private file storage: check evidence (DBS certificates, insurance schedules...) and invoice PDFs.

Files live under settings.PRIVATE_MEDIA_ROOT, which is outside MEDIA_ROOT and has no public URL: they are served
only by views that check who is asking (`providers.views.check_file`, the invoice downloads), and sent only as
email attachments to the people an email is for.
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
        raise ValueError("Private files have no public URL; use a download view that checks who is asking.")


def private_storage() -> PrivateStorage:
    return PrivateStorage()
