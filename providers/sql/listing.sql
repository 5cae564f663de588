-- The listing rule: on which days may the public see and book a service, or a provider's storefront?
-- Written once, here. providers.selectors asks these functions (listed_services, listed_providers, ...), and the
-- directory's search table stores each service's days from providers_service_listed_during().
--
-- A provider is listed on a day when it is approved and the day is covered, for every mandatory kind of check that
-- applies to its kind of listing (providers_check_applies), by an approved check of that kind (ProviderCheck.valid_during: the one definition of when a check counts).
-- A service is listed on a day when it is live, its provider is listed that day, and, for regulated personal
-- care (the service's flag or its category's), the day is covered by a CQC registration too, unless the
-- provider has a recorded exemption.
--
-- PL/pgSQL rather than SQL functions: these are called once per row (a page's live re-check, placement), and a SQL
-- function that cannot be inlined is planned again on every call, where PL/pgSQL keeps each statement's plan for
-- the session (about 0.35 ms against 0.02 ms a call, measured in docs/adr/0005-directory-one-engine.md).

-- Whether a mandatory kind of check applies to a provider. The council decides per kind of listing
-- (CheckType.venue_groups_need_it): a community group whose live services are all activities at a venue (no visits
-- at home, so no regulated activity) is asked only for the kinds marked for such groups; everyone else for all.
CREATE OR REPLACE FUNCTION providers_check_applies(p_provider_id bigint, p_check_type_id bigint) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT t.venue_groups_need_it
                OR p.kind <> 'community_group'
                OR EXISTS (SELECT 1 FROM providers_service s
                            WHERE s.provider_id = p.id AND s.status = 'live' AND s.delivery <> 'at_venue')
          FROM providers_provider p, providers_checktype t
         WHERE p.id = p_provider_id AND t.id = p_check_type_id
    );
END
$$;

-- The days every mandatory kind of check that applies is covered for a provider (every day if none applies).
CREATE OR REPLACE FUNCTION providers_mandatory_cover(p_provider_id bigint) RETURNS datemultirange
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT coalesce(range_intersect_agg(kind.cover), '{(,)}'::datemultirange)
          FROM (SELECT coalesce(range_agg(c.valid_during), '{}'::datemultirange) AS cover
                  FROM providers_checktype t
                  LEFT JOIN providers_providercheck c ON c.check_type_id = t.id AND c.provider_id = p_provider_id
                 WHERE t.is_mandatory AND providers_check_applies(p_provider_id, t.id)
                 GROUP BY t.id) AS kind
    );
END
$$;

-- The days a provider may offer regulated personal care: covered by a CQC registration, or every day with a
-- recorded exemption.
CREATE OR REPLACE FUNCTION providers_cqc_cover(p_provider_id bigint) RETURNS datemultirange
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT CASE WHEN p.cqc_exemption_reason <> '' THEN '{(,)}'::datemultirange
                    ELSE coalesce((SELECT range_agg(c.valid_during)
                                     FROM providers_providercheck c
                                     JOIN providers_checktype t ON t.id = c.check_type_id
                                    WHERE c.provider_id = p.id AND t.regulated_care_only), '{}'::datemultirange)
               END
          FROM providers_provider p
         WHERE p.id = p_provider_id
    );
END
$$;

-- The days a provider's storefront may be shown.
CREATE OR REPLACE FUNCTION providers_provider_listed_during(p_provider_id bigint) RETURNS datemultirange
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT CASE WHEN p.status = 'approved' THEN providers_mandatory_cover(p.id) ELSE '{}'::datemultirange END
          FROM providers_provider p
         WHERE p.id = p_provider_id
    );
END
$$;

-- Whether a service is regulated personal care: flagged itself, or in a regulated category.
CREATE OR REPLACE FUNCTION providers_service_regulated(p_service_id bigint) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT s.is_regulated_personal_care OR c.is_regulated_personal_care
          FROM providers_service s
          JOIN taxonomy_category c ON c.id = s.category_id
         WHERE s.id = p_service_id
    );
END
$$;

-- The days a service may be shown and booked.
CREATE OR REPLACE FUNCTION providers_service_listed_during(p_service_id bigint) RETURNS datemultirange
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT CASE WHEN s.status <> 'live' OR p.status <> 'approved' THEN '{}'::datemultirange
                    WHEN providers_service_regulated(s.id)
                        THEN providers_mandatory_cover(p.id) * providers_cqc_cover(p.id)
                    ELSE providers_mandatory_cover(p.id)
               END
          FROM providers_service s
          JOIN providers_provider p ON p.id = s.provider_id
         WHERE s.id = p_service_id
    );
END
$$;
