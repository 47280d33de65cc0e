//! The Firehose transformation wire format: serde types for the event and the response, and
//! base64 around the batch function's typed answers ([`super::batch`]).

use std::io::{self, Write};
use std::num::NonZeroUsize;

use base64_simd::STANDARD as BASE64;
use serde::{Deserialize, Serialize};

use super::batch::{AnswerKind, BatchAnswers, BatchRecord, BatchSummary, answer_batch};
use super::json;
use super::partition::PartitionKeys;
use crate::enrich::ids::Salts;
use crate::pipeline::Pipeline;

/// Lambda's limit on a synchronous response.
pub const LAMBDA_RESPONSE_LIMIT_BYTES: usize = 6 * 1024 * 1024;
/// What the batch function lets a response grow to, leaving margin under the limit.
pub const RESPONSE_BUDGET_BYTES: usize = 5_800_000;

/// A Firehose data-transformation event (the fields pixelstream reads).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FirehoseEvent {
    /// Id of this invocation.
    #[serde(default)]
    pub invocation_id: String,
    /// The delivery stream's ARN.
    #[serde(default)]
    pub delivery_stream_arn: String,
    /// The AWS region.
    #[serde(default)]
    pub region: String,
    /// The records to transform.
    pub records: Vec<FirehoseEventRecord>,
}

/// One record of a [`FirehoseEvent`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FirehoseEventRecord {
    /// Id the response must repeat.
    pub record_id: String,
    /// When the record reached Kinesis (epoch ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approximate_arrival_timestamp: Option<i64>,
    /// Base64 of one CloudFront real-time log line.
    pub data: String,
}

/// The answer to a [`FirehoseEvent`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirehoseResponse {
    /// One entry per input record, in input order.
    pub records: Vec<FirehoseResponseRecord>,
}

/// The answer for one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FirehoseResponseRecord {
    /// The input record's id.
    pub record_id: String,
    /// `Ok`, `Dropped` or `ProcessingFailed`.
    pub result: RecordResult,
    /// Base64 of the answer's body: one JSON object and a newline.
    pub data: String,
    /// Partition keys of `Ok` records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<ResponseMetadata>,
}

/// Record metadata carrying the dynamic partition keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseMetadata {
    /// Keys for `!{partitionKeyFromLambda:…}`.
    #[serde(rename = "partitionKeys")]
    pub partition_keys: PartitionKeys<'static>,
}

/// The per-record result Firehose understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RecordResult {
    /// Transformed; deliver `data` to the partition.
    Ok,
    /// Deliberately filtered out.
    Dropped,
    /// Could not be processed; Firehose writes it under the error prefix.
    ProcessingFailed,
}

impl RecordResult {
    /// The result of a typed answer.
    pub fn of(kind: &AnswerKind) -> RecordResult {
        match kind {
            AnswerKind::Ok(_) => RecordResult::Ok,
            AnswerKind::Dropped(_) => RecordResult::Dropped,
            AnswerKind::Failed(_) => RecordResult::ProcessingFailed,
        }
    }

    /// The spelling Firehose expects.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordResult::Ok => "Ok",
            RecordResult::Dropped => "Dropped",
            RecordResult::ProcessingFailed => "ProcessingFailed",
        }
    }
}

/// Transforms a Firehose event: decodes each record's base64, answers the batch with
/// `workers` threads (see [`answer_batch`]) and writes the response JSON, the exact text
/// Lambda returns.
pub fn transform(
    pipeline: &Pipeline,
    event: FirehoseEvent,
    salts: &Salts,
    workers: NonZeroUsize,
) -> (String, BatchSummary) {
    with_records(event, |records| {
        let batch = answer_batch(pipeline, records, salts, workers);
        let mut response = Vec::with_capacity(response_bytes(records, &batch));
        write_response(records, &batch, &mut response).expect("writing to memory cannot fail");
        let response =
            String::from_utf8(response).expect("the response is written from UTF-8 text and ASCII");
        (response, batch.summary)
    })
}

