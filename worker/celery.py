"""The one Celery app, configured from Django settings (CELERY_* names)."""

import os

from celery import Celery

from worker.schedule import BEAT_SCHEDULE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "market.settings.dev")

# DjangoTask adds delay_on_commit()/apply_async_on_commit(): work is queued only once the
# transaction that asked for it has committed.
app = Celery("market", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.beat_schedule = BEAT_SCHEDULE
app.autodiscover_tasks()
