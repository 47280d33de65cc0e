-- traffic_series: page views and visitors over the last 24 hours (hourly buckets) and the
-- last 7, 30, 90 and 365 days (daily buckets), counted back from the newest hit in the
-- data (anchor_at), not from the clock, so old data and tests give stable answers.
-- Buckets without hits have no row.
CREATE OR REPLACE VIEW traffic_series AS
WITH anchor AS (
  SELECT max(hit_at) AS anchor_at FROM hits
),
periods AS (
  SELECT '7d' AS period, 7 AS days
  UNION ALL SELECT '30d', 30
  UNION ALL SELECT '90d', 90
  UNION ALL SELECT '365d', 365
)
SELECT
  '24h' AS period,
  h.domain_name,
  date_trunc('hour', h.hit_at) AS bucket_start,
  sum(CASE WHEN h.event_type = 'pageview' THEN 1 ELSE 0 END) AS pageviews,
  count(DISTINCT h.daily_visitor_id) AS visitors
FROM hits h
CROSS JOIN anchor a
WHERE date_diff('hour', date_trunc('hour', h.hit_at), date_trunc('hour', a.anchor_at)) < 24
GROUP BY h.domain_name, date_trunc('hour', h.hit_at)
UNION ALL
SELECT
  p.period,
  h.domain_name,
  cast(cast(h.event_date AS date) AS timestamp) AS bucket_start,
  sum(CASE WHEN h.event_type = 'pageview' THEN 1 ELSE 0 END) AS pageviews,
  count(DISTINCT h.daily_visitor_id) AS visitors
FROM hits h
CROSS JOIN anchor a
CROSS JOIN periods p
WHERE date_diff('day', cast(h.event_date AS date), cast(a.anchor_at AS date)) < p.days
GROUP BY p.period, h.domain_name, h.event_date
