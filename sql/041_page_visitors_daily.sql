-- page_visitors_daily: how many visitors each page got on each day.
CREATE OR REPLACE VIEW page_visitors_daily AS
SELECT domain_name, event_date, request_path, visitors, pageviews
FROM pages
WHERE pageviews > 0
