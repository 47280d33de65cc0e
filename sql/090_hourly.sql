-- hourly: visitors and page views per UTC hour in which the hits happened.
CREATE OR REPLACE VIEW hourly AS
SELECT
  domain_name,
  cast(cast(date_trunc('hour', hit_at) AS date) AS varchar) AS event_date,
  date_trunc('hour', hit_at) AS hour_start,
  hour(hit_at) AS hour,
  count(DISTINCT daily_visitor_id) AS visitors,
  sum(CASE WHEN event_type = 'pageview' THEN 1 ELSE 0 END) AS pageviews
FROM hits
GROUP BY domain_name, date_trunc('hour', hit_at), hour(hit_at)
