//! Runs the `pixelstream` binary on fixtures, as a user would.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use common::{FIXTURE_DOMAINS, project_path, read};
use serde_json::Value;

/// Runs the CLI with a fixed salt, so ids (and golden files) are stable.
fn pixelstream(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pixelstream"))
        .args(args)
        .env("PIXELSTREAM_SALT", "fixture salt")
        .current_dir(project_path(""))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pixelstream starts");
    let mut input = child.stdin.take().expect("stdin is piped");
    let stdin = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        // The tool may exit before reading everything (bad flags); that is fine here.
        let _ = input.write_all(&stdin);
    });
    let output = child.wait_with_output().expect("pixelstream runs");
    writer.join().expect("stdin writer");
    output
}

/// The run exited 0; otherwise its stderr is shown.
fn assert_succeeded(output: &Output) {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn json_lines(output: &Output) -> Vec<Value> {
    String::from_utf8(output.stdout.clone())
        .expect("stdout is UTF-8")
        .lines()
        .map(|line| serde_json::from_str(line).expect("each stdout line is JSON"))
        .collect()
}

/// Compares `actual` with a golden file; `PIXELSTREAM_BLESS=1` rewrites the file instead
/// (`make golden`), for review before it is committed.
fn assert_golden(relative: &str, actual: &[u8]) {
    let path = project_path(relative);
    if std::env::var_os("PIXELSTREAM_BLESS").is_some() {
        std::fs::write(&path, actual).expect("golden file written");
        return;
    }
    let expected = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "missing golden {}: {e}; run `make golden` and review",
            path.display()
        )
    });
    if expected != actual {
        let expected = String::from_utf8_lossy(&expected);
        let actual = String::from_utf8_lossy(actual);
        for (n, (e, a)) in expected.lines().zip(actual.lines()).enumerate() {
            assert_eq!(
                a,
                e,
                "{relative} line {} differs (run `make golden` to review)",
                n + 1
            );
        }
        panic!("{relative}: line counts differ (run `make golden` to review)");
    }
}

/// Replays a fixture with the fixture allow-list and compares stdout with its golden file.
fn assert_replay_matches_golden(args: &[&str], fixture: &str, golden: &str) {
    let mut all = vec!["replay", "--domains", FIXTURE_DOMAINS];
    all.extend_from_slice(args);
    all.push(fixture);
    let out = pixelstream(&all, b"");
    assert_succeeded(&out);
    assert_golden(golden, &out.stdout);
}

#[test]
fn ownstats_fixtures_match_their_golden_output() {
    assert_replay_matches_golden(
        &["--fields", "ownstats"],
        "fixtures/lines/ownstats.tsv",
        "fixtures/expected/ownstats.jsonl",
    );
}

#[test]
fn default_field_fixtures_match_their_golden_output() {
    assert_replay_matches_golden(
        &[],
        "fixtures/lines/default.tsv",
        "fixtures/expected/default.jsonl",
    );
}

#[test]
fn firehose_fixture_matches_its_golden_response() {
    assert_replay_matches_golden(
        &["--format", "firehose", "--fields", "ownstats"],
        "fixtures/firehose/ownstats-event.json",
        "fixtures/expected/ownstats-event.response.json",
    );
}

#[test]
fn reprocessing_firehose_error_objects_replays_their_raw_lines() {
    // The fixture holds the 22 lines of ownstats.tsv as Firehose error documents, so the
    // answers are ownstats.tsv's reviewed golden output, record ids (line numbers) included.
    let out = pixelstream(
        &[
            "reprocess",
            "--fields",
            "ownstats",
            "--domains",
            FIXTURE_DOMAINS,
            "fixtures/firehose/processing-failed.json",
        ],
        b"",
    );
    assert_succeeded(&out);
    assert_eq!(json_lines(&out).len(), 22);
    assert_golden("fixtures/expected/ownstats.jsonl", &out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("22 records"), "{stderr}");
}

#[test]
fn reprocessing_something_else_is_the_tools_failure_and_names_the_document() {
    let out = pixelstream(&["reprocess", "fixtures/lines/ownstats.tsv"], b"");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("document 1 is not a Firehose error record"),
        "{stderr}"
    );
    // The line's address is not echoed.
    assert!(!stderr.contains("2003:e1"), "{stderr}");
}

