"""The market view's rules as SQL views, and the daily summaries the page reads (commissioning/sql/market_summary.sql).
The models are read-only (unmanaged): the SQL file makes the views."""

import django.db.models.deletion
from django.db import migrations, models

from market.core.sql import RunSQLFile


class Migration(migrations.Migration):

    dependencies = [
        ('commissioning', '0002_gaps_page'),
        ('providers', '0008_community_listings'),
        ('directory', '0013_cards_show_activities'),
        ('orders', '0009_ledger_effects_visit_transitions_sql_files'),
        ('accounts', '0004_email_frequency'),
    ]

    operations = [
        migrations.CreateModel(
            name='MicroProvider',
            fields=[
                ('provider', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='+', serialize=False, to='providers.provider')),
            ],
            options={
                'db_table': 'commissioning_micro_provider',
                'managed': False,
            },
        ),
        migrations.CreateModel(
            name='OrderDaily',
            fields=[
                ('day', models.DateField(primary_key=True, serialize=False)),
                ('route', models.CharField(max_length=32)),
                ('orders', models.IntegerField()),
                ('declined_orders', models.IntegerField()),
            ],
            options={
                'db_table': 'commissioning_order_daily',
                'managed': False,
            },
        ),
        migrations.CreateModel(
            name='OrderFact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField()),
                ('day', models.DateField()),
                ('route', models.CharField(max_length=32)),
                ('orders', models.IntegerField()),
                ('declined_orders', models.IntegerField()),
            ],
            options={
                'db_table': 'commissioning_order_fact',
                'managed': False,
            },
        ),
        migrations.CreateModel(
            name='SearchDaily',
            fields=[
                ('day', models.DateField(primary_key=True, serialize=False)),
                ('searches', models.IntegerField()),
                ('unmet_searches', models.IntegerField()),
                ('unmet_priced_searches', models.IntegerField()),
                ('searches_no_area', models.IntegerField()),
                ('searches_no_kind', models.IntegerField()),
                ('other_words_searches', models.IntegerField()),
            ],
            options={
                'db_table': 'commissioning_search_daily',
                'managed': False,
            },
        ),
        migrations.CreateModel(
            name='SearchFact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('searched_at', models.DateTimeField()),
                ('day', models.DateField()),
                ('searches', models.IntegerField()),
                ('unmet_searches', models.IntegerField()),
                ('unmet_priced_searches', models.IntegerField()),
                ('searches_no_area', models.IntegerField()),
                ('searches_no_kind', models.IntegerField()),
                ('other_words_searches', models.IntegerField()),
            ],
            options={
                'db_table': 'commissioning_search_fact',
                'managed': False,
            },
        ),
        migrations.CreateModel(
            name='SpendDaily',
            fields=[
                ('day', models.DateField(primary_key=True, serialize=False)),
                ('route', models.CharField(max_length=32)),
                ('micro', models.BooleanField()),
                ('visits', models.IntegerField()),
                ('spend_pence', models.BigIntegerField()),
            ],
            options={
                'db_table': 'commissioning_spend_daily',
                'managed': False,
            },
        ),
        migrations.CreateModel(
            name='SpendFact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('starts_at', models.DateTimeField()),
                ('day', models.DateField()),
                ('route', models.CharField(max_length=32)),
                ('micro', models.BooleanField()),
                ('visits', models.IntegerField()),
                ('spend_pence', models.BigIntegerField()),
            ],
            options={
                'db_table': 'commissioning_spend_fact',
                'managed': False,
            },
        ),
        RunSQLFile("commissioning", "market_summary.sql", "529b393e9419", reverse_sql=(
            "DROP MATERIALIZED VIEW IF EXISTS commissioning_search_daily, commissioning_order_daily, "
            "commissioning_spend_daily; DROP VIEW IF EXISTS commissioning_search_fact, commissioning_order_fact, "
            "commissioning_spend_fact, commissioning_micro_provider;")),
    ]
