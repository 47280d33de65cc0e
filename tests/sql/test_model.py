"""The views' numbers on the fixture of fixture_events.py, worked out by hand.

Day D (2025-06-14) on site.test, per visitor id (hits after removing the bot and the
duplicate):
  v1   pv 10:00 /, pv 10:05 /pricing | pv 10:36 /      two visits (31 min gap): 300 s, bounce
  v2   pv 11:00 /, pv 11:30 /blog                      one visit (30 min is not a gap): 1800 s
  v3   ev 12:00 /signup (v3-a), pv 12:00 / (v3-b)      one visit, 0 s, not a bounce (event)
  v4   pv 13:00 / (twice delivered)                    one visit, bounce
  v5-d pv 23:50 / + v5-d1 pv 00:10 /late, 00:35 /more  one visit on D across midnight: 2700 s
  v6-d pv 23:00 /                                      bounce (v6-d1 at 00:05 is 65 min later)
  v7   ev 14:00 /download                              one visit, no page view, not a bounce
  v8   pv 15:00 /, ev 15:10 (arrived 15:40), pv 15:20  one visit: 1200 s by event time
"""

import pytest

from fixture_events import D, D1, EARLY, OTHER, SITE

DAY_D_VISITS = 9  # v1 twice, v2, v3, v4, v5, v6, v7, v8
DAY_D_DURATIONS = [300, 0, 1800, 0, 0, 2700, 0, 0, 1200]
DAY_D_VISIT_PAGEVIEWS = [2, 1, 2, 1, 1, 3, 1, 0, 2]


def rows(con, sql, *params):
    """Query result as a list of dicts."""
    cursor = con.execute(sql, list(params))
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, values)) for values in cursor.fetchall()]


def one(con, sql, *params):
    """The single row of a query."""
    found = rows(con, sql, *params)
    assert len(found) == 1, found
    return found[0]


def test_daily_overview_has_exactly_the_documented_columns(model):
    columns = [c[0] for c in model.execute("SELECT * FROM daily_overview LIMIT 0").description]
    assert columns == [
        "domain_name", "event_date", "visitors", "visits", "pageviews", "events",
        "bounce_rate", "visit_duration_s", "views_per_visit",
    ]


def test_daily_overview_of_day_d(model):
    day = one(model, "SELECT * FROM daily_overview WHERE domain_name = ? AND event_date = ?", SITE, D)
    assert day["visitors"] == 8  # v1 v2 v3 v4 v5-d v6-d v7 v8; not bot1
    assert day["visits"] == DAY_D_VISITS
    assert day["pageviews"] == 3 + 2 + 1 + 1 + 1 + 1 + 0 + 2  # v4's copy and the bot left out
    assert day["events"] == 3  # v3 signup, v7 download, v8 signup (arrived on D)
    assert day["bounce_rate"] == pytest.approx(3 / 9)  # v1's second visit, v4, v6-d
    assert day["visit_duration_s"] == pytest.approx(sum(DAY_D_DURATIONS) / DAY_D_VISITS)
    assert day["views_per_visit"] == pytest.approx(sum(DAY_D_VISIT_PAGEVIEWS) / DAY_D_VISITS)


def test_daily_overview_of_the_day_after(model):
    day = one(model, "SELECT * FROM daily_overview WHERE domain_name = ? AND event_date = ?", SITE, D1)
    assert day["visitors"] == 2  # v5-d1, v6-d1: new ids on a new day
    assert day["pageviews"] == 3  # v5's 00:10 and 00:35, v6's 00:05
    assert day["visits"] == 1  # only v6's second visit starts on D1; v5's belongs to D
    assert day["bounce_rate"] == 1.0
    assert day["visit_duration_s"] == 0.0


def test_domains_are_kept_apart(model):
    days = rows(model, "SELECT event_date, visitors, visits FROM daily_overview WHERE domain_name = ? ORDER BY event_date", OTHER)
    assert days == [
        {"event_date": EARLY, "visitors": 1, "visits": 1},
        {"event_date": D, "visitors": 1, "visits": 1},
    ]


def test_duplicates_and_bots_are_not_hits(model):
    assert one(model, "SELECT count(*) AS n FROM hits WHERE page_view_id = 'v4-a'")["n"] == 1
    assert one(model, "SELECT count(*) AS n FROM hits WHERE daily_visitor_id = 'bot1'")["n"] == 0


def test_a_gap_of_31_minutes_splits_a_visit(model):
    visits = rows(model, "SELECT session_id, pageviews, duration_s, is_bounce, entry_page, exit_page FROM sessions WHERE visitor_id = 'v1' ORDER BY started_at")
    assert visits == [
        {"session_id": "v1-a", "pageviews": 2, "duration_s": 300.0, "is_bounce": False, "entry_page": "/", "exit_page": "/pricing"},
        {"session_id": "v1-c", "pageviews": 1, "duration_s": 0.0, "is_bounce": True, "entry_page": "/", "exit_page": "/"},
    ]


