"""Regenerate edge-locations.tsv and countries.tsv from airportsdata and pycountry.

CloudFront's x-edge-location field (e.g. "HAM50-P2") starts with an IATA
airport code ("HAM"). This script writes one row per three-letter IATA code
that airportsdata knows -- every airport with an IATA code, plus the IATA
metropolitan-area codes (LON, NYC, TYO, ...) that are not also airport codes --
with city, state/region, country name, ISO country code, latitude and
longitude. Country names are pycountry's ISO 3166-1 names, preferring its
friendly common_name ("South Korea", "Taiwan") and a few friendlier names of
our own (FRIENDLY below). The hand-kept rows of overrides.tsv then replace
generated rows.

countries.tsv names every ISO 3166-1 alpha-2 code (plus XK, Kosovo) with the same
country names, for the viewer country of CloudFront's c-country field.

Both files are sorted by code, so reruns are byte-identical.

Run from the repository root, with the pinned versions:

    python3 -m pip install airportsdata==20260905 pycountry==26.2.16
    python3 edge-locations/build.py
    python3 edge-locations/check.py
"""
import sys
from importlib.metadata import version
from pathlib import Path

import airportsdata
import pycountry

PINS = {"airportsdata": "20260905", "pycountry": "26.2.16"}
HERE = Path(__file__).resolve().parent
COLUMNS = ["iata", "city", "state", "country", "country_code", "latitude", "longitude"]
COUNTRY_COLUMNS = ["code", "name"]
# Names pycountry lacks, or whose ISO form reads badly on a dashboard.
FRIENDLY = {
    "BN": "Brunei",
    "CD": "Democratic Republic of the Congo",
    "CG": "Republic of the Congo",
    "FK": "Falkland Islands",
    "FM": "Micronesia",
    "MF": "Saint Martin",
    "PS": "Palestine",
    "RU": "Russia",
    "SX": "Sint Maarten",
    "VA": "Vatican City",
    "VG": "British Virgin Islands",
    "VI": "U.S. Virgin Islands",
    "XK": "Kosovo",  # user-assigned code, not in ISO 3166-1
}


def country_name(code):
    if code in FRIENDLY:
        return FRIENDLY[code]
    c = pycountry.countries.get(alpha_2=code)
    if c is None:
        sys.exit(f"build.py: no country name for code {code!r}; add it to FRIENDLY")
    return getattr(c, "common_name", c.name)


def clean(value):
    """One line, no tabs, single spaces."""
    return " ".join(str(value).split())


def coord(x):
    """At most 4 decimals, no trailing zeros, never "-0"."""
    s = f"{float(x):.4f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def row(code, city, state, cc):
    return [code, clean(city), clean(state), country_name(cc), cc]


def generate():
    rows = {}
    airports = airportsdata.load("IATA")
    for code, a in airports.items():
        rows[code] = row(code, a["city"], a["subd"], a["country"]) + [coord(a["lat"]), coord(a["lon"])]
    for code, mac in airportsdata.load_iata_macs().items():
        members = list(mac["airports"].values())
        if code in rows or not members:
            continue
        states = {m["subd"] for m in members}
        state = states.pop() if len(states) == 1 else ""
        lat = sum(m["lat"] for m in members) / len(members)
        lon = sum(m["lon"] for m in members) / len(members)
        rows[code] = row(code, mac["name"], state, mac["country"]) + [coord(lat), coord(lon)]
    return rows


def overrides():
    lines = [l for l in (HERE / "overrides.tsv").read_text(encoding="utf-8").splitlines()
             if l.strip() and not l.startswith("#")]
    header = lines[0].split("\t")
    assert header[:7] == COLUMNS and header[7:] in ([], ["reason"]), f"bad header {header}"
    for n, line in enumerate(lines[1:], 2):
        f = line.split("\t")
        assert len(f) in (7, 8), f"overrides.tsv data row {n}: want 7 or 8 columns, got {len(f)}"
        code, city, state, country, cc, lat, lon = f[:7]
        assert len(code) == 3 and code.isalpha() and code.isupper(), f"bad code {code!r}"
        assert city.strip(), f"{code}: empty city"
        assert country == country_name(cc), f"{code}: country {country!r} != {country_name(cc)!r}"
        yield code, row(code, city, state, cc) + [coord(lat), coord(lon)]


def countries():
    """Every ISO 3166-1 alpha-2 code, plus the codes only FRIENDLY knows (XK)."""
    codes = {c.alpha_2 for c in pycountry.countries} | FRIENDLY.keys()
    return {code: [code, country_name(code)] for code in codes}


def write_tsv(name, columns, rows):
    """Writes a header line, then the rows sorted by key."""
    out = ["\t".join(columns)] + ["\t".join(rows[k]) for k in sorted(rows)]
    (HERE / name).write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} rows to {name}")


def main():
    for pkg, want in PINS.items():
        if version(pkg) != want:
            sys.exit(f"build.py: need {pkg}=={want}, found {version(pkg)}")
    rows = generate()
    rows.update(overrides())
    write_tsv("edge-locations.tsv", COLUMNS, rows)
    write_tsv("countries.tsv", COUNTRY_COLUMNS, countries())


if __name__ == "__main__":
    main()
