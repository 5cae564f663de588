-- The directory's search table, directory_listing (directory.models.Listing): one row per live service of an
-- approved provider that the listing rule lists on some day, holding what a search filters, counts and orders on.
-- It is an index, not the rule: every page of results is re-checked live (directory.selectors.search_page).
--
-- Kept current by statement triggers on every table a row is derived from, in the same transaction as the
-- change, whoever makes it (services, the Wagtail admin, a shell); a nightly task rebuilds it as a safety net.
-- Days are applied when a search reads: listed_during comes from the listing rule itself
-- (providers_service_listed_during, providers/sql/listing.sql), so an expiry needs no refresh.

-- A provider's (or every provider's, NULL) rows as they should be.
CREATE OR REPLACE FUNCTION directory_listing_rows(p_provider_ids bigint[])
RETURNS TABLE (
    service_id bigint, provider_id bigint, category_id bigint, need_ids bigint[], price_pence bigint,
    easting double precision, northing double precision, travel_radius_km smallint, neighbourhood_ids bigint[],
    languages varchar(40)[], regulated boolean, council_budget_ok boolean, slot_hours smallint[],
    created_at timestamptz, document tsvector, title_document tsvector, listed_during datemultirange
)
LANGUAGE sql STABLE AS $$
    SELECT s.id, s.provider_id, s.category_id,
           ARRAY(SELECT sn.need_id FROM providers_service_needs sn WHERE sn.service_id = s.id
                 UNION
                 SELECT nc.need_id FROM taxonomy_need_categories nc WHERE nc.category_id = s.category_id
                 ORDER BY 1),
           s.price_pence, pc.easting, pc.northing, s.travel_radius_km,
           -- Where it goes: the neighbourhoods the service names; if none and no travel radius, its provider's.
           CASE WHEN EXISTS (SELECT 1 FROM providers_service_neighbourhoods a WHERE a.service_id = s.id)
                    THEN ARRAY(SELECT a.neighbourhood_id FROM providers_service_neighbourhoods a
                                WHERE a.service_id = s.id ORDER BY 1)
                WHEN s.travel_radius_km IS NULL
                    THEN ARRAY(SELECT a.neighbourhood_id FROM providers_provider_neighbourhoods a
                                WHERE a.provider_id = s.provider_id ORDER BY 1)
                ELSE '{}'::bigint[]
           END,
           ARRAY(SELECT lower(l) FROM unnest(s.languages) AS l ORDER BY 1)::varchar(40)[],
           providers_service_regulated(s.id),
           s.council_budget_ok,
           -- weekday * 24 + hour, for every hour a weekly slot overlaps
           ARRAY(SELECT DISTINCT (a.weekday * 24 + h)::smallint
                   FROM providers_serviceavailability a,
                        generate_series(extract(hour FROM a.starts_at)::int,
                                        ceil(extract(epoch FROM a.ends_at) / 3600)::int - 1) AS h
                  WHERE a.service_id = s.id
                  ORDER BY 1),
           s.created_at,
           setweight(to_tsvector('english', s.title), 'A') || setweight(to_tsvector('english', s.description), 'B'),
           to_tsvector('english', s.title),
           providers_service_listed_during(s.id)
      FROM providers_service s
      JOIN providers_provider p ON p.id = s.provider_id
      LEFT JOIN places_postcode pc ON pc.postcode = p.postcode
     WHERE s.status = 'live' AND p.status = 'approved'
       AND (p_provider_ids IS NULL OR s.provider_id = ANY (p_provider_ids))
$$;

