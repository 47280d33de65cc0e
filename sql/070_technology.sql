-- technology: per day, page views and visitors (ids with any hit) by device type, browser and operating system.
CREATE OR REPLACE VIEW technology AS
SELECT
  domain_name,
  event_date,
  device_type, browser_name, browser_os_name,
  sum(CASE WHEN event_type = 'pageview' THEN 1 ELSE 0 END) AS pageviews,
  count(DISTINCT daily_visitor_id) AS visitors
FROM hits
GROUP BY domain_name, event_date, device_type, browser_name, browser_os_name
