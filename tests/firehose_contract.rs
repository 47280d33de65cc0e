//! The Firehose transformation contract, checked on built batches: every `recordId` once,
//! results spelled as Firehose wants, `data` = base64(JSON object + newline), and a response
//! that never exceeds Lambda's 6 MB, even for the largest request Firehose can send.

mod common;

#[path = "../fuzz/src/checks.rs"]
#[allow(
    dead_code,
    reason = "only the contract check of the fuzz checks is used here"
)]
mod checks;

use std::collections::HashSet;
use std::num::NonZeroUsize;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use pixelstream_core::emit::firehose::{
    FirehoseEventRecord, FirehoseResponse, LAMBDA_RESPONSE_LIMIT_BYTES, RecordResult,
};
use pixelstream_core::enrich::ids::Salts;
use pixelstream_core::{BatchSummary, Config, FirehoseEvent, Pipeline, transform};
use serde_json::Value;

/// Lambda's synchronous request limit, which bounds what Firehose can send in one call.
const LAMBDA_REQUEST_LIMIT_BYTES: usize = 6 * 1024 * 1024;
/// The processor buffer the stack recommends (BufferSizeInMBs = 1).
const RECOMMENDED_BUFFER_BYTES: usize = 1024 * 1024;

fn pipeline() -> Pipeline {
    Pipeline::new(Config::from_settings("ownstats", "*").unwrap())
}

fn salts() -> Salts {
    Salts::derived_from(b"contract test salt")
}

/// A Firehose record id as Kinesis-sourced streams have them (56 digits).
fn record_id(i: usize) -> String {
    format!("49546986683135544286507457936321625675700192471156{i:06}")
}

fn record(i: usize, line: &[u8]) -> FirehoseEventRecord {
    FirehoseEventRecord {
        record_id: record_id(i),
        approximate_arrival_timestamp: Some(1_749_859_208_000),
        data: BASE64.encode(line),
    }
}

/// Size of the request JSON as Firehose sends it, with each record's Kinesis metadata
/// (about 390 bytes of envelope per record besides `data`, as in the bench event).
fn request_bytes(event: &FirehoseEvent) -> usize {
    const KINESIS_METADATA: usize = 250;
    serde_json::to_vec(event).unwrap().len() + KINESIS_METADATA * event.records.len()
}

/// Fills a request with `line_for(i)` until Firehose's next record would pass `limit`.
fn batch_up_to(limit: usize, line_for: impl Fn(usize) -> Vec<u8>) -> FirehoseEvent {
    let mut event = FirehoseEvent::default();
    let mut size = request_bytes(&event);
    for i in 0.. {
        let next = record(i, &line_for(i));
        let next_size = serde_json::to_vec(&next).unwrap().len() + 1 + 250;
        if size + next_size > limit {
            break;
        }
        size += next_size;
        event.records.push(next);
    }
    event
}

/// Checks the contract with the same check the `firehose_event` fuzzer runs, and returns the
/// parsed response and its decoded `data` objects.
fn check_contract(
    event: &FirehoseEvent,
    wire: &str,
    summary: &BatchSummary,
) -> (FirehoseResponse, Vec<Value>) {
    let ids: HashSet<&str> = event.records.iter().map(|r| r.record_id.as_str()).collect();
    assert_eq!(
        ids.len(),
        event.records.len(),
        "the test's record ids are distinct"
    );
    let response = checks::check_response(event, wire, summary);
    let decoded = response
        .records
        .iter()
        .map(|r| {
            let data = BASE64.decode(&r.data).expect("data is base64");
            serde_json::from_slice(&data).expect("data is JSON")
        })
        .collect();
    (response, decoded)
}

fn bench_lines() -> Vec<Vec<u8>> {
    common::read("fixtures/bench/log-lines-n2000.tsv")
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut line = l.to_vec();
            line.push(b'\n');
            line
        })
        .collect()
}

fn size_limited(response: &FirehoseResponse, decoded: &[Value]) -> usize {
    response
        .records
        .iter()
        .zip(decoded)
        .filter(|(r, d)| {
            r.result == RecordResult::ProcessingFailed && d["reason"] == "response_size_limit"
        })
        .count()
}

