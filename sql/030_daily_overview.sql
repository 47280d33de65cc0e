-- daily_overview: the headline figures of each domain and day. visitors, pageviews and
-- events count the day's hits; visits, bounce_rate (0..1), visit_duration_s (mean over
-- visits, bounces included) and views_per_visit count the visits that started that day.
CREATE OR REPLACE VIEW daily_overview AS
WITH hit_days AS (
  SELECT
    domain_name, event_date,
    count(DISTINCT daily_visitor_id) AS visitors,
    sum(CASE WHEN event_type = 'pageview' THEN 1 ELSE 0 END) AS pageviews,
    sum(CASE WHEN event_type = 'event' THEN 1 ELSE 0 END) AS events
  FROM hits
  GROUP BY domain_name, event_date
),
visit_days AS (
  SELECT
    domain_name, event_date,
    count(*) AS visits,
    sum(CASE WHEN is_bounce THEN 1 ELSE 0 END) AS bounces,
    avg(duration_s) AS visit_duration_s,
    sum(pageviews) AS visit_pageviews
  FROM sessions
  GROUP BY domain_name, event_date
)
SELECT
  h.domain_name,
  h.event_date,
  h.visitors,
  coalesce(v.visits, 0) AS visits,
  h.pageviews,
  h.events,
  cast(v.bounces AS double) / v.visits AS bounce_rate,
  v.visit_duration_s,
  cast(v.visit_pageviews AS double) / v.visits AS views_per_visit
FROM hit_days h
LEFT JOIN visit_days v
  ON v.domain_name = h.domain_name AND v.event_date = h.event_date
