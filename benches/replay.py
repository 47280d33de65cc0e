"""Whole-process benchmarks of the release CLI on the shared bench lines (stdlib only).

    python3 benches/replay.py [--bin target/release/pixelstream] [--runs 5] [--big]

Replays 100,000 lines (the 2,000 bench lines 50 times) to `--out` as Parquet and as NDJSON
and to standard output (`--format tsv`), times the bench Firehose event from process start to
its response, and with --big replays a 1 GB input to `--out`. Prints the median wall time,
lines/s and peak RSS per case. `make bench` runs it after the in-process benchmarks.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH_LINES = REPO / "fixtures" / "bench" / "log-lines-n2000.tsv"
BENCH_EVENT = REPO / "fixtures" / "bench" / "firehose-event-n2000.json"
WORK = REPO / "target" / "bench"
DOMAINS = "*"


def repeated_input(copies: int, name: str) -> tuple[Path, int]:
    """The bench lines `copies` times, written once under target/bench/; (path, lines)."""
    block = BENCH_LINES.read_bytes()
    if not block.endswith(b"\n"):
        block += b"\n"
    lines = block.count(b"\n") * copies
    path = WORK / name
    if not path.exists() or path.stat().st_size != len(block) * copies:
        WORK.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as out:
            for _ in range(copies):
                out.write(block)
    return path, lines


def run_once(command: list[str]) -> tuple[float, int]:
    """(wall seconds, peak RSS in KiB) of one run; the output goes to /dev/null."""
    with open(os.devnull, "wb") as devnull:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=devnull, stderr=devnull, cwd=REPO,
                                   env={**os.environ, "PIXELSTREAM_SALT": "bench salt"})
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(command)}")
    return elapsed, usage.ru_maxrss


def measure(label: str, command: list[str], runs: int, lines: int, before=None) -> None:
    """Runs a case `runs` times and prints its median and fastest time, rate and peak RSS."""
    times, peaks = [], []
    for _ in range(runs):
        if before:
            before()
        elapsed, peak = run_once(command)
        times.append(elapsed)
        peaks.append(peak)
    median = statistics.median(times)
    print(f"{label:<34} median {median * 1000:8.1f} ms  fastest {min(times) * 1000:8.1f} ms  "
          f"{lines / median:>10,.0f} lines/s  peak RSS {max(peaks) / 1024:6.1f} MiB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=str(REPO / "target" / "release" / "pixelstream"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--big", action="store_true", help="also replay a 1 GB input")
    args = parser.parse_args()
    binary = args.bin
    lines_100k, count = repeated_input(50, "lines-100k.tsv")
    out = Path(tempfile.mkdtemp(prefix="pixelstream-bench-"))
    clear = lambda: shutil.rmtree(out, ignore_errors=True)  # noqa: E731
    replay = [binary, "replay", "--fields", "ownstats", "--domains", DOMAINS]
    print(f"{os.cpu_count()} cores; {count:,} lines ({lines_100k.stat().st_size / 1e6:.0f} MB)")
    measure("replay --out (parquet)", replay + ["--out", str(out), str(lines_100k)],
            args.runs, count, clear)
    measure("replay --out --out-format ndjson", replay + ["--out", str(out), "--out-format",
            "ndjson", str(lines_100k)], args.runs, count, clear)
    measure("replay --format tsv (stdout)", replay + [str(lines_100k)], args.runs, count)
    measure("first 2,000-record response", replay + ["--format", "firehose", str(BENCH_EVENT)],
            max(args.runs, 11), 2000)
    clear()
    subprocess.run(replay + ["--out", str(out), str(lines_100k)], check=True,
                   capture_output=True, env={**os.environ, "PIXELSTREAM_SALT": "bench salt"})
    report = [sys.executable, "-m", "report", "--out", str(out)]
    venv_python = REPO / ".venv" / "bin" / "python"
    if venv_python.exists():
        report[0] = str(venv_python)
        measure("report over the 100,000 (parquet)", report, 3, count)
    if args.big:
        big, big_count = repeated_input(450, "lines-1g.tsv")
        print(f"big input: {big_count:,} lines ({big.stat().st_size / 1e9:.2f} GB)")
        measure("replay --out 1 GB (parquet)", replay + ["--out", str(out), str(big)], 1,
                big_count, clear)
    clear()
    return 0


if __name__ == "__main__":
    sys.exit(main())
