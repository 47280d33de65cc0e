"""Connect DuckDB to replayed output as the `events` relation and apply the SQL model."""

from pathlib import Path

import duckdb

from report.schema import PARTITION_COLUMNS, duckdb_columns

REPO = Path(__file__).resolve().parent.parent
SQL_DIR = REPO / "sql"
SCHEMA_MD = REPO / "docs" / "schema.md"
PARTITION_GLOB = "domain_name=*/event_type=*/event_date=*"


def sql_files(sql_dir: Path = SQL_DIR) -> list[Path]:
    """The model's files in the order they are applied (lexical)."""
    return sorted(sql_dir.glob("*.sql"))


MATERIALISED = ("hits", "sessions")
"""The views every other view reads: the report computes each once, as a table."""


def view_name(path: Path) -> str:
    """The view a model file creates, from its name (`021_sessions.sql` -> `sessions`)."""
    return path.stem.split("_", 1)[1]


def apply_model(
    con: duckdb.DuckDBPyConnection, sql_dir: Path = SQL_DIR, materialise: tuple = ()
) -> None:
    """Create every view of the model, file by file, over the existing `events` relation.

    A view named in materialise is computed once into a table right after it is created,
    and the view then reads that table: the same rows, without recomputing them for every
    query (fine for a snapshot of the data, as the report takes)."""
    for path in sql_files(sql_dir):
        try:
            con.execute(path.read_text(encoding="utf-8"))
        except duckdb.Error as error:
            raise RuntimeError(f"{path.name}: {error}") from error
        name = view_name(path)
        if name in materialise:
            con.execute(f"CREATE TABLE {name}_snapshot AS SELECT * FROM {name}")
            con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM {name}_snapshot")


def sql_string(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def struct_literal(columns: dict[str, str]) -> str:
    """A DuckDB struct literal {'name': 'TYPE', ...}."""
    return "{" + ", ".join(f"{sql_string(k)}: {sql_string(v)}" for k, v in columns.items()) + "}"


def events_source(out_dir: Path, schema_md: Path = SCHEMA_MD) -> str:
    """A DuckDB table expression reading the output under out_dir as the Glue table would.

    Parquet files are read when there are any, else NDJSON with the Glue types; the
    partition columns come from the Hive folder names, as strings."""
    hive_types = struct_literal({name: "VARCHAR" for name in PARTITION_COLUMNS})
    parquet = sorted(out_dir.glob(f"{PARTITION_GLOB}/*.parquet"))
    if parquet:
        glob = sql_string(str(out_dir / PARTITION_GLOB / "*.parquet"))
        return f"read_parquet({glob}, hive_partitioning = true, hive_types = {hive_types})"
    if not sorted(out_dir.glob(f"{PARTITION_GLOB}/*.ndjson")):
        raise FileNotFoundError(f"{out_dir}: no *.parquet or *.ndjson under {PARTITION_GLOB}/")
    data = {k: v for k, v in duckdb_columns(schema_md).items() if k not in PARTITION_COLUMNS}
    glob = sql_string(str(out_dir / PARTITION_GLOB / "*.ndjson"))
    return (
        f"read_json({glob}, format = 'newline_delimited', columns = {struct_literal(data)}, "
        f"timestampformat = '%Y-%m-%d %H:%M:%S.%g', hive_partitioning = true, "
        f"hive_types = {hive_types})"
    )


def connect_output(out_dir: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with `events` loaded from out_dir and the model applied, its
    base views (MATERIALISED) computed once."""
    con = duckdb.connect()
    con.execute(f"CREATE VIEW events AS SELECT * FROM {events_source(out_dir)}")
    apply_model(con, materialise=MATERIALISED)
    return con
