"""The listing rule's functions in PL/pgSQL, so each statement's plan is kept for the session (providers/sql/listing.sql)."""

from django.db import migrations

from market.core.sql import RunSQLFile


class Migration(migrations.Migration):

    dependencies = [
        ("providers", "0005_check_valid_during"),
    ]

    operations = [
        RunSQLFile("providers", "listing.sql", "0594a448f483"),
    ]
