-- sources: per day, what the visits that started that day brought: visitors, visits, their page
-- views, bounces, bounce_rate (0..1) and mean visit duration. By channel, source (a clean name:
-- Google, Hacker News, ChatGPT, ...), medium, referrer and UTM tags together.
CREATE OR REPLACE VIEW sources AS
SELECT
  domain_name,
  event_date,
  channel, referrer_source, referrer_medium,
  referrer_domain_name, utm_source, utm_medium, utm_campaign,
  count(DISTINCT visitor_id) AS visitors,
  count(*) AS visits,
  sum(pageviews) AS pageviews,
  sum(CASE WHEN is_bounce THEN 1 ELSE 0 END) AS bounces,
  cast(sum(CASE WHEN is_bounce THEN 1 ELSE 0 END) AS double) / count(*) AS bounce_rate,
  avg(duration_s) AS visit_duration_s
FROM sessions
GROUP BY
  domain_name, event_date, channel, referrer_source, referrer_medium,
  referrer_domain_name, utm_source, utm_medium, utm_campaign
