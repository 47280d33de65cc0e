"""A small hand-written `events` table: each visitor id plays one case of the model.

Times are UTC; D is 2025-06-14, D1 the day after. The expected figures in test_model.py are
worked out by hand from this list.
"""

from datetime import datetime, timedelta

D, D1, EARLY = "2025-06-14", "2025-06-15", "2025-06-01"
SITE, OTHER = "site.test", "other.test"


def at(day: str, clock: str) -> datetime:
    """A UTC timestamp from 'yyyy-MM-dd' and 'HH:MM' or 'HH:MM:SS.fff'."""
    layout = "%Y-%m-%d %H:%M:%S.%f" if "." in clock else "%Y-%m-%d %H:%M"
    return datetime.strptime(f"{day} {clock}", layout)


def hit(visitor, day, clock, page_view_id, path="/", event_name=None, domain=SITE, **extra):
    """One row of `events` with the columns a case needs; the rest stay NULL.

    A hit with event_name is a custom event. arrival_timestamp defaults to the event time
    plus 100 ms; event_date is the arrival's date, as CloudFront's server time gives it."""
    event_at = at(day, clock)
    arrival = extra.pop("arrival", event_at + timedelta(milliseconds=100))
    row = {
        "domain_name": domain,
        "event_type": "event" if event_name else "pageview",
        "event_date": arrival.strftime("%Y-%m-%d"),
        "event_timestamp": event_at,
        "arrival_timestamp": arrival,
        "request_path": path,
        "event_name": event_name,
        "page_view_id": page_view_id,
        "daily_visitor_id": visitor,
        "request_is_bot": 0,
        "viewer_country_code": "DE",
        "viewer_country": "Germany",
        "edge_city": "Frankfurt am Main",
        "edge_country": "Germany",
        "device_type": "Desktop",
        "browser_name": "Chrome",
        "browser_os_name": "Mac OS X",
        "channel": "Direct",
    }
    row.update(extra)
    return row


ROWS = [
    # v1: two visits 31 minutes apart; the first came from a newsletter link.
    hit("v1", D, "10:00", "v1-a", referrer_domain_name="news.example",
        utm_source="newsletter", utm_medium="email", utm_campaign="june",
        referrer_source="newsletter", referrer_medium="email", channel="Email"),
    hit("v1", D, "10:05", "v1-b", path="/pricing"),
    hit("v1", D, "10:36", "v1-c"),
    # v2: two hits exactly 30 minutes apart stay one visit; on a phone, from a search.
    hit("v2", D, "11:00", "v2-a", referrer_domain_name="search.example",
        referrer_source="Search Example", referrer_medium="search", channel="Organic Search",
        device_type="Mobile", browser_name="Safari", browser_os_name="iOS"),
    hit("v2", D, "11:30", "v2-b", path="/blog",
        device_type="Mobile", browser_name="Safari", browser_os_name="iOS"),
    # v3: a page view and an event at the same millisecond; page_view_id orders them.
    hit("v3", D, "12:00:00.000", "v3-b"),
    hit("v3", D, "12:00:00.000", "v3-a", path="/signup", event_name="signup"),
    # v4: one page view delivered twice (same page_view_id).
    hit("v4", D, "13:00", "v4-a"),
    hit("v4", D, "13:00", "v4-a"),
    # a bot among humans.
    hit("bot1", D, "13:10", "bot-a", request_is_bot=1, device_type="Bot"),
    # v5: a visit across midnight: 23:50, then 00:10 (new id, yesterday's id carried), 00:35.
    hit("v5-d", D, "23:50", "v5-a"),
    hit("v5-d1", D1, "00:10", "v5-b", path="/late", previous_daily_visitor_id="v5-d"),
    hit("v5-d1", D1, "00:35", "v5-c", path="/more"),
    # v6: yesterday's id carried, but 65 minutes after its last hit: two visits.
    hit("v6-d", D, "23:00", "v6-a"),
    hit("v6-d1", D1, "00:05", "v6-b", previous_daily_visitor_id="v6-d"),
    # v7: a visit of one custom event and no page view.
    hit("v7", D, "14:00", "v7-a", path="/download", event_name="download"),
    # v8: an event that happened at 15:10 but arrived at 15:40, after the 15:20 page view.
    hit("v8", D, "15:00", "v8-a", viewer_country_code="FR", viewer_country="France"),
    hit("v8", D, "15:10", "v8-b", event_name="signup", arrival=at(D, "15:40"),
        viewer_country_code="FR", viewer_country="France"),
    hit("v8", D, "15:20", "v8-c", path="/thanks",
        viewer_country_code="FR", viewer_country="France"),
    # another domain: one bounce on D, and one page view two weeks earlier.
    hit("w1", D, "10:00", "w1-a", domain=OTHER),
    hit("w0", EARLY, "09:00", "w0-a", domain=OTHER),
]
