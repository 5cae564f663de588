"""Keep directory_listing in step with what it is derived from, inside the same transaction as every change.

`directory_listing_refresh(provider_ids bigint[])` (NULL: every provider) recomputes the rows of those providers.
Statement-level triggers (with transition tables, so a bulk insert refreshes each provider once) call it after
any insert, update or delete on the tables the listing rule and the search read. Written out here, in SQL, so
this migration never changes when application code does; tests/directory/test_listing.py checks that the
table agrees with providers.selectors.listed_services() after the operations that matter.

Date-independent on purpose: a row holds the dates between which the checks it relies on are valid
(listed_from = the latest of each mandatory kind's first issue date, listed_until = the earliest of each kind's
last expiry), and the search applies today's date when it reads. So expiry needs no refresh and the table never
depends on the database's clock or time zone.
"""

from django.db import migrations

REFRESH = r"""
CREATE OR REPLACE FUNCTION directory_listing_refresh(p_ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    pid bigint;
BEGIN
    IF p_ids IS NULL THEN
        PERFORM pg_advisory_xact_lock(730301);
        DELETE FROM directory_listing;
    ELSE
        PERFORM pg_advisory_xact_lock_shared(730301);
        FOR pid IN SELECT DISTINCT x FROM unnest(p_ids) AS x ORDER BY 1 LOOP
            PERFORM pg_advisory_xact_lock(730302, (pid % 2147483647)::int);
        END LOOP;
        DELETE FROM directory_listing WHERE provider_id = ANY (p_ids);
    END IF;

    INSERT INTO directory_listing (
        service_id, provider_id, category_id, need_ids, price_pence, latitude, longitude, neighbourhood_ids,
        travel_radius_km, languages, regulated, council_budget_ok, slot_hours, created_at, document,
        title_document, listed_from, listed_until
    )
    WITH prov AS (
        SELECT p.id, p.cqc_exemption_reason <> '' AS exempt, pc.latitude, pc.longitude,
               m.ok, m.listed_from, m.listed_until,
               q.n AS cqc_n, q.first_issued AS cqc_from, q.last_expiry AS cqc_until
        FROM providers_provider p
        LEFT JOIN places_postcode pc ON pc.postcode = p.postcode
        CROSS JOIN LATERAL (
            SELECT coalesce(bool_and(b.n > 0), true) AS ok,
                   max(b.first_issued) AS listed_from,
                   min(b.last_expiry) AS listed_until
            FROM providers_checktype t
            CROSS JOIN LATERAL (
                SELECT count(*) AS n, min(c.issued_on) AS first_issued,
                       max(coalesce(c.expires_on, 'infinity'::date)) AS last_expiry
                FROM providers_providercheck c
                WHERE c.provider_id = p.id AND c.check_type_id = t.id AND c.status = 'approved'
            ) b
            WHERE t.is_mandatory
        ) m
        CROSS JOIN LATERAL (
            SELECT count(*) AS n, min(c.issued_on) AS first_issued,
                   max(coalesce(c.expires_on, 'infinity'::date)) AS last_expiry
            FROM providers_providercheck c
            JOIN providers_checktype t ON t.id = c.check_type_id
            WHERE c.provider_id = p.id AND t.regulated_care_only AND c.status = 'approved'
        ) q
        WHERE p.status = 'approved' AND (p_ids IS NULL OR p.id = ANY (p_ids))
    )
    SELECT
        s.id, s.provider_id, s.category_id,
        ARRAY(SELECT sn.need_id FROM providers_service_needs sn WHERE sn.service_id = s.id
              UNION SELECT nc.need_id FROM taxonomy_need_categories nc WHERE nc.category_id = s.category_id),
        s.price_pence, prov.latitude, prov.longitude,
        CASE
            WHEN EXISTS (SELECT 1 FROM providers_service_neighbourhoods a WHERE a.service_id = s.id)
                THEN ARRAY(SELECT a.neighbourhood_id FROM providers_service_neighbourhoods a WHERE a.service_id = s.id)
            WHEN s.travel_radius_km IS NULL
                THEN ARRAY(SELECT a.neighbourhood_id FROM providers_provider_neighbourhoods a
                           WHERE a.provider_id = s.provider_id)
            ELSE '{}'::bigint[]
        END,
        s.travel_radius_km,
        ARRAY(SELECT lower(l) FROM unnest(s.languages) AS l),
        reg.regulated, s.council_budget_ok,
        ARRAY(SELECT DISTINCT (a.weekday * 24 + h)::smallint
              FROM providers_serviceavailability a,
                   generate_series(extract(hour FROM a.starts_at)::int,
                                   ceil(extract(epoch FROM a.ends_at) / 3600)::int - 1) AS h
              WHERE a.service_id = s.id),
        s.created_at,
        setweight(to_tsvector('english'::regconfig, coalesce(s.title, '')), 'A')
            || setweight(to_tsvector('english'::regconfig, coalesce(s.description, '')), 'B'),
        to_tsvector('english'::regconfig, coalesce(s.title, '')),
        CASE WHEN reg.regulated AND NOT prov.exempt THEN greatest(prov.listed_from, prov.cqc_from)
             ELSE prov.listed_from END,
        nullif(CASE WHEN reg.regulated AND NOT prov.exempt THEN least(prov.listed_until, prov.cqc_until)
                    ELSE prov.listed_until END, 'infinity'::date)
    FROM providers_service s
    JOIN prov ON prov.id = s.provider_id
    JOIN taxonomy_category cat ON cat.id = s.category_id
    CROSS JOIN LATERAL (SELECT (s.is_regulated_personal_care OR cat.is_regulated_personal_care) AS regulated) reg
    WHERE s.status = 'live' AND prov.ok AND (NOT reg.regulated OR prov.exempt OR prov.cqc_n > 0);
END
$fn$;
"""

