"""Soak of the real Lambda binary: 1,000 invocations of the bench batch (stdlib only).

    make soak
    python3 benches/soak.py [--build] [--bin target/release/pixelstream-lambda]
                            [--invocations 1000] [--max-growth-mib 8] [--restamp]

Starts a stand-in Lambda Runtime API and a stand-in SSM on loopback, runs the release
`pixelstream-lambda` (transformation mode, `ownstats` fields, the bench batch's domains) in a
clean environment, and serves it `fixtures/bench/firehose-event-n2000.json` (2,000 records)
`--invocations` times, one after the other. Every response is checked against the Firehose
contract: one answer per recordId in order, a known result, base64 `data`, for `Ok` one JSON
object and one newline, at most 6 MiB. The Lambda's resident memory (VmRSS) is read as each
answer arrives, before the next event is handed out.

Prints the RSS at invocations 1, 10, 100, 500 and N, the growth from invocation 10 to N, the
RSS over each tenth of the run (one reading swings by several MiB with the allocator's
purging; the tenths show whether there is a trend), wall time and invocations/s, and the
result counts of one response. Exits non-zero on an error answer, an init error, a contract
violation, or when memory grows by more than --max-growth-mib (memory must stay flat): the
median RSS of the last tenth of the run against that of the second tenth (for 100 or more
invocations; below that, RSS at N against RSS at 10), since one reading swings by up to
20 MiB with the allocator's purging. A soak script, not a timed test: `make test` does not
run it.

The bench batch is from 2025-06-14/15 and the Lambda fetches salts for today and yesterday
only, so its keyed ids come out null; --restamp moves every record forward by whole days
(yesterday and today, UTC) so that the keyed-id path runs as it does in production.
"""

import argparse
import base64
import binascii
import collections
import datetime
import hashlib
import http.server
import json
import math
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "fixtures" / "bench"
EVENT_PATH = BENCH / "firehose-event-n2000.json"
MANIFEST_PATH = BENCH / "manifest-n2000.json"
DEFAULT_BINARY = "target/release/pixelstream-lambda"
BUILD_COMMAND = ["build", "--release", "--locked", "--no-default-features",
                 "--bin", "pixelstream-lambda"]

RUNTIME_PREFIX = "/2018-06-01/runtime"
FUNCTION_ARN = "arn:aws:lambda:eu-central-1:123456789012:function:pixelstream-soak"
SALT_PREFIX = "/pixelstream/soak/salts"
RESPONSE_LIMIT_BYTES = 6 * 1024 * 1024
RESULTS = ("Ok", "Dropped", "ProcessingFailed")
SAMPLE_POINTS = (1, 10, 100, 500)
ID_PLACEHOLDER = "@@SOAK-INVOCATION-ID@@"
AMZ_JSON = "application/x-amz-json-1.1"


class ContractViolation(Exception):
    """A response that breaks the Firehose transformation contract."""


# --- the event --------------------------------------------------------------------------------

@dataclass
class Event:
    """The bench event, serialised once around its invocationId so each invocation gets its own."""
    head: bytes
    tail: bytes
    record_ids: list[str]

    def body_length(self, invocation_id: str) -> int:
        """Bytes of the event with `invocation_id`."""
        return len(self.head) + len(invocation_id.encode()) + len(self.tail)


def restamp_record(record: dict, shift_days: int) -> None:
    """Moves one record's log timestamp, tracker `ts=` and arrival time forward by whole days."""
    shift_s = shift_days * 86_400
    line = base64.b64decode(record["data"])
    stamp, tab, rest = line.partition(b"\t")
    seconds, dot, millis = stamp.partition(b".")
    if tab and seconds.isdigit():
        stamp = str(int(seconds) + shift_s).encode() + dot + millis
    rest = re.sub(rb"([?&]ts=)(\d{13})\b",
                  lambda m: m.group(1) + str(int(m.group(2)) + shift_s * 1000).encode(), rest)
    record["data"] = base64.b64encode(stamp + tab + rest).decode()
    for holder in (record, record.get("kinesisRecordMetadata") or {}):
        if isinstance(holder.get("approximateArrivalTimestamp"), int):
            holder["approximateArrivalTimestamp"] += shift_s * 1000


