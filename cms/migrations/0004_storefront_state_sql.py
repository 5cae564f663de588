"""Whether a kept storefront may be served again, in one SQL function (cms/sql/storefront.sql)."""

from django.db import migrations

from market.core.sql import RunSQLFile


class Migration(migrations.Migration):

    dependencies = [
        ("cms", "0003_storefronts"),
        ("providers", "0006_listing_rule_plpgsql"),
    ]

    operations = [
        RunSQLFile("cms", "storefront.sql", "1e27a82718f7"),
    ]
