-- channels: per day, what the visits that started that day brought, by acquisition channel
-- (Direct, Organic Search, Paid Search, Organic Social, Paid Social, Email, AI Assistant,
-- Referral, Other Campaign): visitors, visits, page views, bounces, bounce_rate (0..1) and
-- mean visit duration.
CREATE OR REPLACE VIEW channels AS
SELECT
  domain_name,
  event_date,
  channel,
  count(DISTINCT visitor_id) AS visitors,
  count(*) AS visits,
  sum(pageviews) AS pageviews,
  sum(CASE WHEN is_bounce THEN 1 ELSE 0 END) AS bounces,
  cast(sum(CASE WHEN is_bounce THEN 1 ELSE 0 END) AS double) / count(*) AS bounce_rate,
  avg(duration_s) AS visit_duration_s
FROM sessions
GROUP BY domain_name, event_date, channel
