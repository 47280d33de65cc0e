//! Privacy by construction: no client address (nor a plain hash of it) leaves the pipeline,
//! and the keyed ids behave as promised. Checked through the CLI and the batch function.

mod common;

use std::num::NonZeroUsize;
use std::process::Command;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use md5::Md5;
use pixelstream_core::emit::firehose::{FirehoseEventRecord, FirehoseResponse};
use pixelstream_core::enrich::ids::Salts;
use pixelstream_core::{Config, FirehoseEvent, Pipeline, transform};
use serde_json::Value;
use sha2::{Digest, Sha256};

const IPV4: &str = "141.118.81.88";
const IPV6: &str = "2003:e1:bf1f:7c00:8eb:18f8:a1fb:9dad";
const UA: &str = "Mozilla/5.0%20(Macintosh;%20Intel%20Mac%20OS%20X%2010_15_7)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/112.0.0.0%20Safari/537.36";
const UA_DECODED: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Safari/537.36";

/// A default-field-list line (14 fields) from `ip`, with an `x-forwarded-for`-like request id
/// slot and a given query.
fn line(ip: &str, request_id: &str, query: &str) -> String {
    [
        "1749861000.111",
        ip,
        "200",
        "/hello.gif",
        "512",
        "HAM50-P2",
        request_id,
        "0.001",
        UA,
        "https://mydomain.tld/",
        query,
        "Hit",
        "DE",
        "3320",
    ]
    .join("\t")
}

const PAGE_VIEW: &str = "t=pv&hn=mydomain.tld&pa=%252F&w=1&h=1&l=de&tz=UTC";

/// Every line shape: kept, dropped, failed (bad timestamp, wrong field count), with both
/// address families, and addresses echoed inside other fields.
fn hostile_lines() -> Vec<String> {
    let mut lines = Vec::new();
    for ip in [IPV4, IPV6] {
        lines.push(line(ip, "req-1", PAGE_VIEW));
        lines.push(line(ip, "-", "t=zz&hn=mydomain.tld"));
        lines.push(line(ip, "-", PAGE_VIEW).replacen("1749861000.111", "not-a-time", 1));
        lines.push(format!("{ip}\tonly\tthree"));
        lines.push(line(
            ip,
            "-",
            &format!("t=pv&hn=mydomain.tld&pa=%252F{ip}&r=http%253A%252F%252F{ip}%252F"),
        ));
    }
    lines
}

