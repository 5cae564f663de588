"""Community groups and activities at a venue (issue 15): provider kind, delivery mode and venue details, the
council's choice of which checks apply to venue-only community groups, and the listing rule that reads it."""

from django.db import migrations, models

from market.core.sql import RunSQLFile


class Migration(migrations.Migration):

    dependencies = [
        ('places', '0002_postcode_grid'),
        ('providers', '0007_provider_vat_number'),
        ('taxonomy', '0002_commissioners_group'),
        ('wagtailimages', '0027_image_description'),
    ]

    operations = [
        migrations.AddField(
            model_name='checktype',
            name='venue_groups_need_it',
            field=models.BooleanField(default=False, help_text='Mandatory for community groups too, even when they only run activities at a venue (no visits at home). Unticked, such a group is not asked for it.'),
        ),
        migrations.AddField(
            model_name='provider',
            name='kind',
            field=models.CharField(choices=[('micro_provider', 'Care and support provider'), ('community_group', 'Community group')], default='micro_provider', help_text='A community group (unpaid, activities at a venue) is asked only for the checks the council applies to such groups, unless it also visits people at home.', max_length=20),
        ),
        migrations.AddField(
            model_name='service',
            name='accepts_credits',
            field=models.BooleanField(default=False, help_text='Community credits are accepted for it.'),
        ),
        migrations.AddField(
            model_name='service',
            name='booking_needed',
            field=models.BooleanField(default=False, help_text='Ticked: people must book; else they can just turn up.'),
        ),
        migrations.AddField(
            model_name='service',
            name='come_along',
            field=models.TextField(blank=True, help_text='What to expect the first time: who meets you, what to bring, whether to just turn up.', max_length=1000),
        ),
        migrations.AddField(
            model_name='service',
            name='delivery',
            field=models.CharField(choices=[('at_home', 'Visits at home'), ('at_venue', 'An activity at a venue')], default='at_home', max_length=10),
        ),
        migrations.AddField(
            model_name='service',
            name='schedule_note',
            field=models.CharField(blank=True, help_text="In words, e.g. 'Every Tuesday, 10am to 12 noon, not in August'.", max_length=200),
        ),
        migrations.AddField(
            model_name='service',
            name='venue_address',
            field=models.CharField(blank=True, help_text="The venue's address (a public place).", max_length=200),
        ),
        migrations.AddField(
            model_name='service',
            name='venue_name',
            field=models.CharField(blank=True, help_text="Where it happens, e.g. St John's Hall.", max_length=120),
        ),
        migrations.AddField(
            model_name='service',
            name='venue_postcode',
            field=models.CharField(blank=True, max_length=8),
        ),
        migrations.AddConstraint(
            model_name='service',
            constraint=models.CheckConstraint(condition=models.Q(('delivery', 'at_home'), models.Q(('delivery', 'at_venue'), models.Q(('venue_name', ''), _negated=True)), _connector='OR'), name='service_activity_has_venue'),
        ),
        migrations.RunSQL(
            "UPDATE providers_provider SET kind = 'community_group' WHERE legal_form = 'community_group'",
            migrations.RunSQL.noop,
        ),
        RunSQLFile("providers", "listing.sql", "6fb836d11c15"),
    ]
