-- locations: per day, page views and visitors (ids with any hit) by the viewer's country and the CloudFront edge that served them.
CREATE OR REPLACE VIEW locations AS
SELECT
  domain_name,
  event_date,
  viewer_country_code, viewer_country, edge_city, edge_country,
  sum(CASE WHEN event_type = 'pageview' THEN 1 ELSE 0 END) AS pageviews,
  count(DISTINCT daily_visitor_id) AS visitors
FROM hits
GROUP BY domain_name, event_date, viewer_country_code, viewer_country, edge_city, edge_country