def days_to_today() -> int:
    """Whole days from the bench batch's last day (the manifest's) to today, UTC."""
    last_day = max(json.loads(MANIFEST_PATH.read_text())["days"])
    today = datetime.datetime.now(datetime.timezone.utc).date()
    return (today - datetime.date.fromisoformat(last_day)).days


def load_event(restamp: bool) -> Event:
    """Reads the bench event once; with `restamp`, its two days become yesterday and today."""
    event = json.loads(EVENT_PATH.read_bytes())
    if restamp:
        shift_days = days_to_today()
        for record in event["records"]:
            restamp_record(record, shift_days)
    record_ids = [record["recordId"] for record in event["records"]]
    event["invocationId"] = ID_PLACEHOLDER
    head, tail = json.dumps(event, separators=(",", ":")).split(ID_PLACEHOLDER)
    return Event(head.encode(), tail.encode(), record_ids)


def bench_domains() -> str:
    """The bench batch's domains, comma-separated (the Lambda refuses `*`)."""
    manifest = json.loads(MANIFEST_PATH.read_text())
    return ",".join(domain["domainName"] for domain in manifest["domains"])


# --- the contract -----------------------------------------------------------------------------

def check_ok_data(record_id: str, decoded: bytes) -> None:
    """An `Ok` record's data: one JSON object, then exactly one newline."""
    if not decoded.endswith(b"\n"):
        raise ContractViolation(f"record {record_id}: Ok data does not end with a newline")
    text = decoded[:-1]
    if b"\n" in text:
        raise ContractViolation(f"record {record_id}: Ok data has more than one newline")
    try:
        text = text.decode("utf-8")
        value, end = json.JSONDecoder().raw_decode(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ContractViolation(f"record {record_id}: Ok data is not JSON: {err}") from None
    if end != len(text) or not isinstance(value, dict):
        raise ContractViolation(f"record {record_id}: Ok data is not exactly one JSON object")


def check_response(body: bytes, record_ids: list[str]) -> collections.Counter:
    """Checks one response against the contract; the count of each result."""
    if len(body) > RESPONSE_LIMIT_BYTES:
        raise ContractViolation(f"response of {len(body):,} bytes is over 6 MiB")
    try:
        response = json.loads(body)
    except ValueError as err:
        raise ContractViolation(f"response is not JSON: {err}") from None
    records = response.get("records") if isinstance(response, dict) else None
    if not isinstance(records, list):
        raise ContractViolation("response has no records array")
    if len(records) != len(record_ids):
        raise ContractViolation(f"{len(records)} answers for {len(record_ids)} records")
    counts = collections.Counter()
    for expected_id, record in zip(record_ids, records):
        if not isinstance(record, dict) or record.get("recordId") != expected_id:
            got = record.get("recordId") if isinstance(record, dict) else record
            raise ContractViolation(f"expected recordId {expected_id}, got {got!r} (order)")
        result = record.get("result")
        if result not in RESULTS:
            raise ContractViolation(f"record {expected_id}: result {result!r}")
        data = record.get("data")
        if not isinstance(data, str):
            raise ContractViolation(f"record {expected_id}: no data string")
        try:
            decoded = base64.b64decode(data, validate=True)
        except binascii.Error as err:
            raise ContractViolation(f"record {expected_id}: data is not base64: {err}") from None
        if result == "Ok":
            check_ok_data(expected_id, decoded)
        counts[result] += 1
    return counts


# --- the Lambda process -----------------------------------------------------------------------

def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process from /proc, in KiB."""
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0])
    return values


def lambda_environment(runtime_address: str, ssm_address: str) -> dict[str, str]:
    """The Lambda's whole environment: Lambda's own variables, pixelstream's, AWS's, PATH."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_LAMBDA_RUNTIME_API": runtime_address,
        "AWS_LAMBDA_FUNCTION_NAME": "pixelstream-soak",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1769",
        "AWS_LAMBDA_FUNCTION_VERSION": "1",
        "PIXELSTREAM_FIELDS": "ownstats",
        "PIXELSTREAM_SALT_PREFIX": SALT_PREFIX,
        "PIXELSTREAM_ALLOWED_DOMAINS": bench_domains(),
        "AWS_REGION": "eu-central-1",
        "AWS_ACCESS_KEY_ID": "soak",
        "AWS_SECRET_ACCESS_KEY": "soak",
        "AWS_ENDPOINT_URL_SSM": f"http://{ssm_address}",
    }


