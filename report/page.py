"""The self-contained HTML report: inline CSS and SVG charts, no script, no network."""

from html import escape

from report.figures import Domain, Table
from report.formatting import KPIS, cell, count

PAGEVIEW_COLOUR = "#4f46e5"
VISITOR_COLOUR = "#10b981"
BAR_COLOUR = "#e0e7ff"
MAX_DOTS = 60
"""Series longer than this are drawn as lines without a dot per bucket."""

STYLE = """
body { margin: 0; background: #f6f7fb; color: #1f2937;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 28px 24px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; }
.subtitle { color: #6b7280; margin: 0 0 28px; }
section.domain { margin-bottom: 44px; }
h2 { font-size: 20px; margin: 0 0 2px; }
.span { color: #6b7280; margin: 0 0 14px; }
.kpis { display: grid; grid-template-columns: repeat(7, 1fr); gap: 10px; margin-bottom: 16px; }
.kpi { background: #fff; border-radius: 10px; padding: 12px 14px; box-shadow: 0 1px 2px #0000000f; }
.kpi .label { color: #6b7280; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.kpi .value { font-size: 22px; font-weight: 650; margin-top: 2px; }
.card { background: #fff; border-radius: 10px; padding: 16px 18px; box-shadow: 0 1px 2px #0000000f; }
.card h3 { font-size: 15px; margin: 0 0 10px; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; margin-top: 16px; }
.legend span { display: inline-block; margin-right: 16px; font-size: 13px; color: #4b5563; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
svg text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; fill: #374151; }
svg .axis { fill: #9ca3af; }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th { text-align: left; color: #6b7280; font-weight: 500; border-bottom: 1px solid #e5e7eb; padding: 4px 0; }
td { padding: 4px 0; border-bottom: 1px solid #f3f4f6; }
th.num, td.num { text-align: right; }
.empty { color: #9ca3af; font-size: 13px; }
footer { color: #6b7280; font-size: 13px; margin-top: 8px; }
"""


def nice_step(value: float) -> int:
    """The smallest round whole number (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10^k) at or above
    value, at least 1: the step between the chart's grid lines."""
    scale = 1
    while True:
        for factor in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8):
            step = scale * factor
            if step == int(step) and step >= value:
                return int(step)
        scale *= 10


