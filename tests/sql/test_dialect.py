"""Every file of sql/ is one CREATE OR REPLACE VIEW in the DuckDB/Trino common subset."""

import pytest

from dialect import dialect_problems, view_statement
from report.model import sql_files

FILES = sql_files()


def test_the_model_has_files():
    assert len(FILES) >= 10


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_file_is_one_view_in_the_common_subset(path):
    sql = path.read_text(encoding="utf-8")
    assert dialect_problems(sql) == []
    view_statement(sql)


def test_view_names_are_unique_and_never_events():
    names = [view_statement(p.read_text(encoding="utf-8")).this.name for p in FILES]
    assert len(names) == len(set(names))
    assert "events" not in names


@pytest.mark.parametrize(
    "sql, problem",
    [
        ("SELECT a FROM t QUALIFY row_number() OVER (ORDER BY a) = 1", "not Trino"),
        ("SELECT a::double FROM t", "`::`"),
        ("SELECT a, count(*) FROM t GROUP BY ALL", "GROUP BY ALL"),
        ("SELECT strftime(a, '%Y') FROM t", "strftime"),
        ("SELECT date_format(a, '%Y') FROM t", "date_format"),
        ("SELECT approx_count_distinct(a) FROM t", "approx_count_distinct"),
        ("SELECT sum(a) / count(*) FROM t", "integer division"),
    ],
)
def test_guard_catches_duckdb_only_sql(sql, problem):
    assert any(problem in found for found in dialect_problems(sql)), dialect_problems(sql)


def test_guard_accepts_the_common_form():
    assert dialect_problems("SELECT cast(sum(a) AS double) / count(*) FROM t GROUP BY b") == []


@pytest.mark.parametrize(
    "sql", ["SELECT 1", "CREATE VIEW v AS SELECT 1", "CREATE OR REPLACE VIEW v AS SELECT 1; SELECT 2"]
)
def test_a_file_must_be_exactly_one_create_or_replace_view(sql):
    with pytest.raises(ValueError):
        view_statement(sql)
