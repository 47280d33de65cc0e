-- session_hits: each identified hit, with the columns a visit takes from its hits, and the
-- visit (session) it belongs to.
-- A visit is the hits of one visitor on one domain, ordered by time and then page_view_id
-- (so equal timestamps never split a visit), where each hit follows the previous one by at
-- most 30 minutes. Across UTC midnight the visitor's id changes; a hit in the first 30
-- minutes of a day carries the id under yesterday's salt (previous_daily_visitor_id), and
-- when a hit under that id lies at most 30 minutes earlier, the whole day's id is followed
-- back to it (visit_key), so the visit goes on. A visit is (domain_name, visit_key,
-- visit_number); is_first_hit and is_last_hit mark its ends.
CREATE OR REPLACE VIEW session_hits AS
WITH identified AS (
  SELECT
    domain_name, event_date, event_type, hit_at, page_view_id, daily_visitor_id,
    previous_daily_visitor_id, request_path, referrer_domain_name, referrer_source,
    referrer_medium, channel, utm_source, utm_medium,
    utm_campaign, viewer_country_code, viewer_country, device_type, browser_name,
    browser_os_name
  FROM hits
  WHERE daily_visitor_id IS NOT NULL
),
stitches AS (
  SELECT today.domain_name, today.daily_visitor_id, min(today.previous_daily_visitor_id) AS yesterday_id
  FROM identified today
  JOIN identified yesterday
    ON yesterday.domain_name = today.domain_name
   AND yesterday.daily_visitor_id = today.previous_daily_visitor_id
   AND yesterday.hit_at <= today.hit_at
   AND date_diff('millisecond', yesterday.hit_at, today.hit_at) <= 1800000
  GROUP BY today.domain_name, today.daily_visitor_id
),
keyed AS (
  SELECT i.*, coalesce(s.yesterday_id, i.daily_visitor_id) AS visit_key
  FROM identified i
  LEFT JOIN stitches s
    ON s.domain_name = i.domain_name AND s.daily_visitor_id = i.daily_visitor_id
),
gaps AS (
  SELECT
    k.*,
    lag(k.hit_at) OVER (
      PARTITION BY k.domain_name, k.visit_key ORDER BY k.hit_at, k.page_view_id
    ) AS previous_hit_at,
    lead(k.hit_at) OVER (
      PARTITION BY k.domain_name, k.visit_key ORDER BY k.hit_at, k.page_view_id
    ) AS next_hit_at
  FROM keyed k
),
edges AS (
  SELECT
    g.*,
    g.previous_hit_at IS NULL
      OR date_diff('millisecond', g.previous_hit_at, g.hit_at) > 1800000 AS is_first_hit,
    g.next_hit_at IS NULL
      OR date_diff('millisecond', g.hit_at, g.next_hit_at) > 1800000 AS is_last_hit
  FROM gaps g
)
SELECT
  e.*,
  sum(CASE WHEN e.is_first_hit THEN 1 ELSE 0 END) OVER (
    PARTITION BY e.domain_name, e.visit_key ORDER BY e.hit_at, e.page_view_id
    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
  ) AS visit_number
FROM edges e
