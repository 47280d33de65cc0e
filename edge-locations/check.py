"""Self-check for edge-locations.tsv (standard library only).

Asserts the table is well formed, that every prefix in cloudfront-pops.txt
resolves to a non-empty city and country, and that HAM is Hamburg, Germany, DE.
Exits non-zero on any failure. Run after build.py:

    python3 edge-locations/check.py
"""
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS = ["iata", "city", "state", "country", "country_code", "latitude", "longitude"]


def main():
    errors = []
    lines = (HERE / "edge-locations.tsv").read_text(encoding="utf-8").splitlines()
    if lines[0].split("\t") != COLUMNS:
        errors.append(f"bad header: {lines[0]!r}")
    table = {}
    for n, line in enumerate(lines[1:], 2):
        f = line.split("\t")
        if len(f) != len(COLUMNS):
            errors.append(f"line {n}: {len(f)} columns")
            continue
        row = dict(zip(COLUMNS, f))
        if row["iata"] in table:
            errors.append(f"line {n}: duplicate code {row['iata']}")
        for key in ("latitude", "longitude"):
            if len(row[key].partition(".")[2]) > 4:
                errors.append(f"line {n}: {key} has more than 4 decimals")
        table[row["iata"]] = row

    pops = [l.strip() for l in (HERE / "cloudfront-pops.txt").read_text(encoding="utf-8").splitlines()
            if l.strip() and not l.startswith("#")]
    for code in pops:
        row = table.get(code)
        if row is None or not row["city"] or not row["country"] or not row["country_code"]:
            errors.append(f"CloudFront prefix {code} does not resolve to a city and country: {row}")

    ham = table.get("HAM", {})
    if (ham.get("city"), ham.get("country"), ham.get("country_code")) != ("Hamburg", "Germany", "DE"):
        errors.append(f"HAM is not Hamburg, Germany, DE: {ham}")

    for e in errors:
        print("check.py:", e, file=sys.stderr)
    print(f"{len(table)} codes, {len(pops)} CloudFront prefixes checked, {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
