//! The Firehose transformation contract: a batch of base64 log lines in, exactly one answer
//! per `recordId` out, within Lambda's 6 MB response limit.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};

use crate::enrich::ids::Salts;
use crate::json;
use crate::pipeline::{FailReason, Failure, Note, Outcome, Pipeline, trim_line_end};
use crate::scrub::scrub_line;

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
    /// Base64 of one JSON object and a newline.
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
    pub partition_keys: OwnedPartitionKeys,
}

/// Partition keys as strings, as Firehose reads them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OwnedPartitionKeys {
    /// Allowed host name.
    pub domain_name: String,
    /// `pageview` or `event`.
    pub event_type: String,
    /// `yyyy-MM-dd` (UTC, server time).
    pub event_date: String,
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
    /// The spelling Firehose expects.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordResult::Ok => "Ok",
            RecordResult::Dropped => "Dropped",
            RecordResult::ProcessingFailed => "ProcessingFailed",
        }
    }
}

/// Counts per result and reason for one or more batches: the line a shell logs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BatchSummary {
    /// Records seen.
    pub records: usize,
    /// Records answered `Ok`.
    pub ok: usize,
    /// `Dropped` counts per reason.
    pub dropped: BTreeMap<&'static str, usize>,
    /// `ProcessingFailed` counts per reason.
    pub processing_failed: BTreeMap<&'static str, usize>,
    /// `Ok` records flagged as bots (kept, with `request_is_bot = 1`).
    pub bots: usize,
    /// Enrichment gaps in `Ok` records, per note (e.g. `unknown_edge_location`).
    pub notes: BTreeMap<&'static str, usize>,
    /// Bytes of the response's base64 `data`, summed.
    pub data_bytes: usize,
}

impl BatchSummary {
    fn count(&mut self, answer: &Answer) {
        self.records += 1;
        self.data_bytes += answer.data.len();
        self.bots += usize::from(answer.bot);
        for note in &answer.notes {
            *self.notes.entry(note.as_str()).or_default() += 1;
        }
        let (result, reason) = (answer.result, answer.reason);
        let reason = reason.unwrap_or("unspecified");
        match result {
            RecordResult::Ok => self.ok += 1,
            RecordResult::Dropped => *self.dropped.entry(reason).or_default() += 1,
            RecordResult::ProcessingFailed => {
                *self.processing_failed.entry(reason).or_default() += 1
            }
        }
    }

    /// Adds another summary's counts to this one.
    pub fn merge(&mut self, other: &BatchSummary) {
        self.records += other.records;
        self.ok += other.ok;
        self.data_bytes += other.data_bytes;
        self.bots += other.bots;
        for (note, n) in &other.notes {
            *self.notes.entry(note).or_default() += n;
        }
        for (reason, n) in &other.dropped {
            *self.dropped.entry(reason).or_default() += n;
        }
        for (reason, n) in &other.processing_failed {
            *self.processing_failed.entry(reason).or_default() += n;
        }
    }

    /// Records answered `Dropped`.
    pub fn dropped_total(&self) -> usize {
        self.dropped.values().sum()
    }

    /// Records answered `ProcessingFailed`.
    pub fn failed_total(&self) -> usize {
        self.processing_failed.values().sum()
    }
}

/// `2000 records: 1950 Ok, 40 Dropped (not_pixel_path=28, …), 10 ProcessingFailed (…);
/// 24 bots; notes (unknown_edge_location=3)`.
impl fmt::Display for BatchSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn reasons(f: &mut fmt::Formatter<'_>, counts: &BTreeMap<&str, usize>) -> fmt::Result {
            let parts: Vec<String> = counts.iter().map(|(r, n)| format!("{r}={n}")).collect();
            if parts.is_empty() {
                Ok(())
            } else {
                write!(f, " ({})", parts.join(", "))
            }
        }
        write!(
            f,
            "{} records: {} Ok, {} Dropped",
            self.records,
            self.ok,
            self.dropped_total()
        )?;
        reasons(f, &self.dropped)?;
        write!(f, ", {} ProcessingFailed", self.failed_total())?;
        reasons(f, &self.processing_failed)?;
        write!(f, "; {} bots", self.bots)?;
        if !self.notes.is_empty() {
            f.write_str("; notes")?;
            reasons(f, &self.notes)?;
        }
        Ok(())
    }
}

/// Reusable buffers for one batch.
#[derive(Default)]
struct Scratch {
    line: Vec<u8>,
    json: Vec<u8>,
}

