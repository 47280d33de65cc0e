-- custom_event_data: every custom event with its properties (event_data, a JSON string),
-- the columns of the reference design's `events` table.
CREATE OR REPLACE VIEW custom_event_data AS
SELECT
  domain_name, event_date, event_timestamp, edge_city, edge_country, edge_latitude,
  edge_longitude, request_path, page_view_id, daily_visitor_id, event_name, event_data
FROM hits
WHERE event_type = 'event'
