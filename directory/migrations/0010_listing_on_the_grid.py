"""The search table on the National Grid, kept by one SQL file (directory/sql/listing.sql); the in-memory copy goes.

Each web process no longer keeps the table in memory, so its change log (0007-0009) and the triggers that fed it
are dropped. The table is made again: a provider's base as National Grid metres (nearest-first from a GiST index,
travel radius as a circle), and the days the listing rule lists each service (listed_during, from
providers_service_listed_during) instead of a from/until approximation. The per-table trigger functions of 0004 give
way to one trigger function created for every source table by the SQL file, and the full-text index on
providers_service (0002, for a live query no longer run) is dropped.
"""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
import django.db.models.expressions
from django.db import migrations, models

import directory.models
from market.core.sql import RunSQLFile

DROP_OLD = """
DROP TABLE IF EXISTS directory_listing_change CASCADE;
DROP FUNCTION IF EXISTS directory_listing_log_rows() CASCADE;
DROP FUNCTION IF EXISTS directory_log_everything() CASCADE;
DROP FUNCTION IF EXISTS directory_taxonomy_log() CASCADE;
DROP FUNCTION IF EXISTS directory_exception_log() CASCADE;
DROP FUNCTION IF EXISTS directory_places_log() CASCADE;
DROP FUNCTION IF EXISTS directory_listing_touch_providers_provider() CASCADE;
DROP FUNCTION IF EXISTS directory_listing_touch_providers_providercheck() CASCADE;
DROP FUNCTION IF EXISTS directory_listing_touch_providers_service() CASCADE;
DROP FUNCTION IF EXISTS directory_listing_touch_providers_provider_neighbourhoods() CASCADE;
DROP FUNCTION IF EXISTS directory_listing_touch_providers_service_neighbourhoods() CASCADE;
DROP FUNCTION IF EXISTS directory_listing_touch_providers_service_needs() CASCADE;
DROP FUNCTION IF EXISTS directory_listing_touch_providers_serviceavailability() CASCADE;
DROP FUNCTION IF EXISTS directory_listing_touch_places_postcode() CASCADE;
DROP FUNCTION IF EXISTS directory_listing_touch_taxonomy_category() CASCADE;
DROP FUNCTION IF EXISTS directory_listing_touch_taxonomy_need_categories() CASCADE;
DROP FUNCTION IF EXISTS directory_listing_touch_providers_checktype() CASCADE;
DROP FUNCTION IF EXISTS directory_listing_refresh(bigint[]);
DROP INDEX IF EXISTS directory_service_fts;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0009_log_place_changes"),
        ("places", "0002_postcode_grid"),
        ("providers", "0005_check_valid_during"),
        ("taxonomy", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(DROP_OLD, migrations.RunSQL.noop),
        migrations.DeleteModel(name="Listing"),
        migrations.CreateModel(
            name="Listing",
            fields=[
                ("service", models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name="+", serialize=False, to="providers.service")),
                ("provider", models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="providers.provider")),
                ("category", models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="taxonomy.category")),
                ("need_ids", django.contrib.postgres.fields.ArrayField(base_field=models.BigIntegerField(), default=list, help_text="The service's needs and its category's.", size=None)),
                ("price_pence", models.BigIntegerField()),
                ("easting", models.FloatField(help_text="The provider's base postcode on the National Grid (metres).", null=True)),
                ("northing", models.FloatField(null=True)),
                ("travel_radius_km", models.SmallIntegerField(null=True)),
                ("neighbourhood_ids", django.contrib.postgres.fields.ArrayField(base_field=models.BigIntegerField(), default=list, help_text="Neighbourhoods covered: the service's, or (no travel radius either) the provider's.", size=None)),
                ("languages", django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=40), default=list, help_text="Lower case.", size=None)),
                ("regulated", models.BooleanField()),
                ("council_budget_ok", models.BooleanField()),
                ("slot_hours", django.contrib.postgres.fields.ArrayField(base_field=models.SmallIntegerField(), default=list, help_text="weekday * 24 + hour for every hour a weekly slot overlaps.", size=None)),
                ("created_at", models.DateTimeField()),
                ("document", django.contrib.postgres.search.SearchVectorField(help_text="Title (weight A) and description (weight B).")),
                ("title_document", django.contrib.postgres.search.SearchVectorField(help_text="Title only: what relevance is ranked on.")),
                ("listed_during", directory.models.DateMultiRangeField(help_text="The days the listing rule lists it (providers/sql/listing.sql).")),
            ],
            options={
                "indexes": [
                    models.Index(fields=["provider"], name="listing_provider"),
                    models.Index(fields=["category", "price_pence"], name="listing_category_price"),
                    models.Index(fields=["price_pence"], name="listing_price"),
                    models.Index(fields=["-created_at"], name="listing_newest"),
                    django.contrib.postgres.indexes.GistIndex(models.Func(models.F("easting"), models.F("northing"), function="point"), name="listing_location"),
                    django.contrib.postgres.indexes.GistIndex(models.Func(models.Func(models.F("easting"), models.F("northing"), function="point"), django.db.models.expressions.CombinedExpression(models.F("travel_radius_km"), "*", models.Value(1000.0)), function="circle"), condition=models.Q(("travel_radius_km__isnull", False)), name="listing_reach"),
                    django.contrib.postgres.indexes.GinIndex(fields=["need_ids"], name="listing_needs"),
                    django.contrib.postgres.indexes.GinIndex(fields=["neighbourhood_ids"], name="listing_areas"),
                    django.contrib.postgres.indexes.GinIndex(fields=["slot_hours"], name="listing_slots"),
                    django.contrib.postgres.indexes.GinIndex(fields=["languages"], name="listing_languages"),
                    django.contrib.postgres.indexes.GinIndex(fields=["document"], name="listing_document"),
                ],
            },
        ),
        RunSQLFile("directory", "listing.sql", "d22ed7c44989"),
        migrations.RunSQL("SELECT directory_listing_refresh(NULL)", migrations.RunSQL.noop),
    ]