/// One record's answer before it is placed in the response.
struct Answer {
    result: RecordResult,
    reason: Option<&'static str>,
    data: String,
    metadata: Option<ResponseMetadata>,
    bot: bool,
    notes: Vec<Note>,
}

/// Transforms a Firehose batch: every input `recordId` appears exactly once in the response,
/// in input order, and the response stays within [`RESPONSE_BUDGET_BYTES`].
///
/// The budget is a hard guarantee whatever Firehose sends: once the next full answer would not
/// fit beside the minimal answers still owed to the remaining records, records are answered
/// `ProcessingFailed` (`response_size_limit`) with a small `data`, so Firehose keeps them under
/// the error prefix instead of failing the whole invocation. With the recommended buffer
/// (1 MB) real traffic never gets near it.
pub fn transform(
    pipeline: &Pipeline,
    event: FirehoseEvent,
    salts: &Salts,
) -> (FirehoseResponse, BatchSummary) {
    let mut scratch = Scratch::default();
    let mut summary = BatchSummary::default();
    let mut owed: usize = event
        .records
        .iter()
        .map(|r| fallback_entry_bytes(&r.record_id))
        .sum();
    let mut used = RESPONSE_ENVELOPE_BYTES;
    let mut records = Vec::with_capacity(event.records.len());
    for input in event.records {
        owed -= fallback_entry_bytes(&input.record_id);
        let mut answer = answer_record(pipeline, &input.data, salts, &mut scratch);
        if used + entry_bytes(&input.record_id, &answer) + owed > RESPONSE_BUDGET_BYTES {
            answer = size_limit_answer();
        }
        used += entry_bytes(&input.record_id, &answer);
        summary.count(&answer);
        records.push(FirehoseResponseRecord {
            record_id: input.record_id,
            result: answer.result,
            data: answer.data,
            metadata: answer.metadata,
        });
    }
    (FirehoseResponse { records }, summary)
}

fn answer_record(pipeline: &Pipeline, data: &str, salts: &Salts, scratch: &mut Scratch) -> Answer {
    scratch.line.clear();
    if BASE64
        .decode_vec(data.trim_ascii(), &mut scratch.line)
        .is_err()
    {
        let failure = Failure {
            reason: FailReason::InvalidBase64,
            detail: "data: not valid base64".into(),
        };
        return failed_answer(&failure, None, pipeline, &mut scratch.json);
    }
    let json_out = &mut scratch.json;
    json_out.clear();
    match pipeline.process_line(&scratch.line, salts) {
        Outcome::Ok(row) => {
            row.record.write_json(json_out);
            json_out.push(b'\n');
            let keys = OwnedPartitionKeys {
                domain_name: row.keys.domain_name.into_owned(),
                event_type: row.keys.event_type.as_str().to_owned(),
                event_date: row.keys.event_date.to_string(),
            };
            Answer {
                result: RecordResult::Ok,
                reason: None,
                data: BASE64.encode(json_out),
                metadata: Some(ResponseMetadata {
                    partition_keys: keys,
                }),
                bot: row.record.request_is_bot == Some(1),
                notes: row.notes,
            }
        }
        Outcome::Dropped(reason) => {
            json_out.extend_from_slice(b"{\"result\":\"Dropped\",\"reason\":\"");
            json_out.extend_from_slice(reason.as_str().as_bytes());
            json_out.extend_from_slice(b"\"}\n");
            Answer {
                result: RecordResult::Dropped,
                reason: Some(reason.as_str()),
                data: BASE64.encode(json_out),
                metadata: None,
                bot: false,
                notes: Vec::new(),
            }
        }
        Outcome::Failed(failure) => {
            let line = trim_line_end(&scratch.line);
            failed_answer(&failure, Some(line), pipeline, json_out)
        }
    }
}

/// A `ProcessingFailed` answer whose data is `{"result","reason","detail","line"}` with the
/// line scrubbed of addresses and secrets.
fn failed_answer(
    failure: &Failure,
    line: Option<&[u8]>,
    pipeline: &Pipeline,
    json_out: &mut Vec<u8>,
) -> Answer {
    json_out.clear();
    json_out.extend_from_slice(b"{\"result\":\"ProcessingFailed\",\"reason\":\"");
    json_out.extend_from_slice(failure.reason.as_str().as_bytes());
    json_out.extend_from_slice(b"\",\"detail\":");
    json::write_str(json_out, &failure.detail);
    if let Some(line) = line {
        json_out.extend_from_slice(b",\"line_bytes\":");
        json::write_int(json_out, line.len());
        json_out.extend_from_slice(b",\"line\":");
        json::write_str(json_out, &scrub_line(line, &pipeline.config().fields));
    }
    json_out.extend_from_slice(b"}\n");
    Answer {
        result: RecordResult::ProcessingFailed,
        reason: Some(failure.reason.as_str()),
        data: BASE64.encode(json_out),
        metadata: None,
        bot: false,
        notes: Vec::new(),
    }
}