-- Bring these providers' rows (or all, NULL) up to date, rewriting only the rows that differ.
CREATE OR REPLACE FUNCTION directory_listing_refresh(p_provider_ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    pid bigint;
BEGIN
    -- A whole rebuild waits for every provider's refresh and they for it; two refreshes of one provider queue.
    IF p_provider_ids IS NULL THEN
        PERFORM pg_advisory_xact_lock(730301);
    ELSE
        PERFORM pg_advisory_xact_lock_shared(730301);
        FOR pid IN SELECT DISTINCT x FROM unnest(p_provider_ids) AS x ORDER BY 1 LOOP
            PERFORM pg_advisory_xact_lock(730302, (pid % 2147483647)::int);
        END LOOP;
    END IF;

    WITH fresh AS MATERIALIZED (
        SELECT * FROM directory_listing_rows(p_provider_ids) AS f WHERE NOT isempty(f.listed_during)
    ), gone AS (
        DELETE FROM directory_listing l
         WHERE (p_provider_ids IS NULL OR l.provider_id = ANY (p_provider_ids))
           AND NOT EXISTS (SELECT 1 FROM fresh WHERE fresh.service_id = l.service_id)
    )
    INSERT INTO directory_listing AS l (service_id, provider_id, category_id, need_ids, price_pence, easting,
                                        northing, travel_radius_km, neighbourhood_ids, languages, regulated,
                                        council_budget_ok, slot_hours, created_at, document, title_document,
                                        listed_during)
    SELECT service_id, provider_id, category_id, need_ids, price_pence, easting, northing, travel_radius_km,
           neighbourhood_ids, languages, regulated, council_budget_ok, slot_hours, created_at, document,
           title_document, listed_during
      FROM fresh
    ON CONFLICT (service_id) DO UPDATE
       SET (provider_id, category_id, need_ids, price_pence, easting, northing, travel_radius_km, neighbourhood_ids,
            languages, regulated, council_budget_ok, slot_hours, created_at, document, title_document,
            listed_during)
         = (EXCLUDED.provider_id, EXCLUDED.category_id, EXCLUDED.need_ids, EXCLUDED.price_pence, EXCLUDED.easting,
            EXCLUDED.northing, EXCLUDED.travel_radius_km, EXCLUDED.neighbourhood_ids, EXCLUDED.languages,
            EXCLUDED.regulated, EXCLUDED.council_budget_ok, EXCLUDED.slot_hours, EXCLUDED.created_at,
            EXCLUDED.document, EXCLUDED.title_document, EXCLUDED.listed_during)
     WHERE (l.*) IS DISTINCT FROM (EXCLUDED.*);
END
$$;

-- The statement trigger behind every source table: TG_ARGV[0] selects the affected provider ids from a table
-- named %1$s (the statement's new or old rows); no argument means every provider (a change to kinds of check).
CREATE OR REPLACE FUNCTION directory_listing_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
    affected text;
BEGIN
    IF TG_NARGS = 0 THEN
        PERFORM directory_listing_refresh(NULL);
        RETURN NULL;
    END IF;
    affected := CASE TG_OP
        WHEN 'INSERT' THEN format(TG_ARGV[0], 'new_rows')
        WHEN 'DELETE' THEN format(TG_ARGV[0], 'old_rows')
        ELSE format(TG_ARGV[0], 'new_rows') || ' UNION ' || format(TG_ARGV[0], 'old_rows')
    END;
    EXECUTE 'SELECT array_agg(DISTINCT x) FROM (' || affected || ') AS k(x)' INTO ids;
    IF ids IS NOT NULL THEN
        PERFORM directory_listing_refresh(ids);
    END IF;
    RETURN NULL;
END
$$;

DO $$
DECLARE
    source record;
BEGIN
    FOR source IN SELECT * FROM (VALUES
        ('providers_provider', 'SELECT id FROM %1$s'),
        ('providers_providercheck', 'SELECT provider_id FROM %1$s'),
        ('providers_service', 'SELECT provider_id FROM %1$s'),
        ('providers_provider_neighbourhoods', 'SELECT provider_id FROM %1$s'),
        ('providers_service_neighbourhoods',
         'SELECT s.provider_id FROM providers_service s JOIN %1$s r ON r.service_id = s.id'),
        ('providers_service_needs',
         'SELECT s.provider_id FROM providers_service s JOIN %1$s r ON r.service_id = s.id'),
        ('providers_serviceavailability',
         'SELECT s.provider_id FROM providers_service s JOIN %1$s r ON r.service_id = s.id'),
        ('places_postcode', 'SELECT p.id FROM providers_provider p JOIN %1$s r ON r.postcode = p.postcode'),
        ('taxonomy_category', 'SELECT s.provider_id FROM providers_service s JOIN %1$s r ON r.id = s.category_id'),
        ('taxonomy_need_categories',
         'SELECT s.provider_id FROM providers_service s JOIN %1$s r ON r.category_id = s.category_id'),
        ('providers_checktype', NULL)
    ) AS sources (source_table, provider_ids)
    LOOP
        EXECUTE format('CREATE OR REPLACE TRIGGER directory_listing_ins AFTER INSERT ON %I '
                       'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT '
                       'EXECUTE FUNCTION directory_listing_touch(%s)',
                       source.source_table, coalesce(quote_literal(source.provider_ids), ''));
        EXECUTE format('CREATE OR REPLACE TRIGGER directory_listing_upd AFTER UPDATE ON %I '
                       'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT '
                       'EXECUTE FUNCTION directory_listing_touch(%s)',
                       source.source_table, coalesce(quote_literal(source.provider_ids), ''));
        EXECUTE format('CREATE OR REPLACE TRIGGER directory_listing_del AFTER DELETE ON %I '
                       'REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT '
                       'EXECUTE FUNCTION directory_listing_touch(%s)',
                       source.source_table, coalesce(quote_literal(source.provider_ids), ''));
    END LOOP;
END
$$;