/// The Firehose response the Lambda's batch function gives for the fixture event (the lines
/// of ownstats.tsv).
fn lambda_answer_to_the_fixture_event() -> Output {
    pixelstream(
        &[
            "replay",
            "--format",
            "firehose",
            "--fields",
            "ownstats",
            "--domains",
            FIXTURE_DOMAINS,
        ],
        &read("fixtures/firehose/ownstats-event.json"),
    )
}

#[test]
fn firehose_and_tsv_replays_agree_record_for_record() {
    let tsv = pixelstream(
        &[
            "replay",
            "--fields",
            "ownstats",
            "--domains",
            FIXTURE_DOMAINS,
            "fixtures/lines/ownstats.tsv",
        ],
        b"",
    );
    let firehose = lambda_answer_to_the_fixture_event();
    let response: Value = serde_json::from_slice(&firehose.stdout).expect("response JSON");
    let lines = json_lines(&tsv);
    let records = response["records"].as_array().expect("records");
    assert_eq!(lines.len(), records.len());
    for (line, record) in lines.iter().zip(records) {
        assert_eq!(line["result"], record["result"]);
        let data: Value =
            serde_json::from_slice(&BASE64.decode(record["data"].as_str().unwrap()).unwrap())
                .unwrap();
        match line["result"].as_str() {
            Some("Ok") => {
                assert_eq!(line["partition_keys"], record["metadata"]["partitionKeys"]);
                for (key, value) in data.as_object().unwrap() {
                    assert_eq!(&line["record"][key], value, "{key}");
                }
            }
            _ => assert_eq!(line["reason"], data["reason"]),
        }
    }
}

#[test]
fn the_lambdas_decoded_data_is_byte_for_byte_what_replay_writes() {
    // The Lambda's answer (the Firehose response) for the event built from ownstats.tsv, and
    // the NDJSON objects `replay --out` writes for the same lines, without any base64 between.
    let firehose = lambda_answer_to_the_fixture_event();
    assert_succeeded(&firehose);
    let response: Value = serde_json::from_slice(&firehose.stdout).expect("response JSON");
    let mut lambda_records: Vec<Vec<u8>> = response["records"]
        .as_array()
        .expect("records")
        .iter()
        .filter(|r| r["result"] == "Ok")
        .map(|r| BASE64.decode(r["data"].as_str().unwrap()).unwrap())
        .collect();
    let dir = tempdir();
    let replay = replay_ownstats_into(&dir, "ndjson");
    assert_succeeded(&replay);
    let mut written: Vec<Vec<u8>> = Vec::new();
    for object in common::files_under(&dir) {
        if object.starts_with(dir.join("errors")) {
            continue;
        }
        let bytes = std::fs::read(&object).unwrap();
        written.extend(bytes.split_inclusive(|&b| b == b'\n').map(<[u8]>::to_vec));
    }
    assert!(lambda_records.len() >= 10, "{}", lambda_records.len());
    // Partition objects group the records, so compare them as sorted lists.
    lambda_records.sort();
    written.sort();
    assert_eq!(lambda_records, written);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn conventions_sample_line_gives_the_documented_values() {
    let sample = read("fixtures/lines/ownstats.tsv");
    let first_line = sample.split(|&b| b == b'\n').next().unwrap();
    let out = pixelstream(
        &["replay", "--format", "tsv", "--fields", "ownstats"],
        first_line,
    );
    assert!(out.status.success());
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1);
    let line = &lines[0];
    assert_eq!(line["result"], "Ok");
    assert_eq!(line["reason"], Value::Null);
    let keys = &line["partition_keys"];
    assert_eq!(keys["domain_name"], "mydomain.tld");
    assert_eq!(keys["event_type"], "pageview");
    assert_eq!(keys["event_date"], "2023-04-21");
    let record = &line["record"];
    assert_eq!(record["request_path"], "/");
    assert_eq!(record["edge_id"], "HAM");
    assert_eq!(record["request_asn"], 3320);
    assert!(
        record.as_object().unwrap().contains_key("browser_name"),
        "every column is listed"
    );
}

