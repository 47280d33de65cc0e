-- pages: per path and day, the page views, the visitors who viewed it, and how many
-- visits entered (first hit) and left (last hit) on it.
CREATE OR REPLACE VIEW pages AS
WITH page_rows AS (
  SELECT
    domain_name, event_date, request_path,
    1 AS is_pageview, daily_visitor_id AS visitor_id, 0 AS is_entry, 0 AS is_exit
  FROM hits
  WHERE event_type = 'pageview'
  UNION ALL
  SELECT domain_name, event_date, entry_page, 0, cast(NULL AS varchar), 1, 0
  FROM sessions
  UNION ALL
  SELECT domain_name, event_date, exit_page, 0, cast(NULL AS varchar), 0, 1
  FROM sessions
)
SELECT
  domain_name,
  event_date,
  request_path,
  sum(is_pageview) AS pageviews,
  count(DISTINCT visitor_id) AS visitors,
  sum(is_entry) AS entries,
  sum(is_exit) AS exits
FROM page_rows
GROUP BY domain_name, event_date, request_path
