"""Self-check for edge-locations.tsv and countries.tsv (standard library only).

Asserts the tables are well formed, that every prefix in the vendored POP lists
(POP_LISTS) resolves to a non-empty city and country, that HAM is Hamburg, Germany, DE,
that countries.tsv has one sorted row per two-letter code (DE is Germany), and
that every country of edge-locations.tsv is named as in countries.tsv.
Exits non-zero on any failure. Run after build.py:

    python3 edge-locations/check.py
"""
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS = ["iata", "city", "state", "country", "country_code", "latitude", "longitude"]
COUNTRY_COLUMNS = ["code", "name"]
# Vendored CloudFront POP lists: every code in them must resolve.
POP_LISTS = ["cloudfront-pops.txt", "cloudfront-pops-2015.txt"]


def check_countries(errors):
    """Reads countries.tsv into {code: name}, appending any problem to errors."""
    lines = (HERE / "countries.tsv").read_text(encoding="utf-8").splitlines()
    if lines[0].split("\t") != COUNTRY_COLUMNS:
        errors.append(f"countries.tsv: bad header: {lines[0]!r}")
    names = {}
    for n, line in enumerate(lines[1:], 2):
        f = line.split("\t")
        if len(f) != 2 or len(f[0]) != 2 or not f[0].isascii() or not f[0].isupper() or not f[1]:
            errors.append(f"countries.tsv line {n}: want an upper-case two-letter code and a name: {line!r}")
            continue
        if names and f[0] <= previous:
            errors.append(f"countries.tsv line {n}: {f[0]} is a duplicate or not after {previous}")
        names[f[0]] = f[1]
        previous = f[0]
    if names.get("DE") != "Germany":
        errors.append(f"countries.tsv: DE is not Germany: {names.get('DE')!r}")
    return names


def main():
    errors = []
    countries = check_countries(errors)
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
        if countries.get(row["country_code"]) != row["country"]:
            errors.append(f"line {n}: country {row['country']!r} is not countries.tsv's name for {row['country_code']}")
        table[row["iata"]] = row

    pops = [l.strip() for name in POP_LISTS
            for l in (HERE / name).read_text(encoding="utf-8").splitlines()
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
    print(f"{len(table)} codes, {len(pops)} CloudFront prefixes, {len(countries)} countries checked,"
          f" {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
