//! What the fuzz targets assert, one entry point per target. Plain Rust over
//! `pixelstream-core`, `serde_json` and `base64`, so the stable regression test
//! (`tests/fuzz_regressions.rs`) includes this file and replays crash inputs through the very
//! same checks. Every check panics on a violated property.

use std::borrow::Cow;
use std::net::IpAddr;
use std::num::NonZeroUsize;
use std::sync::LazyLock;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use pixelstream_core::emit::batch::{BatchRecord, RecordEncoding, answer_lines};
use pixelstream_core::emit::firehose::{
    FirehoseEventRecord, FirehoseResponse, LAMBDA_RESPONSE_LIMIT_BYTES, RecordResult,
};
use pixelstream_core::emit::json;
use pixelstream_core::emit::partition::PartitionKeys;
use pixelstream_core::emit::record::{COLUMNS, Record, Value};
use pixelstream_core::emit::scrub::anonymize_ips;
use pixelstream_core::enrich::bot::{BotReason, BotReasons};
use pixelstream_core::enrich::ids::Salts;
use pixelstream_core::outcome::{Failure, Row};
use pixelstream_core::parse::decode::{
    fully_decoded, has_escape, header_value, percent_decode, tracker_value, truncate,
};
use pixelstream_core::parse::query::TrackerQuery;
use pixelstream_core::time::Timestamp;
use pixelstream_core::{BatchSummary, Config, FirehoseEvent, Outcome, Pipeline, transform};
use serde_json::{Map, Value as Json};

/// The field lists fuzzed (see [`pipeline_for`]). Both put `c-ip` in the second column.
const FIELD_LISTS: [&str; 2] = ["default", "ownstats"];

/// Shortest client address the privacy checks look for (`1.2.3.4`).
const MIN_ADDRESS_BYTES: usize = 7;

/// One pipeline per field list, every domain allowed; built once (loading the embedded lists
/// is costly).
static PIPELINES: LazyLock<Vec<Pipeline>> = LazyLock::new(|| {
    FIELD_LISTS
        .iter()
        .map(|fields| Pipeline::new(Config::from_settings(fields, "*").expect("a preset")))
        .collect()
});

/// The pipeline whose field list has as many columns as `line` (a line of the other list
/// could only fail on its column count, which every other input tests); `ownstats` otherwise.
fn pipeline_for(line: &[u8]) -> &'static Pipeline {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let columns = 1 + line.iter().filter(|&&b| b == b'\t').count();
    PIPELINES
        .iter()
        .find(|pipeline| pipeline.config().fields.len() == columns)
        .unwrap_or(&PIPELINES[1])
}

/// Fresh salts per input, so no state carries over between inputs.
fn salts() -> Salts {
    Salts::derived_from(b"pixelstream fuzz salt")
}

// ---------------------------------------------------------------------------------------------
// Target `line`: one raw log line through the pipeline.

/// Runs `data` as one log line through the `default` or `ownstats` pipeline (by its column
/// count, see [`pipeline_for`]): kept rows write valid one-line JSON matching their typed
/// values, carry DNS-name partition keys and never the client's address; failures never echo
/// it; rejection bodies are JSON + newline.
pub fn line(data: &[u8]) {
    let salts = salts();
    let client_ip = client_ip(data);
    let pipeline = pipeline_for(data);
    match pipeline.process_line(data, &salts) {
        Outcome::Ok(row) => check_row(&row, client_ip),
        Outcome::Dropped(_) => check_rejection_body(pipeline, data, &salts, client_ip),
        Outcome::Failed(failure) => {
            check_failure(pipeline, data, &failure, client_ip);
            check_rejection_body(pipeline, data, &salts, client_ip);
        }
    }
}

/// The line's `c-ip` column (the second, in both field lists), when long enough to matter.
fn client_ip(line: &[u8]) -> Option<&[u8]> {
    line.split(|&b| b == b'\t')
        .nth(1)
        .map(<[u8]>::trim_ascii_end)
        .filter(|ip| ip.len() >= MIN_ADDRESS_BYTES)
}

/// The client address as an IP address whose network differs from it (`1.2.3.0` is its own
/// /24 network, so it may legitimately stay).
fn anonymizable_ip(client_ip: Option<&[u8]>) -> Option<&str> {
    let text = std::str::from_utf8(client_ip?).ok()?;
    (text.parse::<IpAddr>().is_ok() && anonymize_ips(text) != text).then_some(text)
}

