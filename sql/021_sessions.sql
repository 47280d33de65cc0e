-- sessions: one row per visit, on the date of its first hit; session_id is the
-- page_view_id of that first hit. Its source, place and
-- technology are those of the first hit. A bounce is a visit with one page view and no
-- custom event; duration_s is last hit minus first hit (0 for a single hit).
CREATE OR REPLACE VIEW sessions AS
SELECT
  domain_name,
  max(CASE WHEN is_first_hit THEN event_date END) AS event_date,
  max(CASE WHEN is_first_hit THEN page_view_id END) AS session_id,
  max(CASE WHEN is_first_hit THEN daily_visitor_id END) AS visitor_id,
  min(hit_at) AS started_at,
  max(hit_at) AS ended_at,
  cast(date_diff('millisecond', min(hit_at), max(hit_at)) AS double) / 1000.0 AS duration_s,
  sum(CASE WHEN event_type = 'pageview' THEN 1 ELSE 0 END) AS pageviews,
  sum(CASE WHEN event_type = 'event' THEN 1 ELSE 0 END) AS events,
  sum(CASE WHEN event_type = 'pageview' THEN 1 ELSE 0 END) = 1
    AND sum(CASE WHEN event_type = 'event' THEN 1 ELSE 0 END) = 0 AS is_bounce,
  max(CASE WHEN is_first_hit THEN request_path END) AS entry_page,
  max(CASE WHEN is_last_hit THEN request_path END) AS exit_page,
  max(CASE WHEN is_first_hit THEN referrer_domain_name END) AS referrer_domain_name,
  max(CASE WHEN is_first_hit THEN referrer_source END) AS referrer_source,
  max(CASE WHEN is_first_hit THEN referrer_medium END) AS referrer_medium,
  max(CASE WHEN is_first_hit THEN channel END) AS channel,
  max(CASE WHEN is_first_hit THEN utm_source END) AS utm_source,
  max(CASE WHEN is_first_hit THEN utm_medium END) AS utm_medium,
  max(CASE WHEN is_first_hit THEN utm_campaign END) AS utm_campaign,
  max(CASE WHEN is_first_hit THEN viewer_country_code END) AS viewer_country_code,
  max(CASE WHEN is_first_hit THEN viewer_country END) AS viewer_country,
  max(CASE WHEN is_first_hit THEN device_type END) AS device_type,
  max(CASE WHEN is_first_hit THEN browser_name END) AS browser_name,
  max(CASE WHEN is_first_hit THEN browser_os_name END) AS browser_os_name
FROM session_hits
GROUP BY domain_name, visit_key, visit_number