def test_a_gap_of_exactly_30_minutes_does_not(model):
    visit = one(model, "SELECT pageviews, duration_s FROM sessions WHERE visitor_id = 'v2'")
    assert visit == {"pageviews": 2, "duration_s": 1800.0}


def test_equal_timestamps_stay_one_visit_ordered_by_page_view_id(model):
    visit = one(model, "SELECT session_id, pageviews, events, is_bounce, duration_s, entry_page, exit_page FROM sessions WHERE visitor_id = 'v3'")
    assert visit == {
        "session_id": "v3-a", "pageviews": 1, "events": 1, "is_bounce": False,
        "duration_s": 0.0, "entry_page": "/signup", "exit_page": "/",
    }


def test_a_visit_across_midnight_is_one_visit_on_its_first_day(model):
    visit = one(model, "SELECT event_date, visitor_id, started_at, ended_at, pageviews, duration_s, exit_page FROM sessions WHERE session_id = 'v5-a'")
    assert visit["event_date"] == D
    assert visit["visitor_id"] == "v5-d"
    assert (str(visit["started_at"]), str(visit["ended_at"])) == (f"{D} 23:50:00", f"{D1} 00:35:00")
    assert visit["pageviews"] == 3
    assert visit["duration_s"] == 45 * 60.0
    assert visit["exit_page"] == "/more"
    assert one(model, "SELECT count(*) AS n FROM sessions WHERE visitor_id = 'v5-d1'")["n"] == 0


def test_a_carried_id_without_a_recent_hit_starts_a_new_visit(model):
    visits = rows(model, "SELECT event_date, visitor_id FROM sessions WHERE visitor_id LIKE 'v6%' ORDER BY started_at")
    assert visits == [{"event_date": D, "visitor_id": "v6-d"}, {"event_date": D1, "visitor_id": "v6-d1"}]


def test_an_events_only_visit_is_not_a_bounce(model):
    visit = one(model, "SELECT pageviews, events, is_bounce, entry_page FROM sessions WHERE visitor_id = 'v7'")
    assert visit == {"pageviews": 0, "events": 1, "is_bounce": False, "entry_page": "/download"}


def test_a_late_event_is_placed_by_when_it_happened(model):
    visit = one(model, "SELECT pageviews, events, duration_s, exit_page FROM sessions WHERE visitor_id = 'v8'")
    assert visit == {"pageviews": 2, "events": 1, "duration_s": 20 * 60.0, "exit_page": "/thanks"}


def test_pages(model):
    home = one(model, "SELECT * FROM pages WHERE domain_name = ? AND event_date = ? AND request_path = '/'", SITE, D)
    assert home["pageviews"] == 8  # v1 twice, v2, v3, v4, v5-d, v6-d, v8
    assert home["visitors"] == 7  # the same less v1's second view
    assert home["entries"] == 7  # all visits of D but v3 (/signup) and v7 (/download)
    assert home["exits"] == 4  # v1's second visit, v3, v4, v6-d
    daily = one(model, "SELECT visitors FROM page_visitors_daily WHERE domain_name = ? AND event_date = ? AND request_path = '/pricing'", SITE, D)
    assert daily["visitors"] == 1


def test_visitors_do_not_add_up_across_referrers(model):
    found = rows(model, "SELECT referrer_domain_name AS referrer, visits, visitors FROM referrers WHERE domain_name = ? AND event_date = ? ORDER BY referrer NULLS LAST", SITE, D)
    assert found == [
        {"referrer": "news.example", "visits": 1, "visitors": 1},
        {"referrer": "search.example", "visits": 1, "visitors": 1},
        {"referrer": None, "visits": 7, "visitors": 7},  # v1 again, v3, v4, v5-d, v6-d, v7, v8
    ]
    assert sum(r["visits"] for r in found) == DAY_D_VISITS
    assert sum(r["visitors"] for r in found) == 9  # one more than the day's 8 visitors: v1 twice


def test_campaigns_and_sources(model):
    campaign = one(model, "SELECT visits, bounce_rate, visit_duration_s FROM campaigns WHERE domain_name = ? AND utm_campaign = 'june'", SITE)
    assert campaign == {"visits": 1, "bounce_rate": 0.0, "visit_duration_s": 300.0}
    source = one(model, "SELECT visitors, pageviews FROM sources WHERE referrer_domain_name = 'news.example'")
    assert source == {"visitors": 1, "pageviews": 2}
    search = one(model, "SELECT channel, referrer_medium, visits, pageviews, bounces FROM sources WHERE referrer_source = 'Search Example'")
    assert search == {"channel": "Organic Search", "referrer_medium": "search", "visits": 1, "pageviews": 2, "bounces": 0}


