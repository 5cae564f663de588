# The audit trail's SQL (the append-only trigger and market_audit_record, the one way an audit row is written) from
# market/core/sql/audit.sql. 0002 stays as history; this replaces its definitions with the file's.

from django.db import migrations

from market.core.sql import RunSQLFile


class Migration(migrations.Migration):

    dependencies = [("core", "0002_audit_append_only")]

    operations = [RunSQLFile("market.core", "audit.sql", "7855ba53d046")]
