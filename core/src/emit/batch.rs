//! The batch function: a batch of records in, exactly one typed answer per record out, in
//! order, within Lambda's response limit. The wire format ([`super::firehose`]) only encodes
//! these answers.

use std::collections::BTreeMap;
use std::fmt;
use std::num::NonZeroUsize;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use super::firehose::{RESPONSE_BUDGET_BYTES, RESPONSE_ENVELOPE_BYTES, response_entry_bytes};
use super::json;
use super::partition::PartitionKeys;
use super::scrub::scrub_line;
use crate::enrich::ids::Salts;
use crate::outcome::{DropReason, FailReason, Failure, Notes, Outcome, Row};
use crate::parse::hit::trim_line_end;
use crate::pipeline::{Pipeline, joined};

/// One input record: its id and its line, or why it has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchRecord<'a> {
    /// The id the answer must repeat.
    pub record_id: &'a str,
    /// The log line, or `None` when the record's data could not be decoded.
    pub line: Option<&'a [u8]>,
}

/// What happened to one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerKind {
    /// Kept, for this partition.
    Ok(PartitionKeys<'static>),
    /// Deliberately filtered out.
    Dropped(DropReason),
    /// Could not be processed.
    Failed(FailReason),
}

impl AnswerKind {
    /// The reason as counted, for `Dropped` and `Failed`.
    pub fn reason(&self) -> Option<&'static str> {
        match self {
            AnswerKind::Ok(_) => None,
            AnswerKind::Dropped(reason) => Some(reason.as_str()),
            AnswerKind::Failed(reason) => Some(reason.as_str()),
        }
    }
}

/// One record's typed answer; its body (the `data` bytes before any wire encoding) lives in
/// [`BatchAnswers`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// What happened.
    pub kind: AnswerKind,
    /// Which of [`BatchAnswers::bodies`] holds the body.
    slice: usize,
    /// Where the body is in it.
    body: Range<usize>,
}

/// The answers of one batch, in input order, and their counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchAnswers {
    /// One answer per input record.
    pub answers: Vec<Answer>,
    /// The bodies of each slice of the batch a worker answered, back to back: a record's
    /// JSON object and a newline (`Ok`), or the [`RejectionBody`] (`Dropped`,
    /// `ProcessingFailed`).
    bodies: Vec<Vec<u8>>,
    /// Counts per result and reason.
    pub summary: BatchSummary,
}

impl BatchAnswers {
    /// The body of `answer`.
    pub fn body(&self, answer: &Answer) -> &[u8] {
        &self.bodies[answer.slice][answer.body.clone()]
    }
}

/// The body of a `Dropped` or `ProcessingFailed` answer: `{"result","reason"[,"detail"]
/// [,"line_bytes","line"]}` and a newline, the line scrubbed of addresses and secrets.
#[derive(Debug, Clone, Copy)]
pub struct RejectionBody<'b> {
    /// `Dropped` or `ProcessingFailed`.
    pub result: &'static str,
    /// The countable reason.
    pub reason: &'static str,
    /// Which field and why (failures only).
    pub detail: Option<&'b str>,
    /// The scrubbed line and the original line's length (failures of a readable line).
    pub line: Option<(&'b str, usize)>,
}

impl RejectionBody<'_> {
    /// Appends the body.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"result\":\"");
        out.extend_from_slice(self.result.as_bytes());
        out.extend_from_slice(b"\",\"reason\":\"");
        out.extend_from_slice(self.reason.as_bytes());
        out.push(b'"');
        if let Some(detail) = self.detail {
            out.extend_from_slice(b",\"detail\":");
            json::write_str(out, detail);
        }
        if let Some((line, line_bytes)) = self.line {
            out.extend_from_slice(b",\"line_bytes\":");
            json::write_int(out, line_bytes);
            out.extend_from_slice(b",\"line\":");
            json::write_str(out, line);
        }
        out.extend_from_slice(b"}\n");
    }
}

/// Detail of the answer to a record past the response budget.
const SIZE_LIMIT_DETAIL: &str = "the batch's response reached the 6 MB Lambda limit";

fn failed_body<'b>(
    reason: FailReason,
    detail: &'b str,
    line: Option<(&'b str, usize)>,
) -> RejectionBody<'b> {
    RejectionBody {
        result: "ProcessingFailed",
        reason: reason.as_str(),
        detail: Some(detail),
        line,
    }
}

/// How `Ok` records are written into their bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordEncoding {
    /// Compact JSON without null columns: what Firehose receives.
    Compact,
    /// JSON listing every column, `null` for unknown values: a readable listing.
    AllColumns,
}

