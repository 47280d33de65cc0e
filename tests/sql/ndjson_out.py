"""Write fixture rows as `pixelstream replay --out` does: Hive folders of NDJSON files."""

import json
from datetime import datetime
from pathlib import Path

from report.schema import PARTITION_COLUMNS


def json_value(value):
    """A column value as the replay writes it (timestamps as yyyy-MM-dd HH:mm:ss.SSS)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.") + f"{value.microsecond // 1000:03d}"
    return value


def write_ndjson(rows: list[dict], out_dir: Path) -> None:
    """One part file per partition; null columns and partition columns left out of the data."""
    for row in rows:
        folder = out_dir.joinpath(*(f"{key}={row[key]}" for key in PARTITION_COLUMNS))
        folder.mkdir(parents=True, exist_ok=True)
        data = {
            k: json_value(v) for k, v in row.items() if v is not None and k not in PARTITION_COLUMNS
        }
        with open(folder / "part-fixture.ndjson", "a", encoding="utf-8") as part:
            part.write(json.dumps(data) + "\n")
