"""How numbers read in the terminal and on the page."""


def count(value) -> str:
    """An integer with thousands separators; '–' for none."""
    return "–" if value is None else f"{int(value):,}"


def percent(fraction) -> str:
    """A fraction 0..1 as a percentage with one decimal; '–' for none."""
    return "–" if fraction is None else f"{fraction * 100:.1f}%"


def duration(seconds) -> str:
    """Seconds as '1h 02m', '3m 05s' or '42s'; '–' for none."""
    if seconds is None:
        return "–"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def ratio(value) -> str:
    """A ratio with one decimal; '–' for none."""
    return "–" if value is None else f"{value:.1f}"


def cell(column: str, value) -> str:
    """A table cell: rates as percentages, other numbers as counts, text as is."""
    if isinstance(value, str):
        return value
    if column in ("Bounce rate", "Conversion"):
        return percent(value)
    return count(value)


KPIS = [
    ("visitors", "Visitors", count),
    ("visits", "Visits", count),
    ("pageviews", "Page views", count),
    ("events", "Events", count),
    ("bounce_rate", "Bounce rate", percent),
    ("visit_duration_s", "Visit duration", duration),
    ("views_per_visit", "Views per visit", ratio),
]
"""The headline figures: (domain_overview column, label, formatter)."""