/// The minimal answer for a record past the response budget.
fn size_limit_answer() -> Answer {
    Answer {
        result: RecordResult::ProcessingFailed,
        reason: Some(FailReason::ResponseSizeLimit.as_str()),
        data: BASE64.encode(SIZE_LIMIT_DATA),
        metadata: None,
        bot: false,
        notes: Vec::new(),
    }
}

const SIZE_LIMIT_DATA: &str = "{\"result\":\"ProcessingFailed\",\"reason\":\"response_size_limit\",\"detail\":\"the batch's response reached the 6 MB Lambda limit\"}\n";

/// `{"records":[` … `]}`.
const RESPONSE_ENVELOPE_BYTES: usize = 16;

/// Upper bound of one response entry's JSON size (quotes, keys, escapes, comma included).
fn entry_bytes(record_id: &str, answer: &Answer) -> usize {
    const FIXED: usize = r#"{"recordId":"","result":"ProcessingFailed","data":""},"#.len();
    const METADATA: usize =
        r#","metadata":{"partitionKeys":{"domain_name":"","event_type":"","event_date":""}}"#.len();
    let metadata = answer.metadata.as_ref().map_or(0, |m| {
        let keys = &m.partition_keys;
        METADATA + keys.domain_name.len() + keys.event_type.len() + keys.event_date.len()
    });
    // Ids are plain ASCII from Firehose; doubling covers any escaping.
    FIXED + 2 * record_id.len() + answer.data.len() + metadata
}

fn fallback_entry_bytes(record_id: &str) -> usize {
    entry_bytes(record_id, &size_limit_answer())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn pipeline() -> Pipeline {
        Pipeline::new(Config::from_settings("ownstats", "*").unwrap())
    }

    fn salts() -> Salts {
        Salts::derived_from(b"test salt")
    }

    fn event(lines: &[&[u8]]) -> FirehoseEvent {
        FirehoseEvent {
            records: lines
                .iter()
                .enumerate()
                .map(|(i, line)| FirehoseEventRecord {
                    record_id: format!("record-{i}"),
                    approximate_arrival_timestamp: None,
                    data: BASE64.encode(line),
                })
                .collect(),
            ..FirehoseEvent::default()
        }
    }

    fn decoded(record: &FirehoseResponseRecord) -> serde_json::Value {
        let bytes = BASE64.decode(&record.data).unwrap();
        assert_eq!(bytes.last(), Some(&b'\n'));
        serde_json::from_slice(&bytes[..bytes.len() - 1]).unwrap()
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
    fn bad_base64_is_a_failed_record_not_a_failed_batch() {
        let mut batch = event(&[b"x"]);
        batch.records[0].data = "%%%not base64".into();
        let (response, summary) = transform(&pipeline(), batch, &salts());
        assert_eq!(response.records[0].result, RecordResult::ProcessingFailed);
        assert_eq!(decoded(&response.records[0])["reason"], "invalid_base64");
        assert_eq!(summary.processing_failed.get("invalid_base64"), Some(&1));
    }

    #[test]
    fn dropped_and_failed_data_say_why() {
        let (response, summary) = transform(&pipeline(), event(&[b"a\t1.2.3.4", b""]), &salts());
        let failed = decoded(&response.records[0]);
        assert_eq!(failed["reason"], "field_count_mismatch");
        assert_eq!(
            failed["detail"],
            "expected 12 tab-separated fields, found 2"
        );
        assert_eq!(failed["line"], "a\t1.2.3.0");
        assert_eq!(failed["line_bytes"], 9);
        assert_eq!(decoded(&response.records[1])["reason"], "empty_line");
        assert_eq!(
            summary.to_string(),
            "2 records: 0 Ok, 0 Dropped, 2 ProcessingFailed (empty_line=1, field_count_mismatch=1); 0 bots"
        );
    }

    #[test]
    fn summaries_merge() {
        let (_, mut a) = transform(&pipeline(), event(&[b""]), &salts());
        let (_, b) = transform(&pipeline(), event(&[b"", b"x"]), &salts());
        a.merge(&b);
        assert_eq!(a.records, 3);
        assert_eq!(a.processing_failed.get("empty_line"), Some(&2));
        assert_eq!(a.failed_total(), 3);
    }
}
