//! `pixelstream replay`: log lines through the Lambda's per-record code, locally. Inputs are
//! read as a stream of Firehose-sized batches, answered on every core, and written in input
//! order.

use std::io::{self, BufWriter, Read, Write};
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;

use pixelstream_core::emit::batch::{AnswerKind, RecordEncoding};
use pixelstream_core::emit::firehose::with_records;
use pixelstream_core::enrich::ids::Salts;
use pixelstream_core::{
    BatchAnswers, BatchRecord, BatchSummary, Config, FirehoseEvent, Pipeline, answer_batch,
    answer_lines, answer_lines_with, transform_into,
};
use pixelstream_edge::salts;

use crate::input::{self, Framing, LineBatch, Source};
use crate::parquet::{Limits, PartitionChunks};
use crate::progress::Progress;
use crate::tree::Tree;
use crate::{InputFormat, OutFormat, ReplayArgs};

/// Raw bytes per replayed batch: the processor buffer the CloudFormation stack configures,
/// so local batches look like the ones Firehose sends.
pub const BATCH_BUFFER_BYTES: usize = 1024 * 1024;

/// Standard output's buffer for a Firehose response, written as it is put together.
const RESPONSE_BUFFER_BYTES: usize = 64 * 1024;

/// Runs a replay; `Err` only for the tool's own failures (bad flags, unreadable input).
pub fn run(args: &ReplayArgs) -> Result<(), String> {
    let config = Config::from_settings(&args.options.fields, &args.options.domains)
        .map_err(|e| e.to_string())?;
    let local = salts::local(
        args.options.salt.as_deref(),
        args.options.salt_file.as_deref(),
    )?;
    if local.random {
        eprintln!(
            "pixelstream: no salt given (--salt-file, PIXELSTREAM_SALT): using a random one, so \
             visitor ids of this run match no other run"
        );
    }
    let sources = input::sources(&args.inputs)?;
    // A Firehose event is read and parsed while the pipeline's lists are built.
    let (pipeline, event) = thread::scope(|scope| {
        let event =
            (args.format == InputFormat::Firehose).then(|| scope.spawn(|| read_event(&sources)));
        let pipeline = Pipeline::new(config);
        let event = event.map(|reading| {
            reading
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        (pipeline, event)
    });
    let summary = match args.format {
        InputFormat::Tsv => replay_lines(args, &sources, Framing::Lines, &pipeline, &local.salts)?,
        InputFormat::FirehoseErrors => replay_lines(
            args,
            &sources,
            Framing::FirehoseErrors,
            &pipeline,
            &local.salts,
        )?,
        InputFormat::Firehose => {
            let event = event.unwrap_or_else(|| Err("no event was read".into()))?;
            replay_event(args, &sources, event, &pipeline, &local.salts)?
        }
    };
    eprintln!("pixelstream: {summary}");
    Ok(())
}

/// What the answers of a line replay become.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Output {
    /// One JSON line per input line on standard output.
    Listing,
    /// Files under `--out`, as Firehose would write them, data objects in this format.
    Tree(OutFormat),
}

/// A batch of lines to answer, from input `source`, and where its answer goes.
struct Job {
    source: usize,
    lines: LineBatch,
    reply: SyncSender<Done>,
}

/// An answered batch.
struct Done {
    source: usize,
    answers: BatchAnswers,
    /// The kept rows by partition, for Parquet output.
    chunks: Option<PartitionChunks>,
}

/// Replays lines from `sources` on every core, writing answers in input order.
fn replay_lines(
    args: &ReplayArgs,
    sources: &[Source],
    framing: Framing,
    pipeline: &Pipeline,
    salts: &Salts,
) -> Result<BatchSummary, String> {
    let output = if args.options.out.is_some() {
        Output::Tree(args.options.out_format)
    } else {
        Output::Listing
    };
    let mut sink = Sink::new(args, sources)?;
    let consumed = Arc::new(AtomicU64::new(0));
    let mut progress = Progress::new(sources.iter().filter_map(Source::len).sum(), "bytes");
    let workers = thread::available_parallelism().map_or(1, usize::from);
    let mut summary = BatchSummary::default();
    thread::scope(|scope| -> Result<(), String> {
        // Answers come back in input order: the reader hands the writer each batch's reply
        // channel before queueing the batch. The writer waits for the oldest batch, so at most
        // `workers` batches (about 1 MiB of lines and its answers each) are in flight beyond
        // it, however unevenly the workers run; one queued job keeps every worker busy.
        let (job_tx, job_rx) = sync_channel::<Job>(1);
        let (order_tx, order_rx) = sync_channel::<Receiver<Done>>(workers);
        let reader = scope.spawn({
            let consumed = Arc::clone(&consumed);
            move || read_batches(sources, framing, &order_tx, &job_tx, &consumed)
        });
        let job_rx = Arc::new(Mutex::new(job_rx));
        for _ in 0..workers {
            let job_rx = Arc::clone(&job_rx);
            scope.spawn(move || answer_jobs(pipeline, salts, output, &job_rx));
        }
        drop(job_rx);
        for reply in order_rx {
            let Ok(done) = reply.recv() else {
                return Err("a replay worker stopped unexpectedly".into());
            };
            summary.merge(&done.answers.summary);
            sink.write(done.source, &done.answers, done.chunks)?;
            progress.update(consumed.load(Ordering::Relaxed));
        }
        reader
            .join()
            .unwrap_or_else(|_| Err("the input reader stopped unexpectedly".into()))
    })?;
    progress.finish();
    sink.finish()?;
    Ok(summary)
}

/// Reads every source into batches of about [`BATCH_BUFFER_BYTES`] and queues them, each
/// batch's reply channel first to `order`, in input order.
fn read_batches(
    sources: &[Source],
    framing: Framing,
    order: &SyncSender<Receiver<Done>>,
    jobs: &SyncSender<Job>,
    consumed: &Arc<AtomicU64>,
) -> Result<(), String> {
    for (index, source) in sources.iter().enumerate() {
        let mut reader = source.open_as(framing, Arc::clone(consumed))?;
        let mut first_line = 1;
        while let Some(lines) = input::next_batch(&mut reader, first_line, BATCH_BUFFER_BYTES)
            .map_err(|e| format!("cannot read {}: {e}", source.describe()))?
        {
            first_line += lines.len();
            let (reply, answer) = sync_channel(1);
            let job = Job {
                source: index,
                lines,
                reply,
            };
            if order.send(answer).is_err() || jobs.send(job).is_err() {
                // The writer stopped (it reports why); nothing more to read for.
                return Ok(());
            }
        }
    }
    Ok(())
}

/// A worker: answers queued batches until the queue closes.
fn answer_jobs(pipeline: &Pipeline, salts: &Salts, output: Output, jobs: &Mutex<Receiver<Job>>) {
    loop {
        let job = jobs.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(job) = job else { return };
        let (answers, chunks) = answer_job(pipeline, salts, output, &job.lines);
        let answered = Done {
            source: job.source,
            answers,
            chunks,
        };
        if job.reply.send(answered).is_err() {
            return;
        }
    }
}

/// The Lambda's batch function for a tree (Firehose's bytes, or the same rows for Parquet),
/// or the same per-record code with every column listed for standard output. Record ids are
/// line numbers.
pub(crate) fn answer_job(
    pipeline: &Pipeline,
    salts: &Salts,
    output: Output,
    lines: &LineBatch,
) -> (BatchAnswers, Option<PartitionChunks>) {
    let ids: Vec<String> = (lines.first_line..lines.first_line + lines.len())
        .map(|n| n.to_string())
        .collect();
    let records: Vec<BatchRecord<'_>> = ids
        .iter()
        .zip(lines.lines())
        .map(|(id, line)| BatchRecord {
            record_id: id,
            line: Some(line),
        })
        .collect();
    match output {
        Output::Tree(format) => answer_for_tree(pipeline, &records, salts, format),
        Output::Listing => (
            answer_lines(pipeline, &records, salts, RecordEncoding::AllColumns),
            None,
        ),
    }
}

/// Answers records for the tree: the Lambda's batch function for NDJSON; for Parquet the same
/// per-record code, with the kept rows gathered by partition instead of written as JSON.
fn answer_for_tree(
    pipeline: &Pipeline,
    records: &[BatchRecord<'_>],
    salts: &Salts,
    format: OutFormat,
) -> (BatchAnswers, Option<PartitionChunks>) {
    match format {
        OutFormat::Ndjson => (
            answer_batch(pipeline, records, salts, NonZeroUsize::MIN),
            None,
        ),
        OutFormat::Parquet => {
            let mut chunks = PartitionChunks::default();
            let answers = answer_lines_with(pipeline, records, salts, |row, _| chunks.push(row));
            (answers, Some(chunks))
        }
    }
}

/// Reads the one Firehose transformation event of `sources`.
fn read_event(sources: &[Source]) -> Result<FirehoseEvent, String> {
    let [source] = sources else {
        return Err("--format firehose reads exactly one event (one file or stdin)".into());
    };
    let size = source.len().and_then(|len| usize::try_from(len).ok());
    let mut raw = Vec::with_capacity(size.unwrap_or(0));
    source
        .open(Arc::new(AtomicU64::new(0)))?
        .read_to_end(&mut raw)
        .map_err(|e| format!("cannot read {}: {e}", source.describe()))?;
    serde_json::from_slice(&raw)
        .map_err(|e| format!("input is not a Firehose transformation event: {e}"))
}

/// Replays one Firehose event (see [`read_event`]): the response the Lambda would give, or
/// its records as files.
fn replay_event(
    args: &ReplayArgs,
    sources: &[Source],
    event: FirehoseEvent,
    pipeline: &Pipeline,
    salts: &Salts,
) -> Result<BatchSummary, String> {
    match &args.options.out {
        None => {
            let workers = thread::available_parallelism().unwrap_or(NonZeroUsize::MIN);
            let mut stdout = BufWriter::with_capacity(RESPONSE_BUFFER_BYTES, io::stdout().lock());
            let (summary, written) = transform_into(pipeline, event, salts, workers, &mut stdout);
            written_stdout(written)?;
            write_stdout(&mut stdout, b"\n")?;
            flush_stdout(&mut stdout)?;
            Ok(summary)
        }
        Some(_) => {
            let (answers, chunks) = with_records(event, |records| {
                answer_for_tree(pipeline, records, salts, args.options.out_format)
            });
            let mut sink = Sink::new(args, sources)?;
            sink.write(0, &answers, chunks)?;
            sink.finish()?;
            Ok(answers.summary)
        }
    }
}

/// Where replayed answers go: standard output, or a Firehose-like directory tree.
enum Sink {
    Stdout(BufWriter<io::Stdout>),
    Directory(Tree),
}

impl Sink {
    fn new(args: &ReplayArgs, sources: &[Source]) -> Result<Sink, String> {
        Ok(match &args.options.out {
            Some(dir) => Sink::Directory(Tree::create(dir, sources, Limits::DEFAULT)?),
            None => Sink::Stdout(BufWriter::with_capacity(1 << 20, io::stdout())),
        })
    }

    /// The answers of one batch of source `source`: listing lines, or file appends.
    fn write(
        &mut self,
        source: usize,
        answers: &BatchAnswers,
        chunks: Option<PartitionChunks>,
    ) -> Result<(), String> {
        match self {
            Sink::Stdout(out) => {
                let mut listing = Vec::with_capacity(answers.summary.body_bytes * 11 / 10);
                for answer in &answers.answers {
                    listing_line(&mut listing, answer, answers.body(answer));
                }
                write_stdout(out, &listing)
            }
            Sink::Directory(tree) => tree.add(source, answers, chunks),
        }
    }

    fn finish(self) -> Result<(), String> {
        match self {
            Sink::Stdout(mut out) => flush_stdout(&mut out),
            Sink::Directory(tree) => tree.finish(),
        }
    }
}

/// `{"result","reason","partition_keys","record"}` for one answer; the record lists every
/// column of the schema, in order, with `null` for unknown values.
fn listing_line(out: &mut Vec<u8>, answer: &pixelstream_core::emit::batch::Answer, body: &[u8]) {
    let result = pixelstream_core::emit::firehose::RecordResult::of(&answer.kind);
    out.extend_from_slice(b"{\"result\":\"");
    out.extend_from_slice(result.as_str().as_bytes());
    out.extend_from_slice(b"\",\"reason\":");
    match answer.kind.reason() {
        Some(reason) => {
            out.push(b'"');
            out.extend_from_slice(reason.as_bytes());
            out.push(b'"');
        }
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"partition_keys\":");
    match &answer.kind {
        AnswerKind::Ok(keys) => {
            keys.write_json(out);
            out.extend_from_slice(b",\"record\":");
            out.extend_from_slice(body.strip_suffix(b"\n").unwrap_or(body));
        }
        AnswerKind::Dropped(_) | AnswerKind::Failed(_) => {
            out.extend_from_slice(b"null,\"record\":null");
        }
    }
    out.extend_from_slice(b"}\n");
}

fn write_stdout(out: &mut impl Write, bytes: &[u8]) -> Result<(), String> {
    written_stdout(out.write_all(bytes))
}

fn flush_stdout(out: &mut impl Write) -> Result<(), String> {
    written_stdout(out.flush())
}

/// The outcome of a write to standard output: a closed pipe (`| head`) is the reader's
/// choice, not a failure.
fn written_stdout(result: io::Result<()>) -> Result<(), String> {
    match result {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write standard output: {e}"))
        }
        _ => Ok(()),
    }
}
