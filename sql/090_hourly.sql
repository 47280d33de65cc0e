-- hourly: visitors and page views per UTC hour in which the hits happened.
CREATE OR REPLACE VIEW hourly AS
WITH hit_hours AS (
  SELECT domain_name, date_trunc('hour', hit_at) AS hour_start, event_type, daily_visitor_id
  FROM hits
)
SELECT
  domain_name,
  cast(cast(hour_start AS date) AS varchar) AS event_date,
  hour_start,
  hour(hour_start) AS hour,
  count(DISTINCT daily_visitor_id) AS visitors,
  sum(CASE WHEN event_type = 'pageview' THEN 1 ELSE 0 END) AS pageviews
FROM hit_hours
GROUP BY domain_name, hour_start
