"""The beat schedule, kept in code: run exactly one beat process (see docker-compose.yml)."""

from datetime import timedelta

from celery.schedules import crontab

from commissioning.freshness import REFRESH_EVERY as MARKET_SUMMARY_EVERY

BEAT_SCHEDULE = {
    "worker-heartbeat": {
        "task": "worker.tasks.heartbeat",
        "schedule": timedelta(seconds=30),
        "options": {"expires": 25},
    },
    "worker-send-outbox": {
        "task": "worker.tasks.send_outbox",
        "schedule": timedelta(seconds=10),
        "options": {"expires": 9},
    },
    "worker-dispatch-queued-tasks": {
        "task": "worker.tasks.dispatch_queued_tasks",
        "schedule": timedelta(seconds=10),
        "options": {"expires": 9},
    },
    "worker-send-digests": {
        "task": "worker.tasks.send_digests",
        "schedule": timedelta(minutes=10),
        "options": {"expires": 540},
    },
    "worker-prune-task-runs": {
        "task": "worker.tasks.prune_task_runs",
        "schedule": crontab(hour=2, minute=30),
        "options": {"expires": 3600},
    },
    "orders-auto-confirm-visits": {
        "task": "orders.tasks.auto_confirm_visits",
        "schedule": timedelta(minutes=5),
        "options": {"expires": 240},
    },
    "orders-close-expired-blocks": {
        "task": "orders.tasks.close_expired_blocks",
        "schedule": timedelta(hours=1),
        "options": {"expires": 3000},
    },
    "orders-tell-providers-new-orders": {
        "task": "orders.tasks.tell_providers_new_orders",
        "schedule": timedelta(seconds=10),
        "options": {"expires": 9},
    },
    "providers-check-expiry-reminders": {
        "task": "providers.tasks.check_expiry_reminders",
        "schedule": crontab(hour=7, minute=0),
        "options": {"expires": 3600},
    },
    "orders-send-reminders": {
        "task": "orders.tasks.send_reminders",
        "schedule": crontab(hour=8, minute=0),
        "options": {"expires": 3600},
    },
    "quality-run-checks": {
        "task": "quality.tasks.run_quality_checks",
        "schedule": crontab(hour=2, minute=0),
        "options": {"expires": 3600},
    },
    "invoicing-previous-month": {
        "task": "invoicing.tasks.invoice_period",
        "schedule": crontab(day_of_month=1, hour=6, minute=0),
        "options": {"expires": 6 * 3600},
    },
    "invoicing-make-pdfs": {
        "task": "invoicing.tasks.make_pdfs",
        "schedule": timedelta(seconds=30),
        "options": {"expires": 25},
    },
    "invoicing-remind-overdue": {
        "task": "invoicing.tasks.remind_overdue",
        "schedule": crontab(hour=9, minute=0),
        "options": {"expires": 3600},
    },
    "payments-send-due-transfers": {
        "task": "payments.tasks.send_due_transfers",
        "schedule": timedelta(seconds=10),
        "options": {"expires": 9},
    },
    "directory-refresh-listings": {
        "task": "directory.tasks.refresh_listings",
        "schedule": crontab(hour=3, minute=15),
        "options": {"expires": 3600},
    },
    "commissioning-refresh-market-summary": {
        "task": "commissioning.tasks.refresh_market_summary",
        "schedule": MARKET_SUMMARY_EVERY,
        "options": {"expires": MARKET_SUMMARY_EVERY.total_seconds() - 60},
    },
}
