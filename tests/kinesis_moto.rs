//! Kinesis round trip against a local endpoint (moto server): `pixelstream put` sends the
//! fixture lines as CloudFront would, they are read back from the stream, run through the
//! batch function as Firehose would call it, and must give the golden records.

#![cfg(feature = "kinesis")]

mod common;

use std::num::NonZeroUsize;
use std::process::Command;

use aws_sdk_kinesis::Client;
use aws_sdk_kinesis::types::ShardIteratorType;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use common::moto::Moto;
use pixelstream_core::emit::firehose::{FirehoseEventRecord, FirehoseResponse, RecordResult};
use pixelstream_core::enrich::ids::Salts;
use pixelstream_core::{Config, FirehoseEvent, Pipeline, transform};
use serde_json::Value;

const STREAM: &str = "pixelstream-roundtrip";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn client(moto: &Moto) -> Client {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(&moto.endpoint)
        .region(aws_config::Region::new("eu-central-1"))
        .credentials_provider(aws_sdk_kinesis::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .load()
        .await;
    Client::new(&config)
}

/// Every record of the stream's shards, oldest first.
async fn read_back(client: &Client) -> Vec<Vec<u8>> {
    let shards = client
        .list_shards()
        .stream_name(STREAM)
        .send()
        .await
        .unwrap();
    let mut records = Vec::new();
    for shard in shards.shards() {
        let iterator = client
            .get_shard_iterator()
            .stream_name(STREAM)
            .shard_id(shard.shard_id())
            .shard_iterator_type(ShardIteratorType::TrimHorizon)
            .send()
            .await
            .unwrap();
        let mut next = iterator.shard_iterator().map(str::to_owned);
        while let Some(position) = next.take() {
            let page = client
                .get_records()
                .shard_iterator(position)
                .send()
                .await
                .unwrap();
            if page.records().is_empty() {
                break;
            }
            records.extend(page.records().iter().map(|r| r.data().as_ref().to_vec()));
            next = page.next_shard_iterator().map(str::to_owned);
        }
    }
    records
}

#[test]
fn put_fixture_lines_read_them_back_and_transform_them_like_firehose() {
    let moto = Moto::start();
    let runtime = runtime();
    let client = runtime.block_on(client(&moto));
    runtime
        .block_on(
            client
                .create_stream()
                .stream_name(STREAM)
                .shard_count(1)
                .send(),
        )
        .expect("stream created");

    let put = Command::new(env!("CARGO_BIN_EXE_pixelstream"))
        .args([
            "put",
            "--stream",
            STREAM,
            "--endpoint-url",
            &moto.endpoint,
            "--region",
            "eu-central-1",
        ])
        .arg(common::project_path("fixtures/lines/ownstats.tsv"))
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .output()
        .unwrap();
    assert!(
        put.status.success(),
        "{}",
        String::from_utf8_lossy(&put.stderr)
    );

    let records = runtime.block_on(read_back(&client));
    let fixture = common::read("fixtures/lines/ownstats.tsv");
    // Every line is a record, empty ones included, exactly as `replay` counts them.
    let lines: Vec<&[u8]> = fixture
        .strip_suffix(b"\n")
        .unwrap_or(&fixture)
        .split(|&b| b == b'\n')
        .collect();
    assert_eq!(records.len(), lines.len(), "one Kinesis record per line");
    for (record, line) in records.iter().zip(&lines) {
        assert_eq!(
            &record[..record.len() - 1],
            *line,
            "each record is the line and a newline"
        );
    }

    let event = FirehoseEvent {
        records: records
            .iter()
            .enumerate()
            .map(|(i, data)| FirehoseEventRecord {
                record_id: format!("{}", i + 1),
                approximate_arrival_timestamp: None,
                data: BASE64.encode(data),
            })
            .collect(),
        ..FirehoseEvent::default()
    };
    let config = Config::from_settings("ownstats", common::FIXTURE_DOMAINS).unwrap();
    let (wire, _) = transform(
        &Pipeline::new(config),
        event,
        &Salts::derived_from(b"fixture salt"),
        NonZeroUsize::MIN,
    );
    let response: FirehoseResponse = serde_json::from_str(&wire).unwrap();

    let golden = String::from_utf8(common::read("fixtures/expected/ownstats.jsonl")).unwrap();
    let expected: Vec<Value> = golden
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(response.records.len(), expected.len());
    for (answer, golden) in response.records.iter().zip(expected) {
        let data: Value = serde_json::from_slice(&BASE64.decode(&answer.data).unwrap()).unwrap();
        assert_eq!(
            answer.result.as_str(),
            golden["result"],
            "record {}",
            answer.record_id
        );
        if answer.result == RecordResult::Ok {
            for (column, value) in golden["record"].as_object().unwrap() {
                assert_eq!(
                    data.get(column).unwrap_or(&Value::Null),
                    value,
                    "{column} of record {}",
                    answer.record_id
                );
            }
        } else {
            assert_eq!(data["reason"], golden["reason"]);
        }
    }
}
