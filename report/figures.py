"""The report's figures, queried from the model's views (never from `events` directly)."""

from dataclasses import dataclass

import duckdb

TOP = 10


@dataclass
class Table:
    """A top-N table: a label column, then numeric columns."""

    title: str
    columns: list[str]
    rows: list[tuple]


@dataclass
class Domain:
    """Everything the report shows for one domain."""

    name: str
    overview: dict
    series_unit: str
    series: list[dict]
    tables: dict[str, Table]


TOP_QUERIES = {
    "pages": (
        "Top pages", ["Page", "Page views", "Visitors"],
        """SELECT request_path, sum(pageviews) AS pageviews, sum(visitors) AS visitors
           FROM pages WHERE domain_name = ? AND pageviews > 0
           GROUP BY request_path ORDER BY pageviews DESC, visitors DESC, request_path""",
    ),
    "sources": (
        "Top sources", ["Source", "Visits", "Visitors", "Bounce rate"],
        """SELECT coalesce(referrer_source, 'Direct / none') AS source,
                  sum(visits) AS visits, sum(visitors) AS visitors,
                  cast(sum(bounces) AS double) / sum(visits) AS bounce_rate
           FROM sources WHERE domain_name = ?
           GROUP BY referrer_source ORDER BY visits DESC, source""",
    ),
    "channels": (
        "Channels", ["Channel", "Visits", "Visitors", "Bounce rate"],
        """SELECT coalesce(channel, 'Unknown') AS channel,
                  sum(visits) AS visits, sum(visitors) AS visitors,
                  cast(sum(bounces) AS double) / sum(visits) AS bounce_rate
           FROM channels WHERE domain_name = ?
           GROUP BY channel ORDER BY visits DESC, channel""",
    ),
    "campaigns": (
        "Top campaigns", ["Source / medium / campaign", "Visits", "Visitors", "Bounce rate"],
        """SELECT concat_ws(' / ', coalesce(utm_source, '-'), coalesce(utm_medium, '-'),
                            coalesce(utm_campaign, '-')) AS campaign,
                  sum(visits) AS visits, sum(visitors) AS visitors,
                  cast(sum(bounces) AS double) / sum(visits) AS bounce_rate
           FROM campaigns
           WHERE domain_name = ?
             AND coalesce(utm_source, utm_medium, utm_campaign) IS NOT NULL
           GROUP BY utm_source, utm_medium, utm_campaign ORDER BY visits DESC, campaign""",
    ),
    "countries": (
        "Top countries", ["Country", "Visitors", "Page views"],
        """SELECT coalesce(viewer_country, viewer_country_code, 'Unknown') AS country,
                  sum(visitors) AS visitors, sum(pageviews) AS pageviews
           FROM countries WHERE domain_name = ?
           GROUP BY viewer_country, viewer_country_code ORDER BY visitors DESC, country""",
    ),
    "devices": (
        "Devices", ["Device", "Visitors", "Page views"],
        """SELECT coalesce(device_type, 'Unknown') AS device,
                  sum(visitors) AS visitors, sum(pageviews) AS pageviews
           FROM technology WHERE domain_name = ?
           GROUP BY device_type ORDER BY visitors DESC, device""",
    ),
    "events": (
        "Custom events", ["Event", "Events", "Visitors", "Conversion"],
        """SELECT c.event_name, sum(c.events) AS events, sum(c.visitors) AS visitors,
                  cast(sum(c.visitors) AS double) / max(o.visitors) AS conversion_rate
           FROM custom_events c JOIN domain_overview o ON o.domain_name = c.domain_name
           WHERE c.domain_name = ?
           GROUP BY c.event_name ORDER BY events DESC, c.event_name""",
    ),
}


def dict_rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict) -> list[dict]:
    """A query's rows as dicts keyed by column name."""
    cursor = con.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


SERIES_DAYS = 30
"""The chart shows at most the last SERIES_DAYS days of a domain's data."""

HOURLY_UP_TO_DAYS = 3
"""When the hits of those days span at most this many days, the chart is hourly."""

DAILY_SERIES = """
    SELECT strftime(b.day, '%Y-%m-%d') AS bucket,
           coalesce(d.visitors, 0) AS visitors, coalesce(d.pageviews, 0) AS pageviews
    FROM range(cast($first AS date), cast($last AS date) + INTERVAL 1 DAY, INTERVAL 1 DAY)
      AS b(day)
    LEFT JOIN daily_overview d
      ON d.domain_name = $domain AND cast(d.event_date AS date) = b.day
    ORDER BY b.day
"""
"""Visitors and page views for every day from $first to $last, zero where none."""

HOURLY_SERIES = """
    SELECT strftime(b.hour_start, '%d %b %H:00') AS bucket,
           coalesce(h.visitors, 0) AS visitors, coalesce(h.pageviews, 0) AS pageviews
    FROM range(
      (SELECT min(hour_start) FROM hourly WHERE domain_name = $domain AND event_date >= $first),
      (SELECT max(hour_start) FROM hourly WHERE domain_name = $domain) + INTERVAL 1 HOUR,
      INTERVAL 1 HOUR
    ) AS b(hour_start)
    LEFT JOIN hourly h ON h.domain_name = $domain AND h.hour_start = b.hour_start
    ORDER BY b.hour_start
"""
"""Visitors and page views for every hour from the first hour on or after $first to the
domain's last hour, zero where none."""


def time_series(con: duckdb.DuckDBPyConnection, domain: str) -> tuple[str, list[dict]]:
    """Visitors and page views over the last SERIES_DAYS days of the domain's data: per
    hour when the hits in those days span at most HOURLY_UP_TO_DAYS days, else per day."""
    first, last, span = con.execute(
        f"""WITH recent AS (
              SELECT cast(event_date AS date) AS day FROM daily_overview
              WHERE domain_name = $domain
              QUALIFY day > max(day) OVER () - INTERVAL {SERIES_DAYS} DAY
            )
            SELECT strftime(min(day), '%Y-%m-%d'), strftime(max(day), '%Y-%m-%d'),
                   date_diff('day', min(day), max(day)) + 1
            FROM recent""",
        {"domain": domain},
    ).fetchone()
    if span <= HOURLY_UP_TO_DAYS:
        return "hour", dict_rows(con, HOURLY_SERIES, {"domain": domain, "first": first})
    window_start = con.execute(
        f"SELECT strftime(cast($last AS date) - INTERVAL {SERIES_DAYS - 1} DAY, '%Y-%m-%d')",
        {"last": last},
    ).fetchone()[0]
    return "day", dict_rows(
        con, DAILY_SERIES, {"domain": domain, "first": window_start, "last": last}
    )


def top_table(con: duckdb.DuckDBPyConnection, key: str, domain: str) -> Table:
    """One of TOP_QUERIES for a domain, cut to the top TOP rows."""
    title, columns, sql = TOP_QUERIES[key]
    return Table(title, columns, con.execute(f"{sql} LIMIT {TOP}", [domain]).fetchall())


def collect(con: duckdb.DuckDBPyConnection) -> list[Domain]:
    """The report's figures for every domain, the busiest first."""
    domains = []
    overviews = dict_rows(
        con, "SELECT * FROM domain_overview ORDER BY pageviews DESC, domain_name", []
    )
    for overview in overviews:
        name = overview["domain_name"]
        unit, series = time_series(con, name)
        tables = {key: top_table(con, key, name) for key in TOP_QUERIES}
        domains.append(Domain(name, overview, unit, series, tables))
    return domains