def stop_process(process: subprocess.Popen) -> None:
    """Ends the Lambda: SIGTERM, then SIGKILL after 5 s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def build(cargo: str) -> None:
    """Builds the release Lambda binary as `make package` does (no AWS SDK)."""
    print(f"$ {cargo} {' '.join(BUILD_COMMAND)}", flush=True)
    if subprocess.run([cargo, *BUILD_COMMAND], cwd=REPO).returncode != 0:
        sys.exit("the build failed")


# --- HTTP plumbing ----------------------------------------------------------------------------

class Handler(http.server.BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive basics shared by both stand-ins."""
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        """Quiet: one line per request would drown the report."""

    def read_body(self) -> bytes:
        """The request body, by Content-Length or chunked transfer encoding."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def send(self, status: int, body: bytes, headers: dict[str, str] | None = None,
             content_type: str = "application/json") -> None:
        """A response with its Content-Length (the connection stays open)."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()


class Server(http.server.ThreadingHTTPServer):
    """A loopback server whose handlers share `state`; a connection the Lambda drops (it is
    killed at the end) is not an error, anything else fails the run."""
    daemon_threads = True

    def __init__(self, handler: type, state):
        """Binds an ephemeral port on 127.0.0.1."""
        super().__init__(("127.0.0.1", 0), handler)
        self.state = state

    def handle_error(self, request, client_address):
        """Ignores dropped connections; fails the run on a stand-in's own error."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            return
        super().handle_error(request, client_address)
        if hasattr(self.state, "fail"):
            self.state.fail(f"stand-in error: {error!r}")


def serve(handler: type, state) -> Server:
    """Starts `handler` on an ephemeral loopback port in a daemon thread; `state` is shared."""
    server = Server(handler, state)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def address(server: Server) -> str:
    """`127.0.0.1:<port>` of a started server."""
    host, port = server.server_address[:2]
    return f"{host}:{port}"


# --- the stand-in SSM -------------------------------------------------------------------------

@dataclass
class SsmState:
    """What the stand-in SSM has been asked."""
    calls: int = 0
    names: list[str] = field(default_factory=list)


def salt_value(name: str) -> str:
    """A stable 32-byte salt in hex for a parameter name."""
    return hashlib.sha256(f"soak salt {name}".encode()).hexdigest()


class SsmHandler(Handler):
    """SSM's JSON protocol, `GetParameters` only: every requested name exists (no signature
    check)."""

    def do_POST(self):
        """`POST /` with `X-Amz-Target: AmazonSSM.GetParameters`."""
        body = self.read_body()
        if self.headers.get("X-Amz-Target") != "AmazonSSM.GetParameters":
            error = {"__type": "InvalidAction", "message": "the soak's SSM knows GetParameters"}
            return self.send(400, json.dumps(error).encode(), content_type=AMZ_JSON)
        names = json.loads(body)["Names"]
        state: SsmState = self.server.state
        state.calls += 1
        state.names.extend(names)
        answer = {
            "Parameters": [{"Name": name, "Value": salt_value(name), "Type": "SecureString"}
                           for name in names],
            "InvalidParameters": [],
        }
        self.send(200, json.dumps(answer).encode(), content_type=AMZ_JSON)


# --- the stand-in Runtime API -----------------------------------------------------------------

@dataclass
class Soak:
    """The run's shared state: what was handed out, what came back, the Lambda's RSS (KiB) as
    each answer arrived."""
    event: Event
    invocations: int
    pid: int = 0
    process_started: float = 0.0
    handed_out: int = 0
    answered: int = 0
    outstanding: str | None = None
    handout_time: float = 0.0
    first_request_time: float | None = None
    first_handout_time: float | None = None
    last_answer_time: float | None = None
    lambda_seconds: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)
    counts: collections.Counter | None = None
    distinct_counts: set = field(default_factory=set)
    distinct_bodies: set = field(default_factory=set)
    response_bytes: int = 0
    failure: str | None = None
    condition: threading.Condition = field(default_factory=threading.Condition)
    started: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)
    stopped: threading.Event = field(default_factory=threading.Event)

    def fail(self, reason: str) -> None:
        """Records the first failure and ends the run."""
        with self.condition:
            self.failure = self.failure or reason
            self.condition.notify_all()
        self.finished.set()

    def next_invocation(self) -> str | None:
        """Waits until the previous answer is in; the next request id, or None when done."""
        with self.condition:
            if self.first_request_time is None:
                self.first_request_time = time.perf_counter()
            self.condition.wait_for(lambda: self.outstanding is None or self.finished.is_set())
            if self.finished.is_set() or self.handed_out >= self.invocations:
                return None
            self.handed_out += 1
            self.outstanding = f"soak-{self.handed_out:05d}"
            self.handout_time = time.perf_counter()
            self.first_handout_time = self.first_handout_time or self.handout_time
            return self.outstanding

    def answer_arrived(self, request_id: str) -> int:
        """Notes an answer's arrival (and samples RSS); its invocation number."""
        arrived = time.perf_counter()
        with self.condition:
            if request_id != self.outstanding:
                raise ContractViolation(f"answer for {request_id}, expected {self.outstanding}")
            number = self.answered + 1
            self.rss_kib.append(memory_kib(self.pid)["VmRSS"])
            self.lambda_seconds.append(arrived - self.handout_time)
            self.last_answer_time = arrived
            return number

    def answer_checked(self, body: bytes, counts: collections.Counter) -> None:
        """Counts a checked answer and lets the next event go."""
        with self.condition:
            self.answered += 1
            self.outstanding = None
            self.counts = counts
            self.distinct_counts.add(tuple(sorted(counts.items())))
            self.distinct_bodies.add(hashlib.sha256(body).digest())
            self.response_bytes = len(body)
            self.condition.notify_all()
        if self.answered >= self.invocations:
            self.finished.set()


