"""`python -m report` over replay-shaped output: the summary, Parquet input, and the page in
headless Chromium (it renders, its numbers are the views' numbers, the screenshot is not blank).
"""

import os
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from fixture_events import ROWS, SITE
from ndjson_out import write_ndjson
from report.__main__ import main
from report.model import connect_output

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREEN = (1200, 1600)


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory) -> Path:
    """The fixture written the way `pixelstream replay --out` writes NDJSON."""
    out = tmp_path_factory.mktemp("out")
    write_ndjson(ROWS, out)
    return out


def test_summary_prints_the_whole_range_per_domain(out_dir, capsys):
    assert main(["--out", str(out_dir)]) == 0
    printed = capsys.readouterr().out
    # site.test over D and D1: 8 + 2 visitor-days, 9 + 1 visits, 11 + 3 page views, 3 events,
    # bounces 3 + 1 of 10, durations 6000 s over 10 visits, 13 + 1 page views in visits.
    assert "site.test  (2025-06-14 to 2025-06-15)" in printed
    assert (
        "Visitors 10 · Visits 10 · Page views 14 · Events 3 · Bounce rate 40.0% · "
        "Visit duration 10m 00s · Views per visit 1.4"
    ) in printed
    assert "newsletter / email / june" in printed
    assert (out_dir / "report.html").is_file()


def test_an_empty_folder_is_an_error_not_a_crash(tmp_path, capsys):
    assert main(["--out", str(tmp_path)]) == 1
    assert "no *.parquet or *.ndjson" in capsys.readouterr().err


def test_parquet_output_gives_the_same_figures(out_dir, tmp_path):
    parquet_dir = tmp_path / "parquet"
    con = connect_output(out_dir)
    con.execute(
        f"COPY events TO '{parquet_dir}' "
        "(FORMAT parquet, PARTITION_BY (domain_name, event_type, event_date))"
    )
    query = "SELECT * FROM daily_overview ORDER BY domain_name, event_date"
    assert connect_output(parquet_dir).execute(query).fetchall() == con.execute(query).fetchall()


class ReportDom(HTMLParser):
    """Collects the figures shown on the page: KPI values and bar values, per domain."""

    def __init__(self):
        super().__init__()
        self.domain = self.table = self.label = self.metric = None
        self.capture = None
        self.kpis: dict[tuple[str, str], str] = {}
        self.bars: dict[tuple[str, str, str], str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and "data-domain" in a:
            self.domain = a["data-domain"]
        if "data-metric" in a:
            self.metric = a["data-metric"]
        if "data-table" in a:
            self.table = a["data-table"]
        if "data-label" in a:
            self.label = a["data-label"]
        cls = a.get("class", "")
        if cls == "value" and tag == "div" and self.metric:
            self.capture = ("kpi", (self.domain, self.metric))
        if cls == "value" and tag == "text" and self.label is not None:
            self.capture = ("bar", (self.domain, self.table, self.label))

    def handle_data(self, data):
        if self.capture:
            kind, key = self.capture
            (self.kpis if kind == "kpi" else self.bars)[key] = data.strip()
            self.capture = None
            if kind == "kpi":
                self.metric = None
            else:
                self.label = None


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    """Headless Chromium with a fresh profile and no background traffic."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} not found: `make tracker-deps` installs Debian's chromium")
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        f"--user-data-dir={profile}", "--hide-scrollbars",
    ]
    return subprocess.run(
        [CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=120, check=True
    )


@pytest.fixture(scope="module")
def rendered(out_dir, tmp_path_factory) -> ReportDom:
    """The report page as Chromium rendered it (its DOM after loading)."""
    main(["--out", str(out_dir)])
    page = (out_dir / "report.html").as_uri()
    dom = chromium("--dump-dom", page, profile=tmp_path_factory.mktemp("profile"))
    parsed = ReportDom()
    parsed.feed(dom.stdout)
    return parsed


def number(text: str) -> int:
    """A count as the page shows it ('1,234')."""
    return int(text.replace(",", ""))


def test_page_kpis_equal_the_view(rendered, out_dir):
    con = connect_output(out_dir)
    for domain, visitors, visits, pageviews, events, bounce_rate in con.execute(
        "SELECT domain_name, visitors, visits, pageviews, events, bounce_rate FROM domain_overview"
    ).fetchall():
        assert number(rendered.kpis[(domain, "visitors")]) == visitors
        assert number(rendered.kpis[(domain, "visits")]) == visits
        assert number(rendered.kpis[(domain, "pageviews")]) == pageviews
        assert number(rendered.kpis[(domain, "events")]) == events
        assert rendered.kpis[(domain, "bounce_rate")] == f"{bounce_rate * 100:.1f}%"


def test_page_bars_equal_the_views(rendered, out_dir):
    con = connect_output(out_dir)
    pages = con.execute(
        "SELECT request_path, sum(pageviews) FROM pages WHERE domain_name = ? AND pageviews > 0 "
        "GROUP BY request_path",
        [SITE],
    ).fetchall()
    shown = {label: v for (d, t, label), v in rendered.bars.items() if (d, t) == (SITE, "Top pages")}
    assert {path: number(shown[path]) for path, _ in pages} == dict(pages)
    countries = con.execute(
        "SELECT viewer_country, sum(visitors) FROM countries WHERE domain_name = ? "
        "GROUP BY viewer_country",
        [SITE],
    ).fetchall()
    for country, visitors in countries:
        assert number(rendered.bars[(SITE, "Top countries", country)]) == visitors


def png_size_and_pixels(png: bytes) -> tuple[tuple[int, int], bytes]:
    """(width, height) from the IHDR chunk, and the inflated image data of the IDAT chunks."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", png[16:24])
    offset, data = 8, b""
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        if kind == b"IDAT":
            data += png[offset + 8 : offset + 8 + length]
        offset += 12 + length
    return (width, height), zlib.decompress(data)


def test_screenshot_has_the_size_and_is_not_blank(out_dir, tmp_path):
    main(["--out", str(out_dir)])
    shot = tmp_path / "report.png"
    chromium(
        f"--window-size={SCREEN[0]},{SCREEN[1]}", f"--screenshot={shot}",
        (out_dir / "report.html").as_uri(), profile=tmp_path / "profile",
    )
    size, pixels = png_size_and_pixels(shot.read_bytes())
    assert size == SCREEN
    # A blank page is one colour: its filtered rows are (nearly) all zero bytes.
    assert sum(1 for b in pixels if b) > len(pixels) // 100
    assert len(set(pixels)) > 32


@pytest.mark.parametrize("view", ["hits", "sessions", "daily_overview", "pages", "stats"])
def test_the_reports_snapshots_equal_the_plain_views(model, out_dir, view):
    """The report computes hits and sessions once; every view must still give the rows the
    plain model gives over the same data (read back from NDJSON)."""
    query = f"SELECT * FROM {view} ORDER BY ALL"
    assert connect_output(out_dir).execute(query).fetchall() == model.execute(query).fetchall()
