"""Shared fixtures: the hand-written events table in DuckDB with the model applied."""

import duckdb
import pytest

from report.model import SCHEMA_MD, apply_model
from report.schema import duckdb_columns
from fixture_events import ROWS


def create_events_table(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> None:
    """`events` with the Glue table's columns and types, filled with rows."""
    columns = duckdb_columns(SCHEMA_MD)
    con.execute(
        "CREATE TABLE events (" + ", ".join(f"{n} {t}" for n, t in columns.items()) + ")"
    )
    for row in rows:
        unknown = set(row) - set(columns)
        if unknown:
            raise KeyError(f"fixture row {row.get('page_view_id')}: unknown columns {unknown}")
        names = list(row)
        con.execute(
            f"INSERT INTO events ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
            [row[n] for n in names],
        )


@pytest.fixture(scope="session")
def model() -> duckdb.DuckDBPyConnection:
    """A DuckDB connection over the fixture with every view of sql/ created."""
    con = duckdb.connect()
    create_events_table(con, ROWS)
    apply_model(con)
    return con


def pytest_sessionfinish(session, exitstatus):
    """No test collected is a failure (exit 1), never pytest's separate 'no tests' code 5."""
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