#[test]
fn bench_event_answers_every_record_once_with_json_data() {
    let out = pixelstream(
        &[
            "replay",
            "--format",
            "firehose",
            "--fields",
            "ownstats",
            "--domains",
            "*",
            "fixtures/bench/firehose-event-n2000.json",
        ],
        b"",
    );
    assert_succeeded(&out);
    let event: Value =
        serde_json::from_slice(&read("fixtures/bench/firehose-event-n2000.json")).unwrap();
    let response: Value = serde_json::from_slice(&out.stdout).unwrap();
    let input_ids: Vec<&str> = event["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["recordId"].as_str().unwrap())
        .collect();
    let records = response["records"].as_array().unwrap();
    let output_ids: Vec<&str> = records
        .iter()
        .map(|r| r["recordId"].as_str().unwrap())
        .collect();
    assert_eq!(input_ids.len(), 2000);
    assert_eq!(output_ids, input_ids, "every id once, in order");
    for record in records {
        let result = record["result"].as_str().unwrap();
        assert!(["Ok", "Dropped", "ProcessingFailed"].contains(&result));
        let data = BASE64.decode(record["data"].as_str().unwrap()).unwrap();
        assert_eq!(data.iter().filter(|&&b| b == b'\n').count(), 1);
        assert_eq!(data.last(), Some(&b'\n'));
        let value: Value = serde_json::from_slice(&data).unwrap();
        assert!(value.is_object());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("2000 records:"), "{stderr}");
}

#[test]
fn any_input_line_gives_exactly_one_output_line() {
    let mut input = Vec::new();
    input.extend_from_slice(b"\n"); // empty line
    input.extend_from_slice(b"\xff\xfe\x00\x01 not utf-8 \xc3\x28\n");
    input.extend(std::iter::repeat_n(b'x', 1 << 20));
    input.push(b'\n');
    input.extend(
        (0u32..4096)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .filter(|&b| b != b'\n'),
    );
    input.push(b'\n');
    input.extend_from_slice(b"\t\t\t\t\t\t\t\t\t\t\t\n");
    input.extend_from_slice(b"1682084241.469\t-\t-\t/hello.gif\t-\t-\t-\t-\t-\t%%%\t-\t-"); // no final newline
    let out = pixelstream(&["replay", "--fields", "ownstats"], &input);
    assert_succeeded(&out);
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 6);
    for line in &lines {
        assert!(["Ok", "Dropped", "ProcessingFailed"].contains(&line["result"].as_str().unwrap()));
    }
    assert_eq!(lines[5]["reason"], "missing_event_type");
}

#[test]
fn a_replay_of_many_batches_answers_in_input_order() {
    // About 7 MB: several 1 MiB batches, answered by every core, written in input order.
    const LINES: usize = 6_000;
    let padding = "a".repeat(1_000);
    let mut input = Vec::new();
    for n in 0..LINES {
        input.extend(ownstats_line_with_query(&format!(
            "t=pv&ts=1682083804768&hn=mydomain.tld&pa=%252Fpage%252F{n}&w=3440&h=1440&x={padding}"
        )));
    }
    let out = pixelstream(&["replay", "--fields", "ownstats", "-"], &input);
    assert_succeeded(&out);
    let lines = json_lines(&out);
    assert_eq!(lines.len(), LINES);
    for (n, line) in lines.iter().enumerate() {
        assert_eq!(
            line["record"]["request_path"],
            format!("/page/{n}"),
            "{line}"
        );
    }
}

/// `replay --out dir --out-format format` of the ownstats fixture lines.
fn replay_ownstats_into(dir: &std::path::Path, format: &str) -> Output {
    pixelstream(
        &[
            "replay",
            "--fields",
            "ownstats",
            "--domains",
            FIXTURE_DOMAINS,
            "--out",
            dir.to_str().unwrap(),
            "--out-format",
            format,
            "fixtures/lines/ownstats.tsv",
        ],
        b"",
    )
}

