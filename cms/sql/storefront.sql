-- Whether a storefront Wagtail rendered a moment ago may be served again (cms/views.py): is the page live, when
-- was it last published, at which URL path, is it or an ancestor under a view restriction (Wagtail's tree paths:
-- an ancestor's path is a prefix of the page's), and is its provider listed on the day (the listing rule,
-- providers/sql/listing.sql). No row: no such storefront.
CREATE OR REPLACE FUNCTION cms_storefront_state(p_page_id integer, p_on date)
RETURNS TABLE (live boolean, last_published_at timestamptz, url_path text, restricted boolean,
               provider_listed boolean)
LANGUAGE sql STABLE AS $$
    SELECT page.live, page.last_published_at, page.url_path::text,
           EXISTS (SELECT FROM wagtailcore_pageviewrestriction r
                     JOIN wagtailcore_page ancestor ON ancestor.id = r.page_id
                    WHERE page.path LIKE ancestor.path || '%'),
           providers_provider_listed_during(storefront.provider_id) @> p_on
      FROM wagtailcore_page page
      JOIN cms_providerpage storefront ON storefront.page_ptr_id = page.id
     WHERE page.id = p_page_id
$$;
