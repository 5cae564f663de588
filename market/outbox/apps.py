from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "market.outbox"
    label = "outbox"
    verbose_name = "Outbox"
