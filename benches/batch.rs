//! Throughput of the transformation on the 2,000-record bench batch (`fixtures/bench/`).
//!
//! `make bench` runs this; divan prints records per second (`item/s`) per benchmark, and the
//! cold start as the time from process start to the first batch answered.

use std::num::NonZeroUsize;
use std::process::{Command, Stdio};

use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use pixelstream_core::enrich::bot::BotDetector;
use pixelstream_core::enrich::client::Clients;
use pixelstream_core::enrich::ids::Salts;
use pixelstream_core::enrich::user_agent::{Part, UserAgentParser};
use pixelstream_core::parse::decode::header_value;
use pixelstream_core::{Config, FirehoseEvent, Pipeline, transform};

/// The shells' allocator, so figures match what the Lambda runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

fn bench_file(name: &str) -> Vec<u8> {
    let path = format!("{}/fixtures/bench/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// A pipeline with its UA parser built (steady state of a warm Lambda).
fn pipeline() -> Pipeline {
    let pipeline =
        Pipeline::new(Config::from_settings("ownstats", "*").expect("valid bench config"));
    for part in Part::ALL {
        pipeline.warm_up(part);
    }
    pipeline
}

/// The `cs-user-agent` column of every bench line (raw, as logged).
fn bench_user_agents() -> Vec<Vec<u8>> {
    bench_file("log-lines-n2000.tsv")
        .split(|&b| b == b'\n')
        .filter_map(|line| line.split(|&b| b == b'\t').nth(7).map(<[u8]>::to_vec))
        .collect()
}

/// The batch function alone on the decoded event.
#[divan::bench]
fn transform_batch_n2000(bencher: Bencher) {
    let event: FirehoseEvent =
        serde_json::from_slice(&bench_file("firehose-event-n2000.json")).expect("bench event");
    let records = event.records.len();
    let pipeline = pipeline();
    let salts = Salts::derived_from(b"bench salt");
    bencher
        .counter(ItemsCount::new(records))
        .with_inputs(|| event.clone())
        .bench_local_values(|event| transform(&pipeline, event, &salts, NonZeroUsize::MIN));
}

/// What one Lambda invocation does: parse the event JSON, transform, serialize the response.
#[divan::bench]
fn lambda_invocation_n2000(bencher: Bencher) {
    let raw = bench_file("firehose-event-n2000.json");
    let records = serde_json::from_slice::<FirehoseEvent>(&raw)
        .expect("bench event")
        .records
        .len();
    let pipeline = pipeline();
    let salts = Salts::derived_from(b"bench salt");
    bencher.counter(ItemsCount::new(records)).bench_local(|| {
        let event: FirehoseEvent = serde_json::from_slice(black_box(&raw)).expect("bench event");
        transform(&pipeline, event, &salts, NonZeroUsize::MIN).0
    });
}

/// The per-line core without Firehose framing.
#[divan::bench]
fn process_lines_n2000(bencher: Bencher) {
    let tsv = bench_file("log-lines-n2000.tsv");
    let lines: Vec<&[u8]> = tsv
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let pipeline = pipeline();
    let salts = Salts::derived_from(b"bench salt");
    let mut json = Vec::with_capacity(4096);
    bencher
        .counter(ItemsCount::new(lines.len()))
        .bench_local(|| {
            for line in &lines {
                if let pixelstream_core::Outcome::Ok(row) = pipeline.process_line(line, &salts) {
                    json.clear();
                    row.record.write_json(&mut json);
                }
            }
            json.len()
        });
}

/// UA enrichment per record with a warm cache: the bench batch's user agents looked up again.
#[divan::bench]
fn user_agent_warm_cache(bencher: Bencher) {
    let agents = bench_user_agents();
    let clients = Clients::new();
    for part in Part::ALL {
        clients.warm_up(part);
    }
    for ua in &agents {
        clients.from_header(ua);
    }
    bencher
        .counter(ItemsCount::new(agents.len()))
        .bench_local(|| {
            for ua in &agents {
                black_box(clients.from_header(ua));
            }
        });
}

/// UA enrichment per record with a cold cache: every record parsed by uap-core and checked
/// against the crawler lists (parser already built).
#[divan::bench(sample_count = 20)]
fn user_agent_cold_cache(bencher: Bencher) {
    let agents: Vec<String> = bench_user_agents()
        .iter()
        .map(|ua| header_value(ua).into_owned())
        .collect();
    let parser = UserAgentParser::new();
    for part in Part::ALL {
        parser.warm_up(part);
    }
    let bots = BotDetector::embedded();
    bencher
        .counter(ItemsCount::new(agents.len()))
        .bench_local(|| {
            for ua in &agents {
                black_box((parser.parse(ua), bots.user_agent_reasons(ua)));
            }
        });
}

/// Cold start: time from process start to the first 2,000-record batch answered, running the
/// release CLI on the bench event (the Lambda's code path: config, parse the
/// event, transform, write the response).
#[divan::bench(sample_count = 20, sample_size = 1)]
fn cold_start_first_batch_n2000() {
    let event = format!(
        "{}/fixtures/bench/firehose-event-n2000.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let status = Command::new(env!("CARGO_BIN_EXE_pixelstream"))
        .args([
            "replay",
            "--format",
            "firehose",
            "--fields",
            "ownstats",
            "--domains",
            "*",
        ])
        .args(["--salt", "bench salt", &event])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("pixelstream runs");
    assert!(status.success());
}
