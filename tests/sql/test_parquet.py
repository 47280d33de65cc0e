"""`pixelstream replay --out` writes Parquet as Firehose's record format conversion does from
the Glue schema (Hive's types), with the same values as the NDJSON the Lambda hands Firehose.
"""

import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from report.model import SCHEMA_MD, events_source
from report.schema import PARTITION_COLUMNS, data_columns

REPO = Path(__file__).resolve().parents[2]
PIXELSTREAM = Path(os.environ.get("PIXELSTREAM_BIN", REPO / "target" / "debug" / "pixelstream"))
DOMAINS = "mydomain.tld,shop.example.com,blog.example.org"
INPUTS = [
    ("ownstats", "fixtures/lines/ownstats.tsv"),
    ("default", "fixtures/lines/default.tsv"),
    ("ownstats", "fixtures/bench/log-lines-n2000.tsv"),
]

# Hive's ParquetSerDe: Glue type -> (Parquet physical type, converted type).
HIVE_PARQUET = {
    "int": ("INT32", None),
    "bigint": ("INT64", None),
    "double": ("DOUBLE", None),
    "timestamp": ("INT96", None),
    "string": ("BYTE_ARRAY", "UTF8"),
}


def replay(out: Path, out_format: str) -> None:
    """The fixtures and bench lines replayed into out, with one fixed salt."""
    if not PIXELSTREAM.exists():
        pytest.fail(f"{PIXELSTREAM} not built: `cargo build --bin pixelstream` (make sql-test does)")
    for fields, path in INPUTS:
        subprocess.run(
            [str(PIXELSTREAM), "replay", "--fields", fields, "--domains", DOMAINS,
             "--out", str(out), "--out-format", out_format, str(REPO / path)],
            check=True, capture_output=True, env={**os.environ, "PIXELSTREAM_SALT": "test salt"},
        )


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> tuple[Path, Path]:
    """(Parquet output, NDJSON output) of the same lines."""
    parquet, ndjson = tmp_path_factory.mktemp("parquet"), tmp_path_factory.mktemp("ndjson")
    replay(parquet, "parquet")
    replay(ndjson, "ndjson")
    return parquet, ndjson


def test_files_have_the_hive_types_of_the_glue_schema(outputs):
    files = sorted(outputs[0].glob("domain_name=*/event_type=*/event_date=*/*.parquet"))
    assert len(files) >= 6
    con = duckdb.connect()
    expected_leaves, expected_lists = [], []
    for name, glue in data_columns(SCHEMA_MD):
        if name in PARTITION_COLUMNS:
            continue
        if glue == "array<string>":
            expected_lists.append(name)
            expected_leaves.append(("array_element", "BYTE_ARRAY", "UTF8", "OPTIONAL"))
        else:
            expected_leaves.append((name, *HIVE_PARQUET[glue], "OPTIONAL"))
    for path in files:
        schema = con.execute(
            "SELECT name, type, converted_type, repetition_type, num_children "
            "FROM parquet_schema(?)", [str(path)]).fetchall()
        leaves = [row[:4] for row in schema if row[4] in (None, 0)]
        assert leaves == expected_leaves, path
        groups = {row[0]: row for row in schema[1:] if row[4]}
        for name in expected_lists:
            # Hive's list: optional group NAME (LIST) { repeated group bag { array_element } }.
            assert groups[name][2:4] == ("LIST", "OPTIONAL"), path
            assert groups["bag"][3] == "REPEATED", path
        assert not set(PARTITION_COLUMNS) & {row[0] for row in schema}, "partition columns stay in folder names"


def test_every_parquet_value_equals_the_ndjson_value(outputs):
    con = duckdb.connect()
    parquet = con.execute(f"SELECT * FROM {events_source(outputs[0])} ORDER BY page_view_id, arrival_timestamp").fetchall()
    ndjson = con.execute(f"SELECT * FROM {events_source(outputs[1])} ORDER BY page_view_id, arrival_timestamp").fetchall()
    assert len(parquet) > 1900  # the bench lines and the fixtures, less drops and failures
    assert len(parquet) == len(ndjson)
    names = [d[0] for d in con.execute(f"SELECT * FROM {events_source(outputs[0])} LIMIT 0").description]
    ndjson_names = [d[0] for d in con.execute(f"SELECT * FROM {events_source(outputs[1])} LIMIT 0").description]
    assert sorted(names) == sorted(ndjson_names)
    order = [ndjson_names.index(n) for n in names]
    mismatches = [
        (name, p[i], n[order[i]])
        for p, n in zip(parquet, ndjson)
        for i, name in enumerate(names)
        if p[i] != n[order[i]]
    ]
    assert mismatches == []


def test_failures_stay_ndjson_under_the_error_prefix(outputs):
    failed = list((outputs[0] / "errors" / "processing-failed").glob("*.ndjson"))
    assert failed, "failures are written as Firehose writes them: JSON lines"