#[test]
fn recommended_buffer_of_real_traffic_is_answered_in_full() {
    // Firehose fills the buffer and may overshoot it by one record, as big as Kinesis allows.
    let lines = bench_lines();
    let mut event = FirehoseEvent::default();
    let mut raw = 0;
    while raw < RECOMMENDED_BUFFER_BYTES {
        let line = &lines[event.records.len() % lines.len()];
        raw += line.len();
        event.records.push(record(event.records.len(), line));
    }
    event
        .records
        .push(record(event.records.len(), &vec![b'x'; 1 << 20]));
    let (wire, summary) = transform(&pipeline(), event.clone(), &salts(), NonZeroUsize::MIN);
    let (response, decoded) = check_contract(&event, &wire, &summary);
    assert_eq!(size_limited(&response, &decoded), 0);
    assert!(summary.ok > 800, "{summary}");
    let response_bytes = wire.len();
    assert!(
        response_bytes < LAMBDA_RESPONSE_LIMIT_BYTES / 2,
        "{response_bytes}"
    );
}

#[test]
fn full_request_of_real_lines_fits_without_dropping_anything() {
    let lines = bench_lines();
    let event = batch_up_to(LAMBDA_REQUEST_LIMIT_BYTES, |i| {
        lines[i % lines.len()].clone()
    });
    assert!(event.records.len() > 3000);
    let (wire, summary) = transform(&pipeline(), event.clone(), &salts(), NonZeroUsize::MIN);
    let (response, decoded) = check_contract(&event, &wire, &summary);
    assert_eq!(
        size_limited(&response, &decoded),
        0,
        "compact output is smaller than its input"
    );
}

#[test]
fn full_request_of_smallest_valid_lines_stays_within_the_limit() {
    // The worst case for output growth: the shortest lines that still make a full record.
    let line = b"1749859208.779\t-\t-\t/hello.gif\t-\t-\t-\t-\t-\tt=pv&hn=a.io\t-\t-\n".to_vec();
    let event = batch_up_to(LAMBDA_REQUEST_LIMIT_BYTES, |_| line.clone());
    let (wire, summary) = transform(&pipeline(), event.clone(), &salts(), NonZeroUsize::MIN);
    let (response, decoded) = check_contract(&event, &wire, &summary);
    assert_eq!(
        summary.ok + size_limited(&response, &decoded),
        event.records.len()
    );
}

#[test]
fn full_request_of_oversized_values_and_garbage_stays_within_the_limit() {
    let long = "A%2525".repeat(20_000);
    let fat = format!(
        "1749859208.779\t10.1.2.3\t200\t/hello.gif\t1\tHAM50-P2\t0.1\t{long}\t{long}\tt=tr&hn=mydomain.tld&u=https%253A%252F%252Fmydomain.tld%252F{long}&pa={long}&r=https%253A%252F%252Fx.io%252F{long}&en={long}&pr={long}&l={long}&tz={long}&p={long}&uso={long}&uca={long}\tHit\t1\n"
    );
    let garbage: Vec<u8> = (0u32..200_000)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    let event = batch_up_to(LAMBDA_REQUEST_LIMIT_BYTES, |i| {
        if i % 2 == 0 {
            fat.clone().into_bytes()
        } else {
            garbage.clone()
        }
    });
    let (wire, summary) = transform(&pipeline(), event.clone(), &salts(), NonZeroUsize::MIN);
    let (response, decoded) = check_contract(&event, &wire, &summary);
    assert!(summary.ok > 0, "{summary}");
    for (record, data) in response.records.iter().zip(&decoded) {
        if record.result == RecordResult::ProcessingFailed
            && data["reason"] != "response_size_limit"
        {
            assert!(data["line"].as_str().unwrap().len() <= 2048);
            assert!(!data["line"].as_str().unwrap().contains("10.1.2.3"));
        }
    }
    let ok_data_max = response
        .records
        .iter()
        .filter(|r| r.result == RecordResult::Ok)
        .map(|r| r.data.len())
        .max()
        .unwrap();
    assert!(
        ok_data_max < 32 * 1024,
        "Ok records are capped, got {ok_data_max} bytes"
    );
}

#[test]
fn empty_batch_gives_an_empty_response() {
    let (wire, summary) = transform(
        &pipeline(),
        FirehoseEvent::default(),
        &salts(),
        NonZeroUsize::MIN,
    );
    assert_eq!(wire, r#"{"records":[]}"#);
    assert_eq!(summary.records, 0);
}