fn check_row(row: &Row<'_>, client_ip: Option<&[u8]>) {
    let json = check_record_json(&row.record);
    check_keys(&row.keys);
    if let Some(ip) = anonymizable_ip(client_ip) {
        assert!(
            !contains_address(&json, ip),
            "the record carries the client address {ip}: {json}"
        );
    }
}

/// A failure detail never echoes the `c-ip` column: when it holds the column's text, so does
/// the detail of the same line with that column blanked out (the text is then the message's
/// own, as `d fields, fou` is in "expected 14 tab-separated fields, found 10").
fn check_failure(pipeline: &Pipeline, line: &[u8], failure: &Failure, client_ip: Option<&[u8]>) {
    let Some(ip) = client_ip.filter(|ip| contains(failure.detail.as_bytes(), ip)) else {
        return;
    };
    let blanked = line_with_client_ip(line, &vec![b'x'; ip.len()]);
    let own_text = match pipeline.process_line(&blanked, &salts()) {
        Outcome::Failed(other) => contains(other.detail.as_bytes(), ip),
        Outcome::Ok(_) | Outcome::Dropped(_) => false,
    };
    assert!(
        own_text,
        "the failure detail echoes the client-ip field: {failure}"
    );
}

/// `line` with its `c-ip` column (the second, trailing whitespace kept) replaced.
fn line_with_client_ip(line: &[u8], replacement: &[u8]) -> Vec<u8> {
    let mut columns: Vec<&[u8]> = line.split(|&b| b == b'\t').collect();
    let trimmed = columns[1].trim_ascii_end().len();
    let rest = &columns[1][trimmed..];
    let column = [replacement, rest].concat();
    columns[1] = &column;
    columns.join(&b'\t')
}

/// The NDJSON answer to a rejected line (a kept row's body is [`check_record_json`]'s): one
/// JSON object and one newline, a failure's scrubbed line without the client address.
fn check_rejection_body(pipeline: &Pipeline, line: &[u8], salts: &Salts, client_ip: Option<&[u8]>) {
    let records = [BatchRecord {
        record_id: "0",
        line: Some(line),
    }];
    let batch = answer_lines(pipeline, &records, salts, RecordEncoding::Compact);
    assert_eq!(batch.answers.len(), 1, "one answer per record");
    let body = check_body(batch.body(&batch.answers[0]));
    let scrubbed = body.get("line").and_then(Json::as_str);
    if let (Some(scrubbed), Some(ip)) = (scrubbed, anonymizable_ip(client_ip)) {
        assert!(
            !contains_address(scrubbed, ip),
            "the failure output keeps the client address {ip}: {scrubbed}"
        );
    }
}

