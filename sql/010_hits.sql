-- hits: every human hit once.
-- Bots (request_is_bot = 1) are left out, and a page_view_id that Kinesis or Firehose
-- delivered twice is kept once. hit_at is when the hit happened (event_timestamp: the
-- tracker's clock when plausible, else CloudFront's). A duplicate is the same log line, so
-- it has the same domain and server date: the window is partitioned by them too, which lets
-- Athena push a filter on domain_name or event_date down to the partitions it reads.
CREATE OR REPLACE VIEW hits AS
SELECT
  domain_name, event_type, event_date, event_timestamp AS hit_at,
  event_year, event_month, event_day, event_timestamp, arrival_timestamp, arrival_delay_ms,
  edge_id, edge_city, edge_state, edge_country, edge_country_code, edge_latitude, edge_longitude,
  viewer_country_code, viewer_country, referrer, referrer_domain_name, referrer_source,
  referrer_medium, channel,
  browser_name, browser_version, browser_os_name, browser_os_version, browser_timezone,
  browser_language, device_type, device_vendor, device_outer_resolution,
  device_inner_resolution, device_color_depth, device_platform, device_memory, device_cores,
  utm_source, utm_campaign, utm_medium, utm_content, utm_term, click_id_param,
  request_url, request_path, request_bytes, request_status_code, request_cache_status,
  request_delivery_time_ms, request_asn, event_name, event_data,
  page_view_id, daily_page_view_id, daily_visitor_id, previous_daily_visitor_id
FROM (
  SELECT
    e.*,
    row_number() OVER (
      PARTITION BY e.domain_name, e.event_date, e.page_view_id ORDER BY e.arrival_timestamp
    ) AS copy_number
  FROM events e
  WHERE e.request_is_bot = 0
) deduplicated
WHERE copy_number = 1
