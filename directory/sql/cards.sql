-- A page's result cards: of the services the search engine found, those the listing rule lists on the day (the
-- live re-check: providers_service_listed_during, providers/sql/listing.sql), with everything a card shows.
-- directory.selectors.result_cards calls it once a page; the cards keep the engine's order.
--
-- A card's badges are the provider's checks that count on the day (ProviderCheck.valid_during, the one definition),
-- each dated by the day the council approved it (in p_time_zone), else the day it was issued.
-- A card also says what kind of listing it is (a community group's activity at a venue, or visits at home).
DROP FUNCTION IF EXISTS directory_cards(bigint[], date, date, text);
CREATE FUNCTION directory_cards(p_service_ids bigint[], p_on date, p_horizon date, p_time_zone text)
RETURNS TABLE (
    service_id bigint, title text, description text, price_pence bigint, unit text, provider_name text,
    provider_slug text, category_name text, regulated boolean,
    slot_weekdays smallint[], slot_starts time[], slot_ends time[], days_off date[],
    check_kinds text[], check_days date[],
    provider_kind text, delivery text, venue_name text, schedule_note text
)
LANGUAGE sql STABLE AS $$
    SELECT s.id, s.title::text, s.description, s.price_pence, s.unit::text, p.name::text, p.slug::text, c.name::text,
           providers_service_regulated(s.id),
           slots.weekdays, slots.starts, slots.ends,
           ARRAY(SELECT e.date FROM providers_availabilityexception e
                  WHERE e.service_id = s.id AND NOT e.is_available AND e.date BETWEEN p_on AND p_horizon),
           checks.kinds, checks.days,
           p.kind::text, s.delivery::text, s.venue_name::text, s.schedule_note::text
      FROM providers_service s
      JOIN providers_provider p ON p.id = s.provider_id
      JOIN taxonomy_category c ON c.id = s.category_id
     CROSS JOIN LATERAL (
           SELECT array_agg(a.weekday::smallint ORDER BY a.weekday, a.starts_at) AS weekdays,
                  array_agg(a.starts_at ORDER BY a.weekday, a.starts_at) AS starts,
                  array_agg(a.ends_at ORDER BY a.weekday, a.starts_at) AS ends
             FROM providers_serviceavailability a
            WHERE a.service_id = s.id) AS slots
     CROSS JOIN LATERAL (
           SELECT array_agg(t.name::text ORDER BY t.sort_order, pc.decided_at DESC) AS kinds,
                  array_agg(coalesce((pc.decided_at AT TIME ZONE p_time_zone)::date, pc.issued_on)
                            ORDER BY t.sort_order, pc.decided_at DESC) AS days
             FROM providers_providercheck pc
             JOIN providers_checktype t ON t.id = pc.check_type_id
            WHERE pc.provider_id = p.id AND pc.valid_during @> p_on) AS checks
     WHERE s.id = ANY (p_service_ids)
       AND providers_service_listed_during(s.id) @> p_on
$$;