/// Whether `haystack` holds `needle` as a whole address, not inside a longer run of address
/// characters (`11.2.3.45` is not `1.2.3.4`).
fn contains_address(haystack: &str, needle: &str) -> bool {
    let is_address_byte = |b: &u8| b.is_ascii_hexdigit() || matches!(b, b':' | b'.');
    let bytes = haystack.as_bytes();
    haystack.match_indices(needle).any(|(at, _)| {
        let before = at.checked_sub(1).and_then(|i| bytes.get(i));
        let after = bytes.get(at + needle.len());
        !before.is_some_and(is_address_byte) && !after.is_some_and(is_address_byte)
    })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// Partition keys: a valid lower-case DNS name (no path or key separators can reach S3), a
/// date in 2000–2099, and keys JSON within its size bound.
fn check_keys(keys: &PartitionKeys<'_>) {
    let domain: &str = &keys.domain_name;
    assert!(
        is_dns_name(domain),
        "domain_name {domain:?} is not a lower-case DNS name"
    );
    assert!(
        (2000..=2099).contains(&keys.event_date.year),
        "event_date {} is outside 2000–2099",
        keys.event_date
    );
    let mut out = Vec::new();
    keys.write_json(&mut out);
    assert!(
        out.len() <= keys.json_len_bound(),
        "keys JSON past its bound"
    );
    let value: Json = serde_json::from_slice(&out).expect("the keys are JSON");
    assert_eq!(value["domain_name"], domain);
    assert_eq!(value["event_type"], keys.event_type.as_str());
}

/// `a-z 0-9 -` labels of 1–63 bytes joined by dots, at most 253 bytes.
fn is_dns_name(name: &str) -> bool {
    let label_ok = |label: &str| {
        (1..=63).contains(&label.len())
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    name.len() <= 253 && name.split('.').all(label_ok)
}

// ---------------------------------------------------------------------------------------------
// The NDJSON writer, for pipeline records and for made-up ones.

/// Checks both JSON writers of `record` against its typed values and returns the compact
/// JSON: one line, one object, a key per non-null column holding exactly its value.
fn check_record_json(record: &Record<'_>) -> String {
    let mut compact = Vec::new();
    record.write_json(&mut compact);
    let compact = String::from_utf8(compact).expect("the record JSON is UTF-8");
    let object = one_line_object(&compact);
    let mut non_null = Vec::new();
    record.for_each_value(|index, value| {
        let name = COLUMNS[index].name;
        if value != Value::Null {
            non_null.push(index);
        }
        check_column(name, value, object.get(name));
    });
    assert_eq!(object.len(), non_null.len(), "one key per non-null column");
    check_key_order(&compact, non_null.iter().copied());

    let mut all = Vec::new();
    record.write_json_all_columns(&mut all);
    let all = String::from_utf8(all).expect("the record JSON is UTF-8");
    check_key_order(&all, 0..COLUMNS.len());
    let all = one_line_object(&all);
    assert_eq!(all.len(), COLUMNS.len(), "every column");
    record.for_each_value(|index, value| {
        let name = COLUMNS[index].name;
        let written = all.get(name).filter(|v| !v.is_null());
        check_column(name, value, written);
    });
    compact
}

/// Each column's JSON key, `"name":`.
static COLUMN_KEYS: LazyLock<Vec<String>> = LazyLock::new(|| {
    COLUMNS
        .iter()
        .map(|column| format!("\"{}\":", column.name))
        .collect()
});

/// The keys of the columns `indices` appear in `json` in this order (an unescaped `"name":`
/// is always a key).
fn check_key_order(json: &str, indices: impl IntoIterator<Item = usize>) {
    let mut from = 0;
    for index in indices {
        let key = &COLUMN_KEYS[index];
        let at = json[from..].find(key.as_str());
        assert!(at.is_some(), "key {key} missing or out of column order");
        from += at.unwrap_or_default() + key.len();
    }
}

/// Parses `text` as one JSON object on one line.
fn one_line_object(text: &str) -> Map<String, Json> {
    assert!(
        !text.contains(['\n', '\r']),
        "a raw line break in the JSON: {text:?}"
    );
    match serde_json::from_str(text) {
        Ok(Json::Object(object)) => object,
        Ok(other) => panic!("not a JSON object: {other}"),
        Err(err) => panic!("invalid JSON ({err}): {text:?}"),
    }
}

/// The written JSON of one column equals its typed value (`None`: the key is absent).
fn check_column(name: &str, value: Value<'_>, written: Option<&Json>) {
    let ok = match (value, written) {
        (Value::Null, None) => true,
        (Value::Int(n), Some(json)) => json.as_i64() == Some(i64::from(n)),
        (Value::BigInt(n), Some(json)) => json.as_i64() == Some(n),
        (Value::Double(x), Some(json)) => json.as_f64().is_some_and(|y| same_double(x, y)),
        (Value::Text(text), Some(json)) => json.as_str() == Some(text),
        (Value::Timestamp(ts), Some(json)) => json.as_str() == Some(ts.to_string().as_str()),
        (Value::Reasons(reasons), Some(json)) => {
            let names: Vec<&str> = reasons.iter().map(BotReason::as_str).collect();
            !names.is_empty() && *json == Json::from(names)
        }
        _ => false,
    };
    assert!(ok, "column {name}: {value:?} written as {written:?}");
}

/// Equal up to serde_json's float parsing (exact to within a few ulps without its
/// `float_roundtrip` feature).
fn same_double(written: f64, read: f64) -> bool {
    (written - read).abs() <= 4.0 * f64::EPSILON * written.abs().max(f64::MIN_POSITIVE)
}

/// Target `ndjson`: the JSON writer on arbitrary text (strings round-trip through serde_json
/// and never hold a raw line break) and on records made from the input, before and after
/// [`Record::replace_text`].
pub fn ndjson(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut out = Vec::new();
    json::write_str(&mut out, &text);
    assert!(!out.contains(&b'\n'), "a raw newline in a JSON string");
    let back: String = serde_json::from_slice(&out).expect("a JSON string");
    assert_eq!(back, text, "write_str round-trips");

    let pieces: Vec<&str> = text.split('\t').collect();
    let mut record = record_of(&pieces, data);
    check_record_json(&record);
    if let [needle, replacement, ..] = pieces[..] {
        record.replace_text(needle, replacement);
        check_record_json(&record);
    }
}

/// A record whose text columns are `pieces` and whose numbers come from `data`'s bytes.
fn record_of<'a>(pieces: &[&'a str], data: &[u8]) -> Record<'a> {
    let text = |i: usize| pieces.get(i).copied().map(Cow::Borrowed);
    let shared = |i: usize| pieces.get(i).map(|piece| (*piece).into());
    let word = |i: usize| {
        let mut bytes = [0u8; 8];
        for (j, byte) in bytes.iter_mut().enumerate() {
            *byte = data.get(i * 8 + j).copied().unwrap_or_default();
        }
        u64::from_le_bytes(bytes)
    };
    // A server time in 2000–2099, as the pipeline only ever writes.
    let timestamp = |bits: u64| Timestamp(946_684_800_000 + (bits % 3_155_760_000_000) as i64);
    let reasons = BotReason::ALL
        .into_iter()
        .filter(|reason| (word(4) >> (*reason as u64)) & 1 == 1)
        .fold(BotReasons::default(), |mut set, reason| {
            set.insert(reason);
            set
        });
    Record {
        referrer: text(0),
        request_url: text(1),
        request_path: text(2),
        event_name: text(3),
        event_data: text(4),
        utm_term: text(5),
        browser_timezone: text(6),
        browser_name: shared(7),
        device_vendor: shared(8),
        event_year: Some(word(0) as i32),
        request_bytes: Some(word(1) as i64),
        edge_latitude: Some(f64::from_bits(word(2))),
        device_memory: Some(f64::from_bits(word(3))),
        arrival_timestamp: Some(timestamp(word(5))),
        event_timestamp: Some(timestamp(word(6))),
        bot_reasons: reasons,
        ..Record::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Target `firehose_event`: the batch function's wire contract.

/// Parses `data` as a Firehose event (or, when it is not one, makes an event with one record
/// per line of `data`, so mutations reach the lines under the base64) and checks the
/// transformation contract, with the field list the first record's line fits.
pub fn firehose_event(data: &[u8]) {
    let event =
        serde_json::from_slice::<FirehoseEvent>(data).unwrap_or_else(|_| event_of_lines(data));
    let first_line = event
        .records
        .first()
        .and_then(|record| BASE64.decode(record.data.trim_ascii()).ok())
        .unwrap_or_default();
    let (wire, summary) = transform(
        pipeline_for(&first_line),
        event.clone(),
        &salts(),
        NonZeroUsize::MIN,
    );
    check_response(&event, &wire, &summary);
}

/// An event with a record per `\n`-terminated line of `data`.
fn event_of_lines(data: &[u8]) -> FirehoseEvent {
    let records = data
        .split_inclusive(|&b| b == b'\n')
        .enumerate()
        .map(|(i, line)| FirehoseEventRecord {
            record_id: format!("4954698668313554428650745793632162567570019247115{i:07}"),
            approximate_arrival_timestamp: None,
            data: BASE64.encode(line),
        })
        .collect();
    FirehoseEvent {
        records,
        ..FirehoseEvent::default()
    }
}

/// The response text `wire` parses as Firehose's response, within Lambda's limit, with one
/// answer per record, same ids in the same order, each `data` the base64 of one JSON object
/// and exactly one newline, metadata exactly on `Ok`, and counts that add up. Returns the
/// parsed response.
pub fn check_response(
    event: &FirehoseEvent,
    wire: &str,
    summary: &BatchSummary,
) -> FirehoseResponse {
    assert!(
        wire.len() <= LAMBDA_RESPONSE_LIMIT_BYTES,
        "a response of {} bytes exceeds Lambda's limit",
        wire.len()
    );
    check_wire_spellings(wire.as_bytes());
    let response: FirehoseResponse =
        serde_json::from_str(wire).expect("the response is a Firehose response");
    let ids: Vec<&str> = event.records.iter().map(|r| r.record_id.as_str()).collect();
    let answered: Vec<&str> = response
        .records
        .iter()
        .map(|r| r.record_id.as_str())
        .collect();
    assert_eq!(answered, ids, "every record id once, in input order");
    let count = |result: RecordResult| {
        response
            .records
            .iter()
            .filter(|r| r.result == result)
            .count()
    };
    assert_eq!(summary.records, ids.len());
    assert_eq!(summary.ok, count(RecordResult::Ok));
    assert_eq!(summary.dropped_total(), count(RecordResult::Dropped));
    assert_eq!(
        summary.failed_total(),
        count(RecordResult::ProcessingFailed)
    );
    for record in &response.records {
        let data = BASE64.decode(&record.data).expect("data is base64");
        let body = check_body(&data);
        match (&record.metadata, record.result) {
            (Some(metadata), RecordResult::Ok) => check_keys(&metadata.partition_keys),
            (None, RecordResult::Dropped | RecordResult::ProcessingFailed) => {
                assert_eq!(body["result"], record.result.as_str());
            }
            (metadata, result) => panic!("{result:?} with metadata {metadata:?}"),
        }
    }
    response
}

/// The response as Firehose reads it: results spelled `Ok`, `Dropped` or `ProcessingFailed`,
/// `metadata.partitionKeys` with the three keys on `Ok` answers, no `metadata` on the others.
fn check_wire_spellings(wire: &[u8]) {
    let response: Json = serde_json::from_slice(wire).expect("the response is JSON");
    let records = response["records"].as_array().expect("a records array");
    for record in records {
        let result = record["result"].as_str().expect("a result string");
        assert!(
            ["Ok", "Dropped", "ProcessingFailed"].contains(&result),
            "result spelled {result:?}"
        );
        if result == "Ok" {
            let keys = &record["metadata"]["partitionKeys"];
            for key in ["domain_name", "event_type", "event_date"] {
                assert!(
                    keys[key].is_string(),
                    "an Ok answer lacks partition key {key}"
                );
            }
        } else {
            assert!(record.get("metadata").is_none(), "{result} with metadata");
        }
    }
}

/// A body is one JSON object followed by exactly one `\n`.
fn check_body(body: &[u8]) -> Map<String, Json> {
    let object = body
        .strip_suffix(b"\n")
        .expect("the body ends in a newline");
    let text = std::str::from_utf8(object).expect("the body is UTF-8");
    one_line_object(text)
}

// ---------------------------------------------------------------------------------------------
// Target `decode`: the percent-decoder, tracker values and the tracker query.

/// The first byte is a length bound for [`truncate`]; the rest is decoded in every way the
/// parser decodes values and checked against plain reference implementations.
pub fn decode(data: &[u8]) {
    let (max, input) = match data.split_first() {
        Some((max, rest)) => (usize::from(*max), rest),
        None => (0, data),
    };
    for plus_as_space in [false, true] {
        check_percent_decode(input, plus_as_space);
    }
    let lossy = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    let once = reference_decode(input, false);
    assert_eq!(header_value(input), lossy(&once), "header_value");
    assert_eq!(
        tracker_value(input),
        lossy(&reference_decode(&once, true)),
        "tracker_value"
    );
    let text = String::from_utf8_lossy(input);
    assert_eq!(fully_decoded(&text), reference_fully_decoded(&text));
    check_truncate(&text, max);
    check_tracker_query(input);
}

fn check_percent_decode(input: &[u8], plus_as_space: bool) {
    let decoded = percent_decode(input, plus_as_space);
    assert_eq!(
        *decoded,
        reference_decode(input, plus_as_space),
        "percent_decode(plus_as_space: {plus_as_space})"
    );
    let special = |b: &u8| *b == b'%' || (plus_as_space && *b == b'+');
    if !input.iter().any(special) {
        assert!(
            matches!(decoded, Cow::Borrowed(_)),
            "plain input is borrowed"
        );
    }
}

/// Byte-at-a-time percent-decoding: `%` and two hex digits is the byte, `+` optionally a
/// space, anything else itself.
fn reference_decode(input: &[u8], plus_as_space: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let escaped = match input[i..] {
            [b'%', high, low, ..] if high.is_ascii_hexdigit() && low.is_ascii_hexdigit() => {
                Some(hex_digit(high) << 4 | hex_digit(low))
            }
            _ => None,
        };
        match (escaped, input[i]) {
            (Some(byte), _) => {
                out.push(byte);
                i += 3;
            }
            (None, b'+') if plus_as_space => {
                out.push(b' ');
                i += 1;
            }
            (None, byte) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

fn hex_digit(digit: u8) -> u8 {
    char::from(digit).to_digit(16).map_or(0, |d| d as u8)
}

/// Form-decodes, then decodes again (at most twice more) while valid escapes remain.
fn reference_fully_decoded(raw: &str) -> String {
    let lossy = |bytes: Vec<u8>| String::from_utf8_lossy(&bytes).into_owned();
    let mut text = lossy(reference_decode(raw.as_bytes(), true));
    for _ in 0..2 {
        if !has_escape(text.as_bytes()) {
            break;
        }
        text = lossy(reference_decode(text.as_bytes(), false));
    }
    text
}

/// [`truncate`] keeps the longest prefix of at most `max` bytes that ends on a character
/// boundary, borrowed or owned alike.
fn check_truncate(text: &str, max: usize) {
    for cut in [
        truncate(Cow::Borrowed(text), max),
        truncate(Cow::Owned(text.to_owned()), max),
    ] {
        assert!(cut.len() <= max, "cut past {max} bytes");
        assert!(text.starts_with(&*cut), "not a prefix");
        let longest = (0..=max.min(text.len()))
            .rev()
            .find(|end| text.is_char_boundary(*end))
            .unwrap_or(0);
        assert_eq!(cut.len(), longest, "the longest prefix within {max} bytes");
    }
}

/// The tracker's known keys, as [`TrackerQuery`] names them.
const TRACKER_KEYS: [&str; 24] = [
    "t", "ts", "u", "hn", "pa", "r", "ua", "iw", "ih", "w", "h", "d", "l", "p", "m", "c", "tz",
    "en", "pr", "uso", "uca", "ume", "uco", "ute",
];

/// [`TrackerQuery::parse`] equals a naive split: `&`-separated pairs, the value after the
/// first `=`, the first non-empty value of each known key.
fn check_tracker_query(query: &[u8]) {
    let mut expected = TrackerQuery::default();
    for pair in query.split(|&b| b == b'&') {
        let (key, value) = match pair.iter().position(|&b| b == b'=') {
            Some(eq) => (&pair[..eq], &pair[eq + 1..]),
            None => (pair, &b""[..]),
        };
        let known = TRACKER_KEYS.iter().find(|k| k.as_bytes() == key);
        if let (Some(key), false) = (known, value.is_empty()) {
            let slot = tracker_slot(&mut expected, key);
            if slot.is_none() {
                *slot = Some(value);
            }
        }
    }
    assert_eq!(TrackerQuery::parse(query), expected, "TrackerQuery::parse");
}

/// The field of `query` for a key of [`TRACKER_KEYS`].
fn tracker_slot<'q, 'a>(query: &'q mut TrackerQuery<'a>, key: &str) -> &'q mut Option<&'a [u8]> {
    match key {
        "t" => &mut query.t,
        "ts" => &mut query.ts,
        "u" => &mut query.u,
        "hn" => &mut query.hn,
        "pa" => &mut query.pa,
        "r" => &mut query.r,
        "ua" => &mut query.ua,
        "iw" => &mut query.iw,
        "ih" => &mut query.ih,
        "w" => &mut query.w,
        "h" => &mut query.h,
        "d" => &mut query.d,
        "l" => &mut query.l,
        "p" => &mut query.p,
        "m" => &mut query.m,
        "c" => &mut query.c,
        "tz" => &mut query.tz,
        "en" => &mut query.en,
        "pr" => &mut query.pr,
        "uso" => &mut query.uso,
        "uca" => &mut query.uca,
        "ume" => &mut query.ume,
        "uco" => &mut query.uco,
        "ute" => &mut query.ute,
        other => unreachable!("not a tracker key: {other}"),
    }
}