/// Answers a Firehose batch: every input record exactly once, in input order, `Ok` records
/// as compact JSON, and a response that stays within [`RESPONSE_BUDGET_BYTES`] on the wire.
///
/// The budget is a hard guarantee whatever Firehose sends: once the next full answer would not
/// fit beside the minimal answers still owed to the remaining records, records are answered
/// `ProcessingFailed` (`response_size_limit`) with a small body, so Firehose keeps them under
/// the error prefix instead of failing the whole invocation. With the recommended buffer
/// (1 MB) real traffic never gets near it.
///
/// Up to `workers` threads (one per [`MIN_RECORDS_PER_WORKER`] records) take slices of the
/// batch in turn; the answers are the same for any number of workers.
pub fn answer_batch(
    pipeline: &Pipeline,
    records: &[BatchRecord<'_>],
    salts: &Salts,
    workers: NonZeroUsize,
) -> BatchAnswers {
    let slices = answer_slices(pipeline, records, salts, workers);
    settle(records, slices, Some(RESPONSE_BUDGET_BYTES))
}

/// Answers records for a local listing: the same per-record code as [`answer_batch`], with
/// `encoding` and no response budget (nothing goes over Lambda's wire).
pub fn answer_lines(
    pipeline: &Pipeline,
    records: &[BatchRecord<'_>],
    salts: &Salts,
    encoding: RecordEncoding,
) -> BatchAnswers {
    let slice = answer_slice(pipeline, records, salts, encoding.encoder());
    settle(records, vec![slice], None)
}

/// Answers records for a local writer of its own format: the same per-record code as
/// [`answer_batch`], without a response budget; each `Ok` row goes to `keep` (which may append
/// a body) instead of being written as JSON.
pub fn answer_lines_with(
    pipeline: &Pipeline,
    records: &[BatchRecord<'_>],
    salts: &Salts,
    keep: impl FnMut(&Row<'_>, &mut Vec<u8>),
) -> BatchAnswers {
    let slice = answer_slice(pipeline, records, salts, keep);
    settle(records, vec![slice], None)
}

impl RecordEncoding {
    /// Writes a row's record in this encoding, newline-terminated.
    fn encoder(self) -> impl FnMut(&Row<'_>, &mut Vec<u8>) + Copy + Send {
        move |row, bodies| {
            match self {
                RecordEncoding::Compact => row.record.write_json(bodies),
                RecordEncoding::AllColumns => row.record.write_json_all_columns(bodies),
            }
            bodies.push(b'\n');
        }
    }
}

/// Fewest records a worker of [`answer_batch`] gets: below it, starting a thread costs more
/// than it saves.
pub const MIN_RECORDS_PER_WORKER: usize = 200;

/// Slices per worker of [`answer_batch`]: workers take slices in turn, so one that meets more
/// first sights (user agents whose regexes compile now) than the others does not hold the
/// batch up.
const SLICES_PER_WORKER: usize = 4;

/// The answers of consecutive slices of `records`, in order; `workers` threads (the calling
/// one among them) take the slices in turn.
fn answer_slices(
    pipeline: &Pipeline,
    records: &[BatchRecord<'_>],
    salts: &Salts,
    workers: NonZeroUsize,
) -> Vec<SliceAnswers> {
    let workers = workers
        .get()
        .min(records.len() / MIN_RECORDS_PER_WORKER)
        .max(1);
    let encoder = RecordEncoding::Compact.encoder();
    if workers == 1 {
        return vec![answer_slice(pipeline, records, salts, encoder)];
    }
    let slices: Vec<&[BatchRecord<'_>]> = records
        .chunks(records.len().div_ceil(workers * SLICES_PER_WORKER))
        .collect();
    let next = AtomicUsize::new(0);
    let take_slices = || {
        let mut answered = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(slice) = slices.get(index) else {
                break answered;
            };
            answered.push((index, answer_slice(pipeline, slice, salts, encoder)));
        }
    };
    let mut answered = thread::scope(|scope| {
        let others: Vec<_> = (1..workers).map(|_| scope.spawn(take_slices)).collect();
        let mut answered = take_slices();
        for worker in others {
            answered.extend(joined(worker));
        }
        answered
    });
    answered.sort_unstable_by_key(|(index, _)| *index);
    answered.into_iter().map(|(_, slice)| slice).collect()
}

/// What a worker found for its slice of a batch, before the response budget is applied.
struct SliceAnswers {
    /// Per record: what happened, its notes, whether it is a kept bot hit, where its body is.
    answers: Vec<(AnswerKind, Notes, bool, Range<usize>)>,
    /// The bodies, back to back.
    bodies: Vec<u8>,
}

/// Answers each record of a slice, appending its body.
fn answer_slice(
    pipeline: &Pipeline,
    records: &[BatchRecord<'_>],
    salts: &Salts,
    mut keep: impl FnMut(&Row<'_>, &mut Vec<u8>),
) -> SliceAnswers {
    let mut slice = SliceAnswers {
        answers: Vec::with_capacity(records.len()),
        bodies: Vec::with_capacity(bodies_estimate(records)),
    };
    for record in records {
        let start = slice.bodies.len();
        let (kind, notes, bot) = answer(pipeline, record, salts, &mut keep, &mut slice.bodies);
        let body = start..slice.bodies.len();
        slice.answers.push((kind, notes, bot, body));
    }
    slice
}

/// Room for a slice's bodies: a record's JSON is about as long as its line plus the column
/// names. Reserved up front, so the bodies are not copied as they grow; capacity that stays
/// unused is never touched and costs no memory.
fn bodies_estimate(records: &[BatchRecord<'_>]) -> usize {
    records
        .iter()
        .map(|record| record.line.map_or(0, <[u8]>::len) + 1024)
        .sum()
}

/// The batch's answers in input order, counted; with a `budget`, the answers past it are
/// replaced (see [`answer_batch`]).
fn settle(
    records: &[BatchRecord<'_>],
    slices: Vec<SliceAnswers>,
    budget: Option<usize>,
) -> BatchAnswers {
    let mut batch = BatchAnswers {
        answers: Vec::with_capacity(records.len()),
        bodies: Vec::with_capacity(slices.len()),
        summary: BatchSummary::default(),
    };
    let size_limit_entry_bytes = size_limit_entry_bytes();
    let mut owed: usize = records
        .iter()
        .map(|r| size_limit_entry_bytes(r.record_id))
        .sum();
    let mut used = RESPONSE_ENVELOPE_BYTES;
    let mut records = records.iter();
    for (
        index,
        SliceAnswers {
            answers,
            mut bodies,
        },
    ) in slices.into_iter().enumerate()
    {
        for ((mut kind, mut notes, mut bot, mut body), record) in
            answers.into_iter().zip(&mut records)
        {
            owed -= size_limit_entry_bytes(record.record_id);
            let mut entry = response_entry_bytes(record.record_id, body.len(), &kind);
            if budget.is_some_and(|budget| used + entry + owed > budget) {
                // Later bodies of this slice follow this one, so the replacement goes last.
                let start = bodies.len();
                failed_body(FailReason::ResponseSizeLimit, SIZE_LIMIT_DETAIL, None)
                    .write_json(&mut bodies);
                body = start..bodies.len();
                (kind, notes, bot) = (
                    AnswerKind::Failed(FailReason::ResponseSizeLimit),
                    Notes::default(),
                    false,
                );
                entry = size_limit_entry_bytes(record.record_id);
            }
            used += entry;
            let answer = Answer {
                kind,
                slice: index,
                body,
            };
            batch.summary.count(&answer, notes, bot);
            batch.answers.push(answer);
        }
        batch.bodies.push(bodies);
    }
    batch
}

/// The wire size of the answer to a record past the budget, per record id.
fn size_limit_entry_bytes() -> impl Fn(&str) -> usize {
    let mut body = Vec::new();
    failed_body(FailReason::ResponseSizeLimit, SIZE_LIMIT_DETAIL, None).write_json(&mut body);
    let kind = AnswerKind::Failed(FailReason::ResponseSizeLimit);
    move |record_id| response_entry_bytes(record_id, body.len(), &kind)
}

/// Answers one record, appending its body to `bodies`; also says the record's notes and
/// whether it is a kept bot hit.
fn answer(
    pipeline: &Pipeline,
    record: &BatchRecord<'_>,
    salts: &Salts,
    keep: &mut impl FnMut(&Row<'_>, &mut Vec<u8>),
    bodies: &mut Vec<u8>,
) -> (AnswerKind, Notes, bool) {
    let Some(line) = record.line else {
        let failure = Failure::new(FailReason::InvalidBase64, "data: not valid base64");
        failed_body(failure.reason, &failure.detail, None).write_json(bodies);
        return (AnswerKind::Failed(failure.reason), Notes::default(), false);
    };
    match pipeline.process_line(line, salts) {
        Outcome::Ok(row) => {
            keep(&row, bodies);
            let bot = row.record.request_is_bot == Some(1);
            (AnswerKind::Ok(row.keys.into_owned()), row.notes, bot)
        }
        Outcome::Dropped(reason) => {
            RejectionBody {
                result: "Dropped",
                reason: reason.as_str(),
                detail: None,
                line: None,
            }
            .write_json(bodies);
            (AnswerKind::Dropped(reason), Notes::default(), false)
        }
        Outcome::Failed(failure) => {
            let line = trim_line_end(line);
            let scrubbed = scrub_line(line, &pipeline.config().fields);
            failed_body(
                failure.reason,
                &failure.detail,
                Some((&scrubbed, line.len())),
            )
            .write_json(bodies);
            (AnswerKind::Failed(failure.reason), Notes::default(), false)
        }
    }
}

/// Counts per result and reason for one or more batches: the line a shell logs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
    /// Bytes of the answers' bodies, summed (before any wire encoding).
    pub body_bytes: usize,
}

impl BatchSummary {
    fn count(&mut self, answer: &Answer, notes: Notes, bot: bool) {
        self.records += 1;
        self.body_bytes += answer.body.len();
        self.bots += usize::from(bot);
        for note in notes.iter() {
            *self.notes.entry(note.as_str()).or_default() += 1;
        }
        match &answer.kind {
            AnswerKind::Ok(_) => self.ok += 1,
            AnswerKind::Dropped(reason) => *self.dropped.entry(reason.as_str()).or_default() += 1,
            AnswerKind::Failed(reason) => {
                *self.processing_failed.entry(reason.as_str()).or_default() += 1;
            }
        }
    }

    /// Adds another summary's counts to this one.
    pub fn merge(&mut self, other: &BatchSummary) {
        self.records += other.records;
        self.ok += other.ok;
        self.body_bytes += other.body_bytes;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    const ONE: NonZeroUsize = NonZeroUsize::MIN;

    fn pipeline() -> Pipeline {
        Pipeline::new(Config::from_settings("ownstats", "*").unwrap())
    }

    fn salts() -> Salts {
        Salts::derived_from(b"test salt")
    }

    fn records<'a>(lines: &'a [&'a [u8]], ids: &'a [String]) -> Vec<BatchRecord<'a>> {
        lines
            .iter()
            .zip(ids)
            .map(|(line, id)| BatchRecord {
                record_id: id,
                line: Some(line),
            })
            .collect()
    }

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("record-{i}")).collect()
    }

    fn body_json(batch: &BatchAnswers, index: usize) -> serde_json::Value {
        let body = batch.body(&batch.answers[index]);
        assert_eq!(body.last(), Some(&b'\n'));
        serde_json::from_slice(&body[..body.len() - 1]).unwrap()
    }

    const SAMPLE: &str = "1682084241.469\t1.2.3.4\t200\t/hello.gif\t789\tHAM50-P2\t0.001\tMozilla/5.0\t-\tt=pv&hn=mydomain.tld&pa=%252F\tHit\t3320";

    #[test]
    fn undecodable_data_is_a_failed_record_not_a_failed_batch() {
        let ids = ids(1);
        let batch = answer_batch(
            &pipeline(),
            &[BatchRecord {
                record_id: &ids[0],
                line: None,
            }],
            &salts(),
            ONE,
        );
        assert_eq!(
            batch.answers[0].kind,
            AnswerKind::Failed(FailReason::InvalidBase64)
        );
        assert_eq!(body_json(&batch, 0)["reason"], "invalid_base64");
        assert_eq!(
            batch.summary.processing_failed.get("invalid_base64"),
            Some(&1)
        );
    }

    #[test]
    fn dropped_and_failed_bodies_say_why() {
        let ids = ids(3);
        let lines: [&[u8]; 3] = [b"a\t1.2.3.4", b"", b"1682084241.469\t1.2.3.4\t200\t/favicon.ico\t789\tHAM50-P2\t0.001\tUA\t-\t-\tHit\t3320"];
        let batch = answer_batch(&pipeline(), &records(&lines, &ids), &salts(), ONE);
        let failed = body_json(&batch, 0);
        assert_eq!(failed["reason"], "field_count_mismatch");
        assert_eq!(
            failed["detail"],
            "expected 12 tab-separated fields, found 2"
        );
        assert_eq!(failed["line"], "a\t1.2.3.0");
        assert_eq!(failed["line_bytes"], 9);
        assert_eq!(body_json(&batch, 1)["reason"], "empty_line");
        assert_eq!(
            String::from_utf8(batch.body(&batch.answers[2]).to_vec()).unwrap(),
            "{\"result\":\"Dropped\",\"reason\":\"not_pixel_path\"}\n"
        );
        assert_eq!(
            batch.summary.to_string(),
            "3 records: 0 Ok, 1 Dropped (not_pixel_path=1), 2 ProcessingFailed (empty_line=1, field_count_mismatch=1); 0 bots"
        );
    }

    #[test]
    fn ok_bodies_are_the_record_and_a_newline() {
        let ids = ids(1);
        let lines: [&[u8]; 1] = [SAMPLE.as_bytes()];
        let batch = answer_batch(&pipeline(), &records(&lines, &ids), &salts(), ONE);
        let AnswerKind::Ok(keys) = &batch.answers[0].kind else {
            panic!("{:?}", batch.answers[0]);
        };
        assert_eq!(keys.domain_name, "mydomain.tld");
        assert_eq!(body_json(&batch, 0)["request_path"], "/");
        assert_eq!(batch.summary.ok, 1);
    }

    #[test]
    fn past_the_budget_records_get_the_small_size_limit_answer() {
        let ids = ids(3);
        let lines: [&[u8]; 3] = [SAMPLE.as_bytes(); 3];
        let full = answer_batch(&pipeline(), &records(&lines, &ids), &salts(), ONE);
        let one_entry = response_entry_bytes(
            &ids[0],
            full.body(&full.answers[0]).len(),
            &full.answers[0].kind,
        );
        // Room for one full answer and the minimal answers of the two after it.
        let budget = RESPONSE_ENVELOPE_BYTES + one_entry + 2 * size_limit_entry_bytes()(&ids[1]);
        // The budget holds across the slices of several workers: split after the first record.
        let records = records(&lines, &ids);
        let (first, rest) = records.split_at(1);
        let encoder = RecordEncoding::Compact.encoder();
        let slices = vec![
            answer_slice(&pipeline(), first, &salts(), encoder),
            answer_slice(&pipeline(), rest, &salts(), encoder),
        ];
        let cut = settle(&records, slices, Some(budget));
        assert!(matches!(cut.answers[0].kind, AnswerKind::Ok(_)));
        for index in 1..3 {
            assert_eq!(
                cut.answers[index].kind,
                AnswerKind::Failed(FailReason::ResponseSizeLimit)
            );
            assert_eq!(body_json(&cut, index)["reason"], "response_size_limit");
            let mut small = Vec::new();
            failed_body(FailReason::ResponseSizeLimit, SIZE_LIMIT_DETAIL, None)
                .write_json(&mut small);
            assert_eq!(cut.body(&cut.answers[index]), small);
        }
        assert_eq!(
            cut.summary.processing_failed.get("response_size_limit"),
            Some(&2)
        );
        assert_eq!(cut.answers.len(), 3, "every record is still answered");
    }

    #[test]
    fn any_number_of_workers_gives_the_same_answers() {
        let lines: Vec<&[u8]> = include_bytes!("../../../fixtures/bench/log-lines-n2000.tsv")
            .split_inclusive(|&b| b == b'\n')
            .take(1000)
            .collect();
        let ids = ids(lines.len());
        let records = records(&lines, &ids);
        let one = answer_batch(&pipeline(), &records, &salts(), ONE);
        let three = answer_batch(
            &pipeline(),
            &records,
            &salts(),
            NonZeroUsize::new(3).unwrap(),
        );
        assert_eq!(
            three.bodies.len(),
            3 * SLICES_PER_WORKER,
            "three workers took their slices"
        );
        assert_eq!(one.summary, three.summary);
        assert!(one.summary.ok > 900, "{}", one.summary);
        for (a, b) in one.answers.iter().zip(&three.answers) {
            assert_eq!((&a.kind, one.body(a)), (&b.kind, three.body(b)));
        }
    }

    #[test]
    fn summaries_merge() {
        let ids = ids(3);
        let a_lines: [&[u8]; 1] = [b""];
        let b_lines: [&[u8]; 2] = [b"", b"x"];
        let mut a = answer_batch(&pipeline(), &records(&a_lines, &ids), &salts(), ONE).summary;
        let b = answer_batch(&pipeline(), &records(&b_lines, &ids), &salts(), ONE).summary;
        a.merge(&b);
        assert_eq!(a.records, 3);
        assert_eq!(a.processing_failed.get("empty_line"), Some(&2));
        assert_eq!(a.failed_total(), 3);
    }
}
