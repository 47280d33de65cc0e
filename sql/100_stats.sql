-- stats: the reference design's nightly stats table, by its dimension set. Page views and
-- visitors count page-view hits; bounces_cnt and visit_duration_sec_avg count the visits
-- whose first hit is a page view in the row (mean duration in seconds, bounces included).
CREATE OR REPLACE VIEW stats AS
SELECT
  h.domain_name,
  h.event_date,
  hour(h.hit_at) AS event_hour,
  h.edge_city, h.edge_country, h.edge_latitude, h.edge_longitude,
  h.referrer_domain_name, h.browser_name, h.browser_os_name, h.device_type, h.device_vendor,
  h.utm_source, h.utm_campaign, h.utm_medium, h.utm_content, h.utm_term,
  h.request_path,
  count(*) AS page_view_cnt,
  count(DISTINCT h.daily_visitor_id) AS visitor_cnt,
  sum(CASE WHEN s.is_bounce THEN 1 ELSE 0 END) AS bounces_cnt,
  avg(s.duration_s) AS visit_duration_sec_avg
FROM hits h
LEFT JOIN sessions s
  ON s.domain_name = h.domain_name AND s.session_id = h.page_view_id
WHERE h.event_type = 'pageview'
GROUP BY
  h.domain_name, h.event_date, hour(h.hit_at),
  h.edge_city, h.edge_country, h.edge_latitude, h.edge_longitude,
  h.referrer_domain_name, h.browser_name, h.browser_os_name, h.device_type, h.device_vendor,
  h.utm_source, h.utm_campaign, h.utm_medium, h.utm_content, h.utm_term,
  h.request_path
