"""Commissioners (the Commissioners group, market/taxonomy/migrations/0002) curate community listings: add, change,
delete and view featured or hidden listings and the council's picks."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Commissioners"
MODELS = ["listingcuration", "councilpick"]


def forwards(apps, schema_editor):
    app_config = apps.get_app_config("curation")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(*Permission.objects.filter(
        content_type__app_label="curation", content_type__model__in=MODELS,
        codename__in=[f"{action}_{model}" for action in ("add", "change", "delete", "view") for model in MODELS],
    ))


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0001_initial"),
        ("taxonomy", "0002_commissioners_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