/// The forms of an address that must never appear: itself, and plain SHA-256 / MD5 hex of it
/// alone and concatenated with the user agent (raw and decoded).
fn forbidden_forms(ip: &str) -> Vec<String> {
    let mut inputs = vec![ip.to_owned()];
    for ua in [UA, UA_DECODED] {
        inputs.push(format!("{ip}{ua}"));
        inputs.push(format!("{ua}{ip}"));
    }
    let mut forms = vec![ip.to_owned()];
    for input in &inputs {
        forms.push(hex(&Sha256::digest(input.as_bytes())));
        forms.push(hex(&Md5::digest(input.as_bytes())));
    }
    forms
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn assert_no_address(label: &str, text: &str) {
    for ip in [IPV4, IPV6] {
        for form in forbidden_forms(ip) {
            assert!(
                !text.contains(&form),
                "{label} holds {form:?} (a form of {ip})"
            );
            assert!(
                !text.to_lowercase().contains(&form.to_lowercase()),
                "{label}: {form}"
            );
        }
    }
}

fn event(lines: &[String]) -> FirehoseEvent {
    FirehoseEvent {
        records: lines
            .iter()
            .enumerate()
            .map(|(i, line)| FirehoseEventRecord {
                record_id: i.to_string(),
                approximate_arrival_timestamp: None,
                data: BASE64.encode(format!("{line}\n")),
            })
            .collect(),
        ..FirehoseEvent::default()
    }
}

/// The response text read back through the serde types.
fn parsed(wire: &str) -> FirehoseResponse {
    serde_json::from_str(wire).unwrap()
}

fn decoded_data(response: &FirehoseResponse) -> Vec<String> {
    response
        .records
        .iter()
        .map(|r| String::from_utf8(BASE64.decode(&r.data).unwrap()).unwrap())
        .collect()
}

fn pipeline() -> Pipeline {
    Pipeline::new(Config::from_settings("default", "mydomain.tld").unwrap())
}

#[test]
fn batch_function_emits_no_address_in_ok_or_failure_data() {
    let (wire, summary) = transform(
        &pipeline(),
        event(&hostile_lines()),
        &Salts::derived_from(b"s"),
        NonZeroUsize::MIN,
    );
    let response = parsed(&wire);
    assert!(
        summary.ok >= 4 && summary.failed_total() >= 4 && summary.dropped_total() >= 2,
        "{summary}"
    );
    for (record, data) in response.records.iter().zip(decoded_data(&response)) {
        assert_no_address(
            &format!("{:?} data of record {}", record.result, record.record_id),
            &data,
        );
    }
    assert_no_address("response", &wire);
    assert_no_address("summary", &summary.to_string());
}

#[test]
fn cli_emits_no_address_on_stdout_stderr_or_disk() {
    let input = hostile_lines().join("\n") + "\n";
    let file = std::env::temp_dir().join(format!("pixelstream-privacy-{}.tsv", std::process::id()));
    std::fs::write(&file, &input).unwrap();
    let out_dir =
        std::env::temp_dir().join(format!("pixelstream-privacy-out-{}", std::process::id()));
    let out = out_dir.to_str().unwrap();
    let outputs = [
        &[][..],
        &["--out", out][..],
        &["--out", out, "--out-format", "ndjson"][..],
    ];
    for extra in outputs {
        let output = Command::new(env!("CARGO_BIN_EXE_pixelstream"))
            .args([
                "replay",
                "--domains",
                "mydomain.tld",
                file.to_str().unwrap(),
            ])
            .args(extra)
            .output()
            .unwrap();
        assert!(output.status.success());
        assert_no_address("stdout", &String::from_utf8_lossy(&output.stdout));
        assert_no_address("stderr", &String::from_utf8_lossy(&output.stderr));
    }
    for entry in common::files_under(&out_dir) {
        let text = if entry.extension().is_some_and(|e| e == "parquet") {
            let rows = common::parquet_rows(&entry);
            assert!(!rows.is_empty(), "{}", entry.display());
            serde_json::to_string(&rows).unwrap()
        } else {
            std::fs::read_to_string(&entry).unwrap()
        };
        assert_no_address(&entry.display().to_string(), &text);
    }
    std::fs::remove_file(&file).unwrap();
    std::fs::remove_dir_all(&out_dir).unwrap();
}

/// Ok records of `lines` as JSON, keyed with `salts`.
fn records(lines: &[String], salts: &Salts, domains: &str) -> Vec<Value> {
    let pipeline = Pipeline::new(Config::from_settings("default", domains).unwrap());
    let (wire, _) = transform(&pipeline, event(lines), salts, NonZeroUsize::MIN);
    decoded_data(&parsed(&wire))
        .iter()
        .map(|data| serde_json::from_str(data).unwrap())
        .collect()
}

fn visitor(record: &Value) -> &str {
    record["daily_visitor_id"]
        .as_str()
        .expect("daily_visitor_id")
}

#[test]
fn same_visitor_same_day_same_id_and_any_change_gives_another() {
    let salts = Salts::derived_from(b"secret");
    let base = line(IPV4, "a", PAGE_VIEW);
    let same = line(IPV4, "b", &PAGE_VIEW.replace("pa=%252F", "pa=%252Fother"));
    let other_ip = line("141.118.81.89", "c", PAGE_VIEW);
    let next_day = base.replacen("1749861000.111", "1749947400.111", 1);
    let other_domain = line(
        IPV4,
        "d",
        &PAGE_VIEW.replace("mydomain.tld", "shop.example.com"),
    );
    let lines = [base.clone(), same, other_ip, next_day, other_domain];
    let got = records(&lines, &salts, "mydomain.tld,shop.example.com");
    assert_eq!(visitor(&got[0]), visitor(&got[1]), "same visitor, same day");
    assert_ne!(visitor(&got[0]), visitor(&got[2]), "other address");
    assert_ne!(visitor(&got[0]), visitor(&got[3]), "other day");
    assert_ne!(visitor(&got[0]), visitor(&got[4]), "other domain");
    let other_salt = records(
        &[base],
        &Salts::derived_from(b"other secret"),
        "mydomain.tld",
    );
    assert_ne!(visitor(&got[0]), visitor(&other_salt[0]), "other salt");
    assert_ne!(
        got[0]["daily_page_view_id"], got[1]["daily_page_view_id"],
        "other page"
    );
}

#[test]
fn page_view_ids_are_unique_per_hit_and_stable_per_line() {
    let salts = Salts::derived_from(b"secret");
    let with_ids: Vec<String> = (0..50)
        .map(|i| line(IPV4, &format!("req-{i}"), PAGE_VIEW))
        .collect();
    let without_ids: Vec<String> = (0..50)
        .map(|i| {
            line(IPV4, "-", PAGE_VIEW).replacen("1749861000.111", &format!("1749861{i:03}.111"), 1)
        })
        .collect();
    for lines in [with_ids, without_ids] {
        let first = records(&lines, &salts, "mydomain.tld");
        let replay = records(&lines, &salts, "mydomain.tld");
        let ids: std::collections::HashSet<&str> = first
            .iter()
            .map(|r| r["page_view_id"].as_str().unwrap())
            .collect();
        assert_eq!(ids.len(), lines.len(), "no two hits share a page_view_id");
        for (a, b) in first.iter().zip(&replay) {
            assert_eq!(
                a["page_view_id"], b["page_view_id"],
                "a replayed line keeps its id"
            );
        }
    }
}

#[test]
fn hits_just_after_midnight_also_carry_yesterdays_visitor_id() {
    let salts = Salts::derived_from(b"secret");
    let just_after = line(IPV4, "a", PAGE_VIEW).replacen("1749861000.111", "1749859260.000", 1);
    let late_evening = line(IPV4, "b", PAGE_VIEW).replacen("1749861000.111", "1749858000.000", 1);
    let later = line(IPV4, "c", PAGE_VIEW).replacen("1749861000.111", "1749862000.000", 1);
    let got = records(&[just_after, late_evening, later], &salts, "mydomain.tld");
    assert_eq!(
        got[0]["previous_daily_visitor_id"], got[1]["daily_visitor_id"],
        "stitches across midnight"
    );
    assert!(got[1].get("previous_daily_visitor_id").is_none());
    assert!(
        got[2].get("previous_daily_visitor_id").is_none(),
        "only the first 30 minutes"
    );
}

#[test]
fn days_without_a_salt_get_no_ids_but_keep_the_record() {
    let today = pixelstream_core::time::Date::parse("2025-06-14").unwrap();
    let salts = Salts::for_days([(today, b"only today".to_vec())]);
    let old = line(IPV4, "-", PAGE_VIEW).replacen("1749861000.111", "1749600000.000", 1);
    let got = records(&[old], &salts, "mydomain.tld");
    assert!(got[0].get("daily_visitor_id").is_none());
    assert!(got[0].get("page_view_id").is_none());
    assert_eq!(got[0]["request_path"], "/");
}

/// Click-id values are personal identifiers: the record names the parameter, never its value,
/// in Ok records, failure data and the summary alike.
#[test]
fn click_ids_are_recorded_by_name_never_by_value() {
    const GCLID: &str = "CjwKCAiSecretGclidValue42";
    const FBCLID: &str = "IwARSecretFbclidValue42";
    let page = format!(
        "https%253A%252F%252Fmydomain.tld%252Flanding%253Fgclid%253D{GCLID}%2526fbclid%253D{FBCLID}"
    );
    let query = format!("{PAGE_VIEW}&u={page}");
    let kept = line(IPV4, "a", &query);
    let failed = kept.replacen("1749861000.111", "not-a-time", 1);
    let (wire, summary) = transform(
        &pipeline(),
        event(&[kept, failed]),
        &Salts::derived_from(b"s"),
        NonZeroUsize::MIN,
    );
    let response = parsed(&wire);
    assert_eq!((summary.ok, summary.failed_total()), (1, 1), "{summary}");
    let data = decoded_data(&response);
    let record: Value = serde_json::from_str(&data[0]).unwrap();
    assert_eq!(record["click_id_param"], "gclid", "gclid outranks fbclid");
    assert_eq!(record["channel"], "Paid Search");
    assert_eq!(record["request_url"], "https://mydomain.tld/landing");
    let whole = format!("{}{summary}{wire}", data.concat());
    for value in [GCLID, FBCLID] {
        assert!(!whole.contains(value), "{value} leaked: {whole}");
    }
}