def line_chart(labels: list[str], series: list[tuple[str, str, list[int]]]) -> str:
    """An SVG line chart of several series (name, colour, values) over shared labels."""
    width, height, left, right, top, bottom = 960, 240, 44, 16, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = 4 * nice_step(max([v for _, _, values in series for v in values] + [1]) / 4)
    n = len(labels)

    def x(i: int) -> float:
        return left + (plot_w / 2 if n == 1 else plot_w * i / (n - 1))

    def y(v: float) -> float:
        return top + plot_h * (1 - v / peak)

    parts = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" class="line-chart">']
    for tick in range(5):
        value = peak * tick / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="#eef0f4"/><text class="axis" x="{left - 8}" y="{y(value) + 4:.1f}" '
            f'text-anchor="end">{count(value)}</text>'
        )
    every = max(1, -(-n // 8))
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(
                f'<text class="axis" x="{x(i):.1f}" y="{height - 8}" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    for name, colour, values in series:
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" '
            f'stroke-linejoin="round" points="{points}"><title>{escape(name)}</title></polyline>'
        )
        for i, v in enumerate(values if n <= MAX_DOTS else []):
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3.5" fill="{colour}">'
                f"<title>{escape(labels[i])}: {count(v)} {escape(name.lower())}</title></circle>"
            )
    parts.append("</svg>")
    return "".join(parts)


def bar_list(table: Table, value_index: int = 1) -> str:
    """A top table as horizontal SVG bars: label on the bar, the value at the right."""
    if not table.rows:
        return '<p class="empty">No data.</p>'
    width, row_h = 460, 30
    peak = max(row[value_index] or 0 for row in table.rows) or 1
    parts = [
        f'<svg viewBox="0 0 {width} {row_h * len(table.rows)}" width="100%" role="img" '
        f'class="bars" data-table="{escape(table.title)}">'
    ]
    for i, row in enumerate(table.rows):
        label, value = str(row[0]), row[value_index]
        bar_w = max(2.0, (width - 70) * (value or 0) / peak)
        shown = label if len(label) <= 48 else label[:47] + "…"
        parts.append(
            f'<g class="bar" data-label="{escape(label)}" transform="translate(0 {i * row_h})">'
            f'<rect x="0" y="3" width="{bar_w:.1f}" height="{row_h - 6}" rx="4" fill="{BAR_COLOUR}"/>'
            f'<text x="8" y="{row_h / 2 + 4}">{escape(shown)}<title>{escape(label)}</title></text>'
            f'<text class="value" x="{width - 4}" y="{row_h / 2 + 4}" text-anchor="end">'
            f"{count(value)}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def html_table(table: Table) -> str:
    """A top table as an HTML table."""
    if not table.rows:
        return '<p class="empty">No data.</p>'
    head = "".join(
        f'<th{" class=num" if i else ""}>{escape(c)}</th>' for i, c in enumerate(table.columns)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td{" class=num" if i else ""}>{escape(cell(c, v))}</td>'
            for i, (c, v) in enumerate(zip(table.columns, row))
        )
        + "</tr>"
        for row in table.rows
    )
    return f'<table data-table="{escape(table.title)}"><tr>{head}</tr>{body}</table>'


def card(title: str, body: str, extra: str = "") -> str:
    """A white card with a heading."""
    return f'<div class="card"><h3>{escape(title)}</h3>{extra}{body}</div>'


def domain_section(domain: Domain) -> str:
    """The report for one domain."""
    o = domain.overview
    span = o["first_date"] + ("" if o["last_date"] == o["first_date"] else f" to {o['last_date']}")
    kpis = "".join(
        f'<div class="kpi" data-metric="{key}"><div class="label">{label}</div>'
        f'<div class="value">{fmt(o[key])}</div></div>'
        for key, label, fmt in KPIS
    )
    labels = [str(point["bucket"]) for point in domain.series]
    chart = line_chart(
        labels,
        [
            ("Page views", PAGEVIEW_COLOUR, [p["pageviews"] for p in domain.series]),
            ("Visitors", VISITOR_COLOUR, [p["visitors"] for p in domain.series]),
        ],
    )
    legend = (
        f'<div class="legend"><span><i style="background:{PAGEVIEW_COLOUR}"></i>Page views</span>'
        f'<span><i style="background:{VISITOR_COLOUR}"></i>Visitors</span></div>'
    )
    t = domain.tables
    grid = "".join(
        [
            card(t["pages"].title + " · page views", bar_list(t["pages"])),
            card(t["sources"].title + " · visits", bar_list(t["sources"])),
            card(t["channels"].title + " · visits", bar_list(t["channels"])),
            card(t["countries"].title + " · visitors", bar_list(t["countries"])),
            card(t["devices"].title + " · visitors", bar_list(t["devices"])),
            card(t["campaigns"].title, html_table(t["campaigns"])),
            card(t["events"].title, html_table(t["events"])),
        ]
    )
    return (
        f'<section class="domain" data-domain="{escape(domain.name)}">'
        f'<h2>{escape(domain.name)}</h2><p class="span">{escape(span)}</p>'
        f'<div class="kpis">{kpis}</div>'
        + card(f"Visitors and page views per {domain.series_unit}, most recent days", chart, legend)
        + f'<div class="grid">{grid}</div></section>'
    )


def render(domains: list[Domain]) -> str:
    """The whole report page."""
    sections = "".join(domain_section(d) for d in domains) or '<p class="empty">No human hits in the data.</p>'
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>pixelstream report</title><style>{STYLE}</style></head><body><main>"
        "<h1>pixelstream report</h1>"
        '<p class="subtitle">Human hits only; visits end after 30 minutes without a hit.</p>'
        f"{sections}"
        "<footer>Visitor ids rotate every UTC day, so visitors over several days are "
        "visitor-days, and visitors never add up across the rows of a breakdown.</footer>"
        "</main></body></html>\n"
    )
