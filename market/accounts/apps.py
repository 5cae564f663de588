from django.apps import AppConfig
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    name = "market.accounts"
    label = "accounts"
    verbose_name = "People and access"


class UsersAdminConfig(WagtailUsersAppConfig):
    """Wagtail's user admin, with forms for this project's user model (market/accounts/admin_users.py)."""

    user_viewset = "market.accounts.admin_users.UserViewSet"
