"""The terminal summary: per domain, the headline figures and the top tables."""

from report.figures import Domain, Table
from report.formatting import KPIS, cell

LABEL_WIDTH = 36


def table_lines(table: Table) -> list[str]:
    """A top table as aligned text lines (label left, numbers right)."""
    if not table.rows:
        return []
    label = table.columns[0]
    widths = [max(len(c), 11) for c in table.columns[1:]]
    header = f"    {label:<{LABEL_WIDTH - 2}}" + "".join(
        f"{c:>{w + 2}}" for c, w in zip(table.columns[1:], widths)
    )
    lines = [f"  {table.title}", header]
    for row in table.rows:
        text = str(row[0])
        text = text if len(text) <= LABEL_WIDTH - 2 else text[: LABEL_WIDTH - 3] + "…"
        numbers = "".join(
            f"{cell(c, v):>{w + 2}}" for c, v, w in zip(table.columns[1:], row[1:], widths)
        )
        lines.append(f"    {text:<{LABEL_WIDTH - 2}}{numbers}")
    return lines


def domain_lines(domain: Domain) -> list[str]:
    """The summary of one domain."""
    overview = domain.overview
    span = overview["first_date"]
    if overview["last_date"] != overview["first_date"]:
        span += f" to {overview['last_date']}"
    figures = " · ".join(f"{label} {fmt(overview[key])}" for key, label, fmt in KPIS)
    lines = [f"{domain.name}  ({span})", f"  {figures}"]
    for table in domain.tables.values():
        rows = table_lines(table)
        if rows:
            lines += [""] + rows
    return lines


def summary(domains: list[Domain]) -> str:
    """The whole terminal summary."""
    if not domains:
        return "No human hits in the data."
    blocks = ["\n".join(domain_lines(d)) for d in domains]
    note = (
        "Visitors over several days are visitor-days (ids rotate daily); "
        "visitors never add up across rows of a breakdown."
    )
    return "\n\n".join(blocks) + "\n\n" + note
