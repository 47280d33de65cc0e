"""The Glue table's columns, read from docs/schema.md (generated from src/record.rs)."""

from pathlib import Path

PARTITION_COLUMNS = ("domain_name", "event_type", "event_date")
"""Hive partition columns: in the S3 keys, not inside the files; strings in Glue."""

GLUE_TO_DUCKDB = {
    "string": "VARCHAR",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "double": "DOUBLE",
    "float": "FLOAT",
    "boolean": "BOOLEAN",
    "timestamp": "TIMESTAMP",
    "array<string>": "VARCHAR[]",
}


def data_columns(schema_md: Path) -> list[tuple[str, str]]:
    """(name, Glue type) of each data column, in the order of the schema table."""
    columns = []
    for line in schema_md.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0].startswith("`") and cells[0].endswith("`"):
            columns.append((cells[0].strip("`"), cells[1]))
    if not columns:
        raise ValueError(f"{schema_md}: no column table found")
    return columns


def duckdb_type(name: str, glue_type: str) -> str:
    """The DuckDB type that matches a Glue column type."""
    try:
        return GLUE_TO_DUCKDB[glue_type]
    except KeyError:
        raise ValueError(f"column {name}: Glue type {glue_type!r} has no DuckDB mapping") from None


def duckdb_columns(schema_md: Path) -> dict[str, str]:
    """Every column of the `events` relation (data, then partition) with its DuckDB type."""
    columns = {name: duckdb_type(name, glue) for name, glue in data_columns(schema_md)}
    columns.update({name: "VARCHAR" for name in PARTITION_COLUMNS})
    return columns
