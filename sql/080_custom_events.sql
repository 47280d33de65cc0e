-- custom_events: per event name and day, how often it fired, how many visitors fired it,
-- and the conversion rate: those visitors over all of the domain's visitors that day (0..1).
CREATE OR REPLACE VIEW custom_events AS
WITH fired AS (
  SELECT
    domain_name, event_date, event_name,
    count(*) AS events,
    count(DISTINCT daily_visitor_id) AS visitors
  FROM hits
  WHERE event_type = 'event'
  GROUP BY domain_name, event_date, event_name
)
SELECT
  f.domain_name,
  f.event_date,
  f.event_name,
  f.events,
  f.visitors,
  cast(f.visitors AS double) / nullif(d.visitors, 0) AS conversion_rate
FROM fired f
JOIN daily_overview d
  ON d.domain_name = f.domain_name AND d.event_date = f.event_date
