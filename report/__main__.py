"""`python -m report [--out DIR]`: print the summary of DIR and write DIR/report.html."""

import argparse
import sys
from pathlib import Path

from report.figures import collect
from report.model import connect_output
from report.page import render
from report.terminal import summary


def main(argv: list[str] | None = None) -> int:
    """Run the report; 1 with a message when the output folder holds no data."""
    parser = argparse.ArgumentParser(prog="python -m report", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("out"), help="replay output folder")
    parser.add_argument("--html", type=Path, help="where to write the page (OUT/report.html)")
    args = parser.parse_args(argv)
    try:
        con = connect_output(args.out)
    except FileNotFoundError as error:
        print(f"report: {error}", file=sys.stderr)
        return 1
    domains = collect(con)
    print(summary(domains))
    html_path = args.html or args.out / "report.html"
    html_path.write_text(render(domains), encoding="utf-8")
    print(f"\nWrote {html_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
