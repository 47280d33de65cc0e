//! Throughput of the transformation on the 2,000-record bench batch (`fixtures/bench/`).
//!
//! `make bench` runs this; divan prints records per second (`item/s`) per benchmark.

use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use pixelstream::{Config, FirehoseEvent, Pipeline, transform};

fn main() {
    divan::main();
}

fn bench_file(name: &str) -> Vec<u8> {
    let path = format!("{}/fixtures/bench/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn pipeline() -> Pipeline {
    Pipeline::new(Config::from_settings("ownstats", "*").expect("valid bench config"))
}

/// The batch function alone on the decoded event.
#[divan::bench]
fn transform_batch_n2000(bencher: Bencher) {
    let event: FirehoseEvent =
        serde_json::from_slice(&bench_file("firehose-event-n2000.json")).expect("bench event");
    let records = event.records.len();
    let pipeline = pipeline();
    bencher
        .counter(ItemsCount::new(records))
        .with_inputs(|| event.clone())
        .bench_local_values(|event| transform(&pipeline, event));
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
    bencher.counter(ItemsCount::new(records)).bench_local(|| {
        let event: FirehoseEvent = serde_json::from_slice(black_box(&raw)).expect("bench event");
        let (response, _) = transform(&pipeline, event);
        serde_json::to_vec(&response).expect("response serializes")
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
    let mut json = Vec::with_capacity(4096);
    bencher
        .counter(ItemsCount::new(lines.len()))
        .bench_local(|| {
            for line in &lines {
                if let pixelstream::Outcome::Ok(row) = pipeline.process_line(line) {
                    json.clear();
                    row.record.write_json(&mut json);
                }
            }
            json.len()
        });
}
