-- The market view's rules, spelt once, and the summary built from them (docs/adr/0011).
--
-- Three views say what each row of the market is for the market view: a search (did it find nothing? nothing
-- within a price limit?), an order (declined?) and a confirmed visit (spend; with a micro-provider?). The live
-- lists behind every figure read these views (commissioning.selectors.market), and the summary tables below are
-- nothing but these views added up per day, so a figure and its list can never follow different rules.
-- Days are local (Europe/London, settings.TIME_ZONE; tests/commissioning/test_summary.py checks they agree).
--
-- Re-applying this file drops and recreates the summaries empty (WITH NO DATA): the page then says they have not
-- been built until the next run of commissioning.tasks.refresh_market_summary.

DROP MATERIALIZED VIEW IF EXISTS commissioning_search_daily;
DROP MATERIALIZED VIEW IF EXISTS commissioning_order_daily;
DROP MATERIALIZED VIEW IF EXISTS commissioning_spend_daily;
DROP VIEW IF EXISTS commissioning_search_fact;
DROP VIEW IF EXISTS commissioning_order_fact;
DROP VIEW IF EXISTS commissioning_spend_fact;
DROP VIEW IF EXISTS commissioning_micro_provider;

-- A micro-provider has fewer than 5 people on its team (the Somerset definition: fewer than 5 workers).
CREATE VIEW commissioning_micro_provider AS
SELECT provider.id AS provider_id
FROM providers_provider AS provider
LEFT JOIN providers_providermembership AS member ON member.provider_id = provider.id
GROUP BY provider.id
HAVING count(member.id) < 5;

-- Every search: unmet when it found nothing; unmet within a price when it found nothing and gave a price limit.
CREATE VIEW commissioning_search_fact AS
SELECT record.id, record.searched_at, (record.searched_at AT TIME ZONE 'Europe/London')::date AS day,
       record.neighbourhood_id, record.category_id,
       1 AS searches,
       (record.result_count = 0)::int AS unmet_searches,
       (record.result_count = 0 AND record.filters ? 'max_price_pence')::int AS unmet_priced_searches,
       (record.neighbourhood_id IS NULL)::int AS searches_no_area,
       (record.category_id IS NULL)::int AS searches_no_kind,
       (record.filters ? 'other_words')::int AS other_words_searches
FROM directory_searchrecord AS record;

-- Every order, by the neighbourhood of the person supported, the service's kind of support and the budget's route;
-- declined for lack of capacity when the provider declined it.
CREATE VIEW commissioning_order_fact AS
SELECT o.id, o.created_at, (o.created_at AT TIME ZONE 'Europe/London')::date AS day,
       person.neighbourhood_id, service.category_id, o.funding_route AS route,
       1 AS orders, (o.status = 'declined')::int AS declined_orders
FROM orders_order AS o
JOIN accounts_person AS person ON person.id = o.holder_id
JOIN providers_service AS service ON service.id = o.service_id;

-- Spend: the cost of every confirmed visit, on the day it started.
CREATE VIEW commissioning_spend_fact AS
SELECT visit.id, visit.starts_at, (visit.starts_at AT TIME ZONE 'Europe/London')::date AS day,
       person.neighbourhood_id, service.category_id, o.funding_route AS route, o.provider_id, o.holder_id,
       EXISTS (SELECT 1 FROM commissioning_micro_provider AS micro WHERE micro.provider_id = o.provider_id) AS micro,
       1 AS visits, visit.cost_pence AS spend_pence
FROM orders_visit AS visit
JOIN orders_order AS o ON o.id = visit.order_id
JOIN accounts_person AS person ON person.id = o.holder_id
JOIN providers_service AS service ON service.id = o.service_id
WHERE visit.status = 'confirmed';

-- The summaries: the views above added up per day (and per person and provider for spend, so that people supported
-- and spend by provider can be counted over any period). Refreshed CONCURRENTLY, so the page reads the previous
-- summary while the next is built; that needs a unique index on each.
CREATE MATERIALIZED VIEW commissioning_search_daily AS
SELECT day, neighbourhood_id, category_id, sum(searches)::int AS searches,
       sum(unmet_searches)::int AS unmet_searches, sum(unmet_priced_searches)::int AS unmet_priced_searches,
       sum(searches_no_area)::int AS searches_no_area, sum(searches_no_kind)::int AS searches_no_kind,
       sum(other_words_searches)::int AS other_words_searches
FROM commissioning_search_fact
GROUP BY day, neighbourhood_id, category_id
WITH NO DATA;
CREATE UNIQUE INDEX commissioning_search_daily_key
    ON commissioning_search_daily (day, neighbourhood_id, category_id) NULLS NOT DISTINCT;

CREATE MATERIALIZED VIEW commissioning_order_daily AS
SELECT day, neighbourhood_id, category_id, route, sum(orders)::int AS orders,
       sum(declined_orders)::int AS declined_orders
FROM commissioning_order_fact
GROUP BY day, neighbourhood_id, category_id, route
WITH NO DATA;
CREATE UNIQUE INDEX commissioning_order_daily_key
    ON commissioning_order_daily (day, neighbourhood_id, category_id, route) NULLS NOT DISTINCT;

CREATE MATERIALIZED VIEW commissioning_spend_daily AS
SELECT day, neighbourhood_id, category_id, route, provider_id, holder_id, micro, sum(visits)::int AS visits,
       sum(spend_pence)::bigint AS spend_pence
FROM commissioning_spend_fact
GROUP BY day, neighbourhood_id, category_id, route, provider_id, holder_id, micro
WITH NO DATA;
CREATE UNIQUE INDEX commissioning_spend_daily_key
    ON commissioning_spend_daily (day, neighbourhood_id, category_id, route, provider_id, holder_id, micro)
    NULLS NOT DISTINCT;
