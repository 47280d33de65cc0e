-- domain_overview: daily_overview's figures over every day in the data, per domain.
-- Visitor ids change every UTC day, so visitors here are visitor-days: the sum of the
-- daily visitors (a person who came on three days counts three times).
CREATE OR REPLACE VIEW domain_overview AS
WITH hit_totals AS (
  SELECT
    domain_name,
    min(event_date) AS first_date,
    max(event_date) AS last_date,
    count(DISTINCT daily_visitor_id) AS visitors,
    sum(CASE WHEN event_type = 'pageview' THEN 1 ELSE 0 END) AS pageviews,
    sum(CASE WHEN event_type = 'event' THEN 1 ELSE 0 END) AS events
  FROM hits
  GROUP BY domain_name
),
visit_totals AS (
  SELECT
    domain_name,
    count(*) AS visits,
    sum(CASE WHEN is_bounce THEN 1 ELSE 0 END) AS bounces,
    avg(duration_s) AS visit_duration_s,
    sum(pageviews) AS visit_pageviews
  FROM sessions
  GROUP BY domain_name
)
SELECT
  h.domain_name,
  h.first_date,
  h.last_date,
  h.visitors,
  coalesce(v.visits, 0) AS visits,
  h.pageviews,
  h.events,
  cast(v.bounces AS double) / v.visits AS bounce_rate,
  v.visit_duration_s,
  cast(v.visit_pageviews AS double) / v.visits AS views_per_visit
FROM hit_totals h
LEFT JOIN visit_totals v ON v.domain_name = h.domain_name
