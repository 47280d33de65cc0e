-- session_hits: each identified hit with the visit (session) it belongs to.
-- A visit is the hits of one visitor on one domain, ordered by time and then page_view_id
-- (so equal timestamps never split a visit), where each hit follows the previous one by at
-- most 30 minutes. Across UTC midnight the visitor's id changes; a hit in the first 30
-- minutes of a day carries the id under yesterday's salt (previous_daily_visitor_id), and
-- when a hit under that id lies at most 30 minutes earlier, the whole day's id is followed
-- back to it (visit_key), so the visit goes on. session_id is the page_view_id of the
-- visit's first hit. hit_number counts from the first hit, hits_to_end from the last.
CREATE OR REPLACE VIEW session_hits AS
WITH identified AS (
  SELECT * FROM hits WHERE daily_visitor_id IS NOT NULL
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
    ) AS previous_hit_at
  FROM keyed k
),
numbered AS (
  SELECT
    g.*,
    sum(
      CASE
        WHEN g.previous_hit_at IS NULL
          OR date_diff('millisecond', g.previous_hit_at, g.hit_at) > 1800000 THEN 1
        ELSE 0
      END
    ) OVER (
      PARTITION BY g.domain_name, g.visit_key ORDER BY g.hit_at, g.page_view_id
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS visit_number
  FROM gaps g
)
SELECT
  n.*,
  first_value(n.page_view_id) OVER (
    PARTITION BY n.domain_name, n.visit_key, n.visit_number ORDER BY n.hit_at, n.page_view_id
    ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
  ) AS session_id,
  row_number() OVER (
    PARTITION BY n.domain_name, n.visit_key, n.visit_number ORDER BY n.hit_at, n.page_view_id
  ) AS hit_number,
  row_number() OVER (
    PARTITION BY n.domain_name, n.visit_key, n.visit_number
    ORDER BY n.hit_at DESC, n.page_view_id DESC
  ) AS hits_to_end
FROM numbered n
