"""The Wagtail admin's user pages, adapted to this project's user model (one full name, and roles)."""

from django import forms
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from .models import Role, User

EXTRA_FIELDS = ("full_name", "roles", "is_staff")


class _MarketUserFields(forms.ModelForm):
    first_name = None
    last_name = None
    roles = forms.TypedMultipleChoiceField(
        choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Commissioners and platform admins must also use an authenticator app when they sign in.",
    )


class MarketUserCreationForm(_MarketUserFields, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ({User.USERNAME_FIELD, "is_superuser", "groups"} | set(EXTRA_FIELDS))


class MarketUserEditForm(_MarketUserFields, UserEditForm):
    class Meta(UserEditForm.Meta):
        model = User
        fields = ({User.USERNAME_FIELD, "is_active", "is_superuser", "groups"} | set(EXTRA_FIELDS))


class UserViewSet(WagtailUserViewSet):
    ordering = "full_name"
    create_template_name = "accounts/admin/user_create.html"
    edit_template_name = "accounts/admin/user_edit.html"

    def get_form_class(self, for_update=False):
        return MarketUserEditForm if for_update else MarketUserCreationForm