#[test]
fn out_dir_holds_hive_partitions_and_errors() {
    for format in ["ndjson", "parquet"] {
        let dir = tempdir();
        let out = replay_ownstats_into(&dir, format);
        assert_succeeded(&out);
        let partition = dir.join(format!(
            "domain_name=shop.example.com/event_type=event/event_date=2025-06-14/part-ownstats.{format}"
        ));
        let events = match format {
            "ndjson" => std::fs::read_to_string(&partition)
                .expect("event partition written")
                .lines()
                .map(|line| serde_json::from_str(line).unwrap())
                .collect(),
            _ => common::parquet_rows(&partition),
        };
        assert_eq!(events.len(), 2, "{format}");
        for record in &events {
            assert!(record["event_name"].is_string(), "{format}: {record}");
        }
        let errors =
            std::fs::read_to_string(dir.join("errors/processing-failed/part-ownstats.ndjson"))
                .unwrap();
        assert_eq!(errors.lines().count(), 3);
        let summary = String::from_utf8_lossy(&out.stdout);
        assert!(summary.contains("event_type=pageview"), "{summary}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn tool_failures_exit_non_zero_with_a_message() {
    let missing = pixelstream(&["replay", "no/such/file.tsv"], b"");
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read no/such/file.tsv"));
    let bad_fields = pixelstream(&["replay", "--fields", "timestamp,bogus"], b"");
    assert!(!bad_fields.status.success());
    assert!(String::from_utf8_lossy(&bad_fields.stderr).contains("\"bogus\""));
    let bad_event = pixelstream(&["replay", "--format", "firehose"], b"{not json");
    assert!(!bad_event.status.success());
    let bad_flag = pixelstream(&["replay", "--format", "csv"], b"");
    assert!(!bad_flag.status.success());
}

#[test]
fn schema_lists_every_column_with_a_type() {
    let out = pixelstream(&["schema", "--format", "json"], b"");
    let columns: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = columns
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), pixelstream_core::emit::record::COLUMNS.len());
    assert!(names.contains(&"daily_visitor_id"));
}

#[test]
fn schema_doc_is_generated_from_the_record_type() {
    let out = pixelstream(&["schema"], b"");
    assert_golden("docs/schema.md", &out.stdout);
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("pixelstream-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The first ownstats fixture line with another tracker query.
fn ownstats_line_with_query(query: &str) -> Vec<u8> {
    let fixture = String::from_utf8(read("fixtures/lines/ownstats.tsv")).expect("UTF-8 fixture");
    let first = fixture.lines().next().expect("a fixture line");
    let mut fields: Vec<&str> = first.split('\t').collect();
    fields[9] = query;
    format!("{}\n", fields.join("\t")).into_bytes()
}

#[test]
fn unicode_and_punycode_host_names_are_one_partition_and_referrer_ports_stay() {
    let allow = "xn--bcher-kva.example";
    // The tracker double-encodes values: hn=bücher.example, r=http://localhost:3000/a?q=1.
    let query = "t=pv&ts=1682083804768&hn=b%25C3%25BCcher.example&pa=%252F\
        &r=http%253A%252F%252Flocalhost%253A3000%252Fa%253Fq%253D1&w=3440&h=1440&l=de-DE&tz=UTC";
    let out = pixelstream(
        &[
            "replay",
            "--fields",
            "ownstats",
            "--domains",
            "bücher.example",
            "-",
        ],
        &ownstats_line_with_query(query),
    );
    assert_succeeded(&out);
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["result"], "Ok", "{}", lines[0]);
    assert_eq!(lines[0]["partition_keys"]["domain_name"], allow);
    assert_eq!(lines[0]["record"]["referrer"], "http://localhost:3000/a");
    assert_eq!(lines[0]["record"]["referrer_domain_name"], "localhost");
    let punycode_hn = query.replace("b%25C3%25BCcher.example", allow);
    let out = pixelstream(
        &["replay", "--fields", "ownstats", "--domains", allow, "-"],
        &ownstats_line_with_query(&punycode_hn),
    );
    assert_succeeded(&out);
    assert_eq!(json_lines(&out)[0]["partition_keys"]["domain_name"], allow);
}