/// [`transform`], writing the response to `out` as it goes instead of returning it (a local
/// replay need not hold it in memory). The counts come back even when writing fails.
pub fn transform_into(
    pipeline: &Pipeline,
    event: FirehoseEvent,
    salts: &Salts,
    workers: NonZeroUsize,
    out: &mut impl Write,
) -> (BatchSummary, io::Result<()>) {
    with_records(event, |records| {
        let batch = answer_batch(pipeline, records, salts, workers);
        let written = write_response(records, &batch, out);
        (batch.summary, written)
    })
}

/// Calls `answer` with the event's records, their data decoded from base64 (`None` for data
/// that is not base64). Each record's data is decoded in its own buffer, so a batch needs no
/// second copy of its lines.
pub fn with_records<R>(event: FirehoseEvent, answer: impl FnOnce(&[BatchRecord<'_>]) -> R) -> R {
    let decoded: Vec<(String, Option<Vec<u8>>)> = event
        .records
        .into_iter()
        .map(|record| (record.record_id, decode_in_place(record.data.into_bytes())))
        .collect();
    let records: Vec<BatchRecord<'_>> = decoded
        .iter()
        .map(|(record_id, line)| BatchRecord {
            record_id,
            line: line.as_deref(),
        })
        .collect();
    answer(&records)
}

/// The bytes that `data`, base64 between optional ASCII whitespace, encodes, decoded in
/// `data`'s own buffer; `None` when it is not base64.
fn decode_in_place(mut data: Vec<u8>) -> Option<Vec<u8>> {
    let start = data.len() - data.trim_ascii_start().len();
    let end = data.trim_ascii_end().len().max(start);
    let decoded = BASE64.decode_inplace(&mut data[start..end]).ok()?.len();
    data.copy_within(start..start + decoded, 0);
    data.truncate(decoded);
    Some(data)
}

/// The response's size, from [`response_entry_bytes`]: a buffer of it holds the response
/// without a growing copy.
fn response_bytes(records: &[BatchRecord<'_>], batch: &BatchAnswers) -> usize {
    RESPONSE_ENVELOPE_BYTES
        + records
            .iter()
            .zip(&batch.answers)
            .map(|(record, answer)| {
                response_entry_bytes(record.record_id, batch.body(answer).len(), &answer.kind)
            })
            .sum::<usize>()
}

/// Writes the response JSON for typed answers, as serde would write a [`FirehoseResponse`]:
/// each body in base64, partition keys as metadata. Each entry is put together in one
/// reused buffer and written whole.
fn write_response(
    records: &[BatchRecord<'_>],
    batch: &BatchAnswers,
    out: &mut impl Write,
) -> io::Result<()> {
    let mut entry = Vec::new();
    out.write_all(b"{\"records\":[")?;
    for (index, (record, answer)) in records.iter().zip(&batch.answers).enumerate() {
        entry.clear();
        if index > 0 {
            entry.push(b',');
        }
        entry.extend_from_slice(b"{\"recordId\":");
        json::write_str(&mut entry, record.record_id);
        entry.extend_from_slice(b",\"result\":\"");
        entry.extend_from_slice(RecordResult::of(&answer.kind).as_str().as_bytes());
        entry.extend_from_slice(b"\",\"data\":\"");
        BASE64.encode_append(batch.body(answer), &mut entry);
        entry.push(b'"');
        if let AnswerKind::Ok(keys) = &answer.kind {
            entry.extend_from_slice(b",\"metadata\":{\"partitionKeys\":");
            keys.write_json(&mut entry);
            entry.push(b'}');
        }
        entry.push(b'}');
        out.write_all(&entry)?;
    }
    out.write_all(b"]}")
}

/// `{"records":[` … `]}`.
pub const RESPONSE_ENVELOPE_BYTES: usize = 16;

/// Upper bound of one response entry's JSON size (quotes, keys, escapes, comma included) for
/// a body of `body_len` bytes.
pub fn response_entry_bytes(record_id: &str, body_len: usize, kind: &AnswerKind) -> usize {
    const FIXED: usize = r#"{"recordId":"","result":"ProcessingFailed","data":""},"#.len();
    const METADATA: usize = r#","metadata":{"partitionKeys":}"#.len();
    let metadata = match kind {
        AnswerKind::Ok(keys) => METADATA + keys.json_len_bound(),
        AnswerKind::Dropped(_) | AnswerKind::Failed(_) => 0,
    };
    FIXED + escaped_len(record_id) + base64_len(body_len) + metadata
}

/// Bytes `text` takes inside a JSON string as serde_json writes it: a control character as
/// `\u00XX` (6 bytes; at most that for the short forms), `"` and `\` as 2. Firehose's ids are
/// plain ASCII, but an event can carry anything.
fn escaped_len(text: &str) -> usize {
    text.bytes()
        .map(|b| match b {
            0x00..=0x1f => 6,
            b'"' | b'\\' => 2,
            _ => 1,
        })
        .sum()
}

/// Length of the padded base64 of `bytes` bytes.
fn base64_len(bytes: usize) -> usize {
    bytes.div_ceil(3) * 4
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD as BASE64;

    fn pipeline() -> Pipeline {
        Pipeline::new(Config::from_settings("ownstats", "*").unwrap())
    }

    /// The response text to `event` (one worker) and the batch's counts.
    fn transformed(event: &FirehoseEvent) -> (String, BatchSummary) {
        transform(
            &pipeline(),
            event.clone(),
            &Salts::derived_from(b"s"),
            NonZeroUsize::MIN,
        )
    }

    /// The response to `event`, read back through the serde types.
    fn response(event: &FirehoseEvent) -> FirehoseResponse {
        serde_json::from_str(&transformed(event).0).unwrap()
    }

    /// Forty bench lines, a line that is no log line and data that is no base64, under record
    /// ids that need escaping.
    fn mixed_event() -> FirehoseEvent {
        let lines = include_str!("../../../fixtures/bench/log-lines-n2000.tsv")
            .lines()
            .take(40)
            .chain(["not a log line"]);
        let mut records: Vec<FirehoseEventRecord> = lines
            .enumerate()
            .map(|(index, line)| FirehoseEventRecord {
                record_id: format!("id-{index}\u{1}\"\\"),
                approximate_arrival_timestamp: None,
                data: BASE64.encode(line),
            })
            .collect();
        records.push(FirehoseEventRecord {
            record_id: "bad".into(),
            approximate_arrival_timestamp: None,
            data: "%%%".into(),
        });
        FirehoseEvent {
            records,
            ..FirehoseEvent::default()
        }
    }

    #[test]
    fn written_response_is_what_serde_writes_for_the_same_answers() {
        let event = mixed_event();
        let (json, summary) = transformed(&event);
        assert!(summary.ok >= 30 && summary.failed_total() >= 2, "{summary}");
        let parsed: FirehoseResponse = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed.records.len(), event.records.len());
        assert_eq!(serde_json::to_string(&parsed).unwrap(), json);
    }

    #[test]
    fn a_streamed_response_is_the_returned_one_byte_for_byte() {
        let (json, summary) = transformed(&mixed_event());
        let mut streamed = Vec::new();
        let (streamed_summary, written) = transform_into(
            &pipeline(),
            mixed_event(),
            &Salts::derived_from(b"s"),
            NonZeroUsize::MIN,
            &mut streamed,
        );
        assert!(written.is_ok());
        assert_eq!(String::from_utf8(streamed).unwrap(), json);
        assert_eq!(streamed_summary, summary);
    }

    /// A writer that refuses every write.
    struct Refusing;

    impl Write for Refusing {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failed_write_still_gives_the_counts() {
        let event = mixed_event();
        let records = event.records.len();
        let (summary, written) = transform_into(
            &pipeline(),
            event,
            &Salts::derived_from(b"s"),
            NonZeroUsize::MIN,
            &mut Refusing,
        );
        assert_eq!(summary.records, records);
        assert_eq!(written.unwrap_err().kind(), io::ErrorKind::BrokenPipe);
    }

    #[test]
    fn record_data_decodes_in_place_between_whitespace() {
        let data = |text: &str| text.as_bytes().to_vec();
        assert_eq!(
            decode_in_place(data(" \taGVsbG8=\r\n")).as_deref(),
            Some(&b"hello"[..])
        );
        assert_eq!(
            decode_in_place(data("aGVsbG8=")).as_deref(),
            Some(&b"hello"[..])
        );
        assert_eq!(decode_in_place(data("  ")).as_deref(), Some(&b""[..]));
        assert_eq!(decode_in_place(data("aGV%bG8=")), None);
    }

    #[test]
    fn entry_bound_covers_record_ids_that_need_escaping() {
        // Control characters escape to 6 bytes (`\u0001`): the bound must hold for them too.
        let record_id = format!("{}\"\\id", "\u{1}".repeat(100));
        let event = FirehoseEvent {
            records: vec![FirehoseEventRecord {
                record_id: record_id.clone(),
                approximate_arrival_timestamp: None,
                data: String::new(),
            }],
            ..FirehoseEvent::default()
        };
        let response = response(&event);
        let entry = serde_json::to_string(&response.records[0]).unwrap();
        let kind = AnswerKind::Failed(crate::outcome::FailReason::EmptyLine);
        let body = BASE64.decode(&response.records[0].data).unwrap();
        assert!(entry.len() < response_entry_bytes(&record_id, body.len(), &kind));
        assert_eq!(escaped_len(&record_id), 100 * 6 + 2 + 2 + 2);
    }

    #[test]
    fn results_serialize_with_firehose_spellings() {
        let json = serde_json::to_string(&[
            RecordResult::Ok,
            RecordResult::Dropped,
            RecordResult::ProcessingFailed,
        ])
        .unwrap();
        assert_eq!(json, r#"["Ok","Dropped","ProcessingFailed"]"#);
    }

    #[test]
    fn bad_base64_is_a_failed_record_and_good_data_is_decoded() {
        let event = FirehoseEvent {
            records: vec![
                FirehoseEventRecord {
                    record_id: "a".into(),
                    data: "%%%not base64".into(),
                    ..FirehoseEventRecord::default()
                },
                FirehoseEventRecord {
                    record_id: "b".into(),
                    data: BASE64.encode(b"x"),
                    ..FirehoseEventRecord::default()
                },
            ],
            ..FirehoseEvent::default()
        };
        let (json, summary) = transformed(&event);
        let response: FirehoseResponse = serde_json::from_str(&json).unwrap();
        let ids: Vec<&str> = response
            .records
            .iter()
            .map(|r| r.record_id.as_str())
            .collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(summary.processing_failed.get("invalid_base64"), Some(&1));
        assert_eq!(
            summary.processing_failed.get("field_count_mismatch"),
            Some(&1)
        );
        let data = BASE64.decode(&response.records[1].data).unwrap();
        assert!(data.starts_with(b"{\"result\":\"ProcessingFailed\""));
    }

    #[test]
    fn entry_bounds_cover_the_serialized_entry() {
        let keys = PartitionKeys {
            domain_name: "a.example".into(),
            event_type: crate::outcome::EventType::Pageview,
            event_date: crate::time::Date::parse("2024-02-29").unwrap(),
        };
        let entry = FirehoseResponseRecord {
            record_id: "49546986683135544286507457936321625675700192471156785154".into(),
            result: RecordResult::Ok,
            data: BASE64.encode([b'x'; 100]),
            metadata: Some(ResponseMetadata {
                partition_keys: keys.clone(),
            }),
        };
        let serialized = serde_json::to_string(&entry).unwrap().len() + 1;
        let bound = response_entry_bytes(&entry.record_id, 100, &AnswerKind::Ok(keys));
        assert!(serialized <= bound, "{serialized} > {bound}");
    }
}
