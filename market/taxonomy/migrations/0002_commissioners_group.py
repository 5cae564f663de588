"""The Commissioners group: the Wagtail admin, and editing the kinds of support, needs and neighbourhoods (the
account page promised it; the admin answered "you do not have permission"). Commissioners join it when the role is
granted (market.accounts.services.user_grant_roles)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Commissioners"
MODELS = [("taxonomy", "category"), ("taxonomy", "need"), ("places", "neighbourhood")]


def forwards(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    wanted = Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin")
    for app_label, model in MODELS:
        wanted = wanted | Permission.objects.filter(
            content_type__app_label=app_label, content_type__model=model,
            codename__in=[f"{action}_{model}" for action in ("add", "change", "delete", "view")],
        )
    group.permissions.add(*wanted)
    User = apps.get_model("accounts", "User")
    for user in User.objects.filter(roles__contains=["commissioner"]):
        user.groups.add(group)


class Migration(migrations.Migration):
    dependencies = [
        ("taxonomy", "0001_initial"),
        ("places", "0002_postcode_grid"),
        ("accounts", "0003_user_emails_wanted"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