#: table -> SQL giving the affected provider ids from a transition table called `r`.
SOURCES = {
    "providers_provider": "SELECT r.id FROM {r} r",
    "providers_providercheck": "SELECT r.provider_id FROM {r} r",
    "providers_service": "SELECT r.provider_id FROM {r} r",
    "providers_provider_neighbourhoods": "SELECT r.provider_id FROM {r} r",
    "providers_service_neighbourhoods":
        "SELECT s.provider_id FROM providers_service s WHERE s.id IN (SELECT r.service_id FROM {r} r)",
    "providers_service_needs":
        "SELECT s.provider_id FROM providers_service s WHERE s.id IN (SELECT r.service_id FROM {r} r)",
    "providers_serviceavailability":
        "SELECT s.provider_id FROM providers_service s WHERE s.id IN (SELECT r.service_id FROM {r} r)",
    "places_postcode":
        "SELECT p.id FROM providers_provider p WHERE p.postcode IN (SELECT r.postcode FROM {r} r)",
    "taxonomy_category":
        "SELECT s.provider_id FROM providers_service s WHERE s.category_id IN (SELECT r.id FROM {r} r)",
    "taxonomy_need_categories":
        "SELECT s.provider_id FROM providers_service s WHERE s.category_id IN (SELECT r.category_id FROM {r} r)",
    "providers_checktype": None,  # which kinds are mandatory: every provider
}


def _trigger_sql(table: str, source: str | None) -> str:
    function = f"directory_listing_touch_{table}"
    if source is None:
        body = "PERFORM directory_listing_refresh(NULL);"
    else:
        new, old = source.format(r="new_rows"), source.format(r="old_rows")
        body = f"""
        IF TG_OP = 'INSERT' THEN
            SELECT array_agg(DISTINCT x) INTO ids FROM ({new}) AS k(x);
        ELSIF TG_OP = 'DELETE' THEN
            SELECT array_agg(DISTINCT x) INTO ids FROM ({old}) AS k(x);
        ELSE
            SELECT array_agg(DISTINCT x) INTO ids FROM ({new} UNION {old}) AS k(x);
        END IF;
        IF ids IS NOT NULL THEN
            PERFORM directory_listing_refresh(ids);
        END IF;"""
    return f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    ids bigint[];
BEGIN
    {body}
    RETURN NULL;
END
$fn$;
CREATE TRIGGER directory_listing_ins AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER directory_listing_upd AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER directory_listing_del AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}();
"""


def _drop_sql(table: str) -> str:
    return "".join(
        f"DROP TRIGGER IF EXISTS directory_listing_{op} ON {table};" for op in ("ins", "upd", "del")
    ) + f"DROP FUNCTION IF EXISTS directory_listing_touch_{table}();"


FORWARD = REFRESH + "".join(_trigger_sql(t, s) for t, s in SOURCES.items()) + "SELECT directory_listing_refresh(NULL);"
BACKWARD = "".join(_drop_sql(t) for t in SOURCES) + "DROP FUNCTION IF EXISTS directory_listing_refresh(bigint[]);"


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0003_listing"),
        ("providers", "0004_service_photo_alt_text"),
        ("taxonomy", "0001_initial"),
        ("places", "0001_initial"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
