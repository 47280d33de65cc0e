"""Seeds the fuzz corpora (fuzz/corpus/<target>/) from fixtures/: one file per input.

line            every fixture line and every 10th bench line
firehose_event  the fixture events and the bench event cut into events of 2 records, plus a
                few runs of raw lines (the target turns non-JSON input into one record a line)
decode          the tracker queries, user agents and referers of the fixture lines, behind a
                truncation bound byte
ndjson          the fixture lines' columns, and the expected records' JSON lines

Run from the repository root (`make fuzz` does). Existing corpus files are kept, so a grown
corpus survives reseeding.
"""

import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CORPUS = ROOT / "fuzz" / "corpus"
RECORDS_PER_EVENT = 2
BENCH_EVENTS = 100


def write(target, name, data):
    """Writes one seed file."""
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def lines(path):
    """The non-empty lines of a TSV file, each with its newline."""
    return [line + b"\n" for line in path.read_bytes().split(b"\n") if line]


def fixture_lines():
    """(name, line) for every fixture line and every 10th bench line."""
    for path in sorted((FIXTURES / "lines").glob("*.tsv")):
        for i, line in enumerate(lines(path), 1):
            yield f"{path.stem}-{i:03}", line
    bench = lines(FIXTURES / "bench" / "log-lines-n2000.tsv")
    for i in range(0, len(bench), 10):
        yield f"bench-{i:04}", bench[i]


def read_event(path):
    """A Firehose event file, or Firehose's NDJSON of failed records (`rawData`) as one."""
    text = path.read_bytes()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        failed = [json.loads(line) for line in text.splitlines() if line.strip()]
        records = [
            {"recordId": f"{n:056}", "data": f["rawData"]}
            for n, f in enumerate(failed)
            if "rawData" in f
        ]
        return {"invocationId": path.stem, "records": records}


def events(path, limit=None):
    """(name, event JSON) for `path` cut into events of a few records each."""
    event = read_event(path)
    records = event.pop("records")
    chunks = range(0, len(records), RECORDS_PER_EVENT)
    for n, start in enumerate(list(chunks)[:limit]):
        part = dict(event, records=records[start : start + RECORDS_PER_EVENT])
        yield f"{path.stem}-{n:03}", json.dumps(part).encode()


def seed_line(all_lines):
    for name, line in all_lines:
        write("line", name, line)


def seed_firehose_event(all_lines):
    for path in sorted((FIXTURES / "firehose").glob("*.json")):
        for name, event in events(path):
            write("firehose_event", name, event)
    bench = FIXTURES / "bench" / "firehose-event-n2000.json"
    for name, event in events(bench, BENCH_EVENTS):
        write("firehose_event", name, event)
    raw = [line for _, line in all_lines]
    for start in range(0, min(len(raw), 40), RECORDS_PER_EVENT):
        write("firehose_event", f"lines-{start:03}", b"".join(raw[start : start + RECORDS_PER_EVENT]))


def columns(all_lines):
    """Distinct column values of the fixture lines (the bench lines add little)."""
    seen = set()
    for name, line in all_lines:
        if name.startswith("bench"):
            continue
        for value in line.rstrip(b"\n").split(b"\t"):
            if len(value) > 2 and value not in seen:
                seen.add(value)
                yield value


def seed_decode(values):
    for n, value in enumerate(values):
        write("decode", f"column-{n:03}", bytes([n % 256]) + value)


def seed_ndjson(values):
    for n, value in enumerate(values):
        write("ndjson", f"column-{n:03}", value)
    for path in sorted((FIXTURES / "expected").glob("*.jsonl")):
        for i, line in enumerate(lines(path), 1):
            write("ndjson", f"{path.stem}-{i:03}", line)


def main():
    all_lines = list(fixture_lines())
    values = list(columns(all_lines))
    seed_line(all_lines)
    seed_firehose_event(all_lines)
    seed_decode(values)
    seed_ndjson(values)
    for target in sorted(p.name for p in CORPUS.iterdir()):
        count = sum(1 for _ in (CORPUS / target).iterdir())
        print(f"fuzz/corpus/{target}: {count} inputs")


if __name__ == "__main__":
    main()
