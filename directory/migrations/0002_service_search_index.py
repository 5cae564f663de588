"""A GIN index over the full-text document of providers_service, owned by the directory (which searches it).

The index is built from the same expression the search uses (directory.selectors.
service_search_vector), written out here so this migration never changes when application code does.
PostgreSQL only uses an expression index when the query's expression is identical; a test checks the
plan uses this index.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX_NAME = "directory_service_fts"


def _index():
    return GinIndex(
        SearchVector("title", weight="A", config="english") + SearchVector("description", weight="B", config="english"),
        name=INDEX_NAME,
    )


def create_index(apps, schema_editor):
    schema_editor.add_index(apps.get_model("providers", "Service"), _index())


def drop_index(apps, schema_editor):
    schema_editor.remove_index(apps.get_model("providers", "Service"), _index())


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0001_initial"),
        ("providers", "0002_checks_services_availability"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