def test_channels_come_from_each_visits_first_hit(model):
    found = rows(model, "SELECT channel, visits, visitors, bounces FROM channels WHERE domain_name = ? AND event_date = ? ORDER BY channel", SITE, D)
    # v1's first visit came by e-mail, v2 from a search; v1's second visit (its first hit
    # v1-c carries no tag) and the other six visits are direct. Bounces among the direct
    # ones: v1's second visit, v4 and v6-d (one page view each, no event).
    assert found == [
        {"channel": "Direct", "visits": 7, "visitors": 7, "bounces": 3},
        {"channel": "Email", "visits": 1, "visitors": 1, "bounces": 0},
        {"channel": "Organic Search", "visits": 1, "visitors": 1, "bounces": 0},
    ]
    assert sum(r["visits"] for r in found) == DAY_D_VISITS


def test_countries_locations_and_technology(model):
    countries = rows(model, "SELECT viewer_country_code AS code, pageviews, visitors FROM countries WHERE domain_name = ? AND event_date = ? ORDER BY code", SITE, D)
    assert countries == [{"code": "DE", "pageviews": 9, "visitors": 7}, {"code": "FR", "pageviews": 2, "visitors": 1}]
    edge = one(model, "SELECT sum(pageviews) AS pageviews FROM locations WHERE domain_name = ? AND event_date = ? AND edge_city = 'Frankfurt am Main'", SITE, D)
    assert edge["pageviews"] == 11
    tech = rows(model, "SELECT device_type, pageviews, visitors FROM technology WHERE domain_name = ? AND event_date = ? ORDER BY device_type", SITE, D)
    assert tech == [{"device_type": "Desktop", "pageviews": 9, "visitors": 7}, {"device_type": "Mobile", "pageviews": 2, "visitors": 1}]


def test_custom_events(model):
    found = rows(model, "SELECT event_name, events, visitors, conversion_rate FROM custom_events WHERE domain_name = ? AND event_date = ? ORDER BY event_name", SITE, D)
    assert found == [
        {"event_name": "download", "events": 1, "visitors": 1, "conversion_rate": pytest.approx(1 / 8)},
        {"event_name": "signup", "events": 2, "visitors": 2, "conversion_rate": pytest.approx(2 / 8)},
    ]
    data = rows(model, "SELECT page_view_id FROM custom_event_data ORDER BY page_view_id")
    assert [r["page_view_id"] for r in data] == ["v3-a", "v7-a", "v8-b"]


def test_hourly(model):
    found = rows(model, "SELECT hour, visitors, pageviews FROM hourly WHERE domain_name = ? AND event_date = ? AND hour IN (10, 15, 23) ORDER BY hour", SITE, D)
    assert found == [
        {"hour": 10, "visitors": 1, "pageviews": 3},  # v1
        {"hour": 15, "visitors": 1, "pageviews": 2},  # v8: the late event counts at 15:10
        {"hour": 23, "visitors": 2, "pageviews": 2},  # v5-d, v6-d
    ]


def test_stats_table_of_the_reference_design(model):
    day = one(model, "SELECT sum(page_view_cnt) AS pv, sum(bounces_cnt) AS bounces FROM stats WHERE domain_name = ? AND event_date = ?", SITE, D)
    assert day == {"pv": 11, "bounces": 3}  # every bounce of D starts with a page view
    v5 = one(model, "SELECT page_view_cnt, visitor_cnt, visit_duration_sec_avg FROM stats WHERE domain_name = ? AND event_date = ? AND event_hour = 23 AND visit_duration_sec_avg > 0", SITE, D)
    assert v5 == {"page_view_cnt": 2, "visitor_cnt": 2, "visit_duration_sec_avg": (2700 + 0) / 2}


def test_traffic_series_counts_back_from_the_newest_hit(model):
    # The newest hit is v5's at D1 00:35: the last 24 hours are D 01:00 to D1 00:59.
    found = rows(model, "SELECT period, domain_name, count(*) AS buckets, sum(pageviews) AS pageviews, sum(visitors) AS visitors FROM traffic_series GROUP BY period, domain_name ORDER BY period, domain_name")
    assert found == [
        {"period": "24h", "domain_name": OTHER, "buckets": 1, "pageviews": 1, "visitors": 1},
        # hours 10 11 12 13 14 15 of D with one visitor each, 23 with two, D1 00 with two
        {"period": "24h", "domain_name": SITE, "buckets": 8, "pageviews": 14, "visitors": 10},
        {"period": "30d", "domain_name": OTHER, "buckets": 2, "pageviews": 2, "visitors": 2},
        {"period": "30d", "domain_name": SITE, "buckets": 2, "pageviews": 14, "visitors": 10},
        {"period": "365d", "domain_name": OTHER, "buckets": 2, "pageviews": 2, "visitors": 2},
        {"period": "365d", "domain_name": SITE, "buckets": 2, "pageviews": 14, "visitors": 10},
        {"period": "7d", "domain_name": OTHER, "buckets": 1, "pageviews": 1, "visitors": 1},  # EARLY is 14 days back
        {"period": "7d", "domain_name": SITE, "buckets": 2, "pageviews": 14, "visitors": 10},
        {"period": "90d", "domain_name": OTHER, "buckets": 2, "pageviews": 2, "visitors": 2},
        {"period": "90d", "domain_name": SITE, "buckets": 2, "pageviews": 14, "visitors": 10},
    ]
