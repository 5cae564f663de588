from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "market.accounts"
    label = "accounts"
    verbose_name = "People and access"