def trace_id(request_id: str) -> str:
    """An X-Ray trace header for a request id: `Root=1-<epoch hex>-<24 hex>`."""
    digest = hashlib.sha256(request_id.encode()).hexdigest()[:24]
    return f"Root=1-{int(time.time()):08x}-{digest}"


class RuntimeApiHandler(Handler):
    """The Lambda Runtime API's invocation loop: next, response, error, init error."""

    def do_GET(self):
        """`/invocation/next`: the event, once the previous answer is in."""
        soak: Soak = self.server.state
        if self.path != f"{RUNTIME_PREFIX}/invocation/next":
            return self.send(404, b'{"errorType":"NotFound"}')
        soak.started.wait()
        request_id = soak.next_invocation()
        if request_id is None:
            # Nothing more to hand out: keep the function waiting, as Lambda does, until stopped.
            soak.stopped.wait()
            self.close_connection = True
            return
        deadline_ms = int(time.time() * 1000) + 60_000
        headers = {
            "Lambda-Runtime-Aws-Request-Id": request_id,
            "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": FUNCTION_ARN,
            "Lambda-Runtime-Trace-Id": trace_id(request_id),
        }
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(soak.event.body_length(request_id)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(soak.event.head)
        self.wfile.write(request_id.encode())
        self.wfile.write(soak.event.tail)
        self.wfile.flush()

    def do_POST(self):
        """`/invocation/{id}/response`, `/invocation/{id}/error`, `/init/error`."""
        soak: Soak = self.server.state
        body = self.read_body()
        path = self.path
        if path == f"{RUNTIME_PREFIX}/init/error":
            soak.fail(f"init error: {body.decode(errors='replace')}")
        elif match := re.fullmatch(rf"{RUNTIME_PREFIX}/invocation/([^/]+)/error", path):
            soak.fail(f"invocation {match.group(1)} failed: {body.decode(errors='replace')}")
        elif match := re.fullmatch(rf"{RUNTIME_PREFIX}/invocation/([^/]+)/response", path):
            self.take_answer(soak, match.group(1), body)
        else:
            return self.send(404, b'{"errorType":"NotFound"}')
        self.send(202, b'{"status":"OK"}')

    def take_answer(self, soak: Soak, request_id: str, body: bytes) -> None:
        """Samples RSS, checks the contract, counts the answer; a violation ends the run."""
        try:
            number = soak.answer_arrived(request_id)
            counts = check_response(body, soak.event.record_ids)
        except ContractViolation as err:
            soak.fail(f"contract violation in answer {soak.answered + 1}: {err}")
            return
        except OSError as err:
            soak.fail(f"cannot read the Lambda's memory: {err}")
            return
        soak.answer_checked(body, counts)
        if number % 100 == 0:
            print(f"  {number} invocations answered", file=sys.stderr, flush=True)


# --- the run ----------------------------------------------------------------------------------

def wait_for_run(soak: Soak, process: subprocess.Popen, timeout_s: float) -> None:
    """Waits until every invocation is answered, the run fails, the Lambda exits or stalls."""
    last_progress, last_answered = time.monotonic(), 0
    while not soak.finished.wait(0.5):
        if process.poll() is not None:
            soak.fail(f"the Lambda exited with status {process.returncode} after "
                      f"{soak.answered} answers")
        elif soak.answered != last_answered:
            last_progress, last_answered = time.monotonic(), soak.answered
        elif time.monotonic() - last_progress > timeout_s:
            soak.fail(f"no answer for {timeout_s:.0f} s after {soak.answered} answers")


def log_summary(log: bytes, invocations: int) -> str:
    """One line on the Lambda's log: summary lines, warnings and errors."""
    text = log.decode(errors="replace")
    summaries = text.count("batch transformed")
    warnings = sum(1 for line in text.splitlines() if " WARN " in line or "ERROR" in line)
    return (f"Lambda log: {summaries} 'batch transformed' lines for {invocations} invocations, "
            f"{warnings} WARN/ERROR lines, {len(log) / 1024:.0f} KiB")


def print_rss_tenths(rss_kib: list[int]) -> None:
    """RSS over each tenth of the run (min, median, max): a trend, not one reading's noise."""
    if len(rss_kib) < 100:
        return
    print("RSS per tenth of the run, MiB (min / median / max):")
    for tenth in range(10):
        start, end = len(rss_kib) * tenth // 10, len(rss_kib) * (tenth + 1) // 10
        window = [kib / 1024 for kib in rss_kib[start:end]]
        print(f"  {start + 1:>6}-{end:<6} {min(window):6.1f} / {statistics.median(window):6.1f}"
              f" / {max(window):6.1f}")


def trend_growth_mib(rss_kib: list[int], baseline: int) -> tuple[float, str]:
    """Memory growth over the run, in MiB, and how it was measured: the median of the last
    tenth against the median of the second tenth (the first holds the warm-up), or single
    readings for short runs."""
    n = len(rss_kib)
    if n < 100:
        return (rss_kib[-1] - rss_kib[baseline - 1]) / 1024, f"RSS at {n} - RSS at {baseline}"
    second = rss_kib[n // 10:n * 2 // 10]
    last = rss_kib[n * 9 // 10:]
    growth = (statistics.median(last) - statistics.median(second)) / 1024
    return growth, (f"median RSS of invocations {n * 9 // 10 + 1}-{n} - median of "
                    f"{n // 10 + 1}-{n * 2 // 10}")


def print_report(soak: Soak, peak_kib: int, ssm: SsmState, baseline: int) -> float:
    """Prints the figures; the memory growth over the run ([`trend_growth_mib`]), in MiB."""
    n = soak.invocations
    points = sorted({p for p in SAMPLE_POINTS if p <= n} | {n})
    print(f"\n{'invocation':>10}  {'RSS MiB':>8}")
    for number in points:
        print(f"{number:>10}  {soak.rss_kib[number - 1] / 1024:>8.1f}")
    at_baseline, at_end = soak.rss_kib[baseline - 1], soak.rss_kib[n - 1]
    growth_mib = (at_end - at_baseline) / 1024
    percent = 100 * (at_end - at_baseline) / at_baseline
    print(f"growth {baseline} -> {n}: {growth_mib:+.1f} MiB ({percent:+.1f}%); "
          f"peak RSS (VmHWM) {peak_kib / 1024:.1f} MiB")
    print_rss_tenths(soak.rss_kib)
    wall = soak.last_answer_time - soak.first_handout_time
    startup = soak.first_request_time - soak.process_started
    times = sorted(soak.lambda_seconds)
    p95 = times[math.ceil(0.95 * len(times)) - 1]
    print(f"wall time {wall:.1f} s for {n} invocations: {n / wall:.2f} invocations/s "
          f"(contract checks included); start to first /next {startup * 1000:.0f} ms")
    median = statistics.median(times)
    print(f"event handed out (sending it included) -> response: median {median * 1000:.0f} ms, "
          f"p95 {p95 * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms")
    counts = ", ".join(f"{name} {soak.counts[name]}" for name in RESULTS)
    print(f"one response: {counts} ({soak.response_bytes:,} bytes, "
          f"limit {RESPONSE_LIMIT_BYTES:,}); {len(soak.distinct_counts)} distinct result counts, "
          f"{len(soak.distinct_bodies)} distinct response bodies over {n}")
    print(f"SSM GetParameters calls: {ssm.calls} ({', '.join(sorted(set(ssm.names)))})")
    trend, measured = trend_growth_mib(soak.rss_kib, baseline)
    print(f"memory trend: {trend:+.1f} MiB ({measured})")
    return trend


def parse_arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", action="store_true",
                        help="build the release Lambda binary first (cargo build --release "
                             "--locked --no-default-features --bin pixelstream-lambda)")
    parser.add_argument("--bin", default=DEFAULT_BINARY,
                        help=f"the Lambda binary, relative to the repository "
                             f"(default {DEFAULT_BINARY})")
    parser.add_argument("--invocations", type=int, default=1000,
                        help="events to serve, one after the other (default 1000)")
    parser.add_argument("--max-growth-mib", type=float, default=8.0,
                        help="fail when the median RSS of the last tenth of the run exceeds "
                             "that of the second tenth by more than this (default 8)")
    parser.add_argument("--restamp", action="store_true",
                        help="move the batch's two days to yesterday and today (UTC) so the "
                             "Lambda's salts key its ids")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds without an answer before the run fails (default 60)")
    args = parser.parse_args()
    if args.invocations < 1:
        parser.error("--invocations must be at least 1")
    return args


def run_lambda(binary: Path, soak: Soak, timeout_s: float, runtime_server: Server,
               ssm_server: Server) -> tuple[int, bytes]:
    """Runs the Lambda until the soak ends, then stops it; (peak RSS in KiB, its log)."""
    environment = lambda_environment(address(runtime_server), address(ssm_server))
    with tempfile.TemporaryFile() as log:
        soak.process_started = time.perf_counter()
        process = subprocess.Popen([str(binary)], cwd=REPO, env=environment,
                                   stdout=log, stderr=subprocess.STDOUT)
        soak.pid = process.pid
        soak.started.set()
        try:
            wait_for_run(soak, process, timeout_s)
            peak_kib = memory_kib(process.pid).get("VmHWM", 0) if process.poll() is None else 0
        finally:
            stop_process(process)
            soak.stopped.set()
        log.seek(0)
        return peak_kib, log.read()


def main() -> int:
    """Builds if asked, runs the soak, prints the figures; the exit status."""
    args = parse_arguments()
    if args.build:
        build(os.environ.get("CARGO", "cargo"))
    binary = REPO / args.bin
    if not binary.is_file():
        sys.exit(f"no Lambda binary at {args.bin}; run with --build (or make soak)")
    n = args.invocations
    baseline = 10 if n >= 10 else 1
    soak = Soak(load_event(args.restamp), n)
    ssm_state = SsmState()
    runtime_server, ssm_server = serve(RuntimeApiHandler, soak), serve(SsmHandler, ssm_state)
    print(f"{os.cpu_count()} cores; {n} invocations of {len(soak.event.record_ids):,} records "
          f"({soak.event.body_length('soak-00000') / 1e6:.1f} MB event)"
          f"{', restamped to yesterday/today' if args.restamp else ''}", flush=True)
    try:
        peak_kib, lambda_log = run_lambda(binary, soak, args.timeout, runtime_server, ssm_server)
    finally:
        runtime_server.shutdown()
        ssm_server.shutdown()
    if soak.failure:
        print(f"FAILED: {soak.failure[:4000]}", file=sys.stderr)
        tail = lambda_log.decode(errors="replace").splitlines()[-20:]
        print("last Lambda log lines:\n" + "\n".join(tail), file=sys.stderr)
        return 1
    growth_mib = print_report(soak, peak_kib, ssm_state, baseline)
    print(log_summary(lambda_log, n))
    if growth_mib > args.max_growth_mib:
        print(f"FAILED: memory grew {growth_mib:.1f} MiB over the run "
              f"(limit {args.max_growth_mib} MiB)", file=sys.stderr)
        return 1
    print(f"memory flat: trend {growth_mib:+.1f} MiB <= {args.max_growth_mib} MiB; "
          f"every response within the contract")
    return 0


if __name__ == "__main__":
    sys.exit(main())
