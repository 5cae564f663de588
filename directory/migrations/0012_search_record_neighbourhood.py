"""Each search record keeps the neighbourhood searched (commissioners' demand by neighbourhood). Searches recorded
before only kept the postcode district: those whose district lies in one neighbourhood get it; the rest stay unknown."""

import django.db.models.deletion
from django.db import migrations, models

BACKFILL = """
UPDATE directory_searchrecord AS record SET neighbourhood_id = single.neighbourhood_id
FROM (
    SELECT district, min(neighbourhood_id) AS neighbourhood_id FROM places_postcode
    WHERE neighbourhood_id IS NOT NULL GROUP BY district HAVING count(DISTINCT neighbourhood_id) = 1
) AS single
WHERE record.district = single.district AND record.neighbourhood_id IS NULL
"""


class Migration(migrations.Migration):

    dependencies = [
        ("directory", "0011_cards_sql"),
        ("places", "0002_postcode_grid"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchrecord",
            name="neighbourhood",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                to="places.neighbourhood",
                help_text="The neighbourhood searched: the postcode's, or a district's when it lies in only one.",
            ),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
