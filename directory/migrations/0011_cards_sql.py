"""A page's result cards, with the live re-check, in one SQL function (directory/sql/cards.sql)."""

from django.db import migrations

from market.core.sql import RunSQLFile


class Migration(migrations.Migration):

    dependencies = [
        ("directory", "0010_listing_on_the_grid"),
        ("providers", "0006_listing_rule_plpgsql"),
    ]

    operations = [
        RunSQLFile("directory", "cards.sql", "5e9be999c615"),
    ]
