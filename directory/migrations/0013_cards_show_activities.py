"""Result cards say what kind of listing they are: a community group's activity at a venue (directory/sql/cards.sql)."""

from django.db import migrations

from market.core.sql import RunSQLFile


class Migration(migrations.Migration):

    dependencies = [
        ("directory", "0012_search_record_neighbourhood"),
        ("providers", "0008_community_listings"),
    ]

    operations = [
        RunSQLFile("directory", "cards.sql", "bdc349a5b434"),
    ]
