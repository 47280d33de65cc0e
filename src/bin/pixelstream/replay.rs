//! `pixelstream replay`: the Lambda's code path, fed from a file.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use pixelstream::enrich::ids::Salts;
use pixelstream::firehose::{FirehoseEventRecord, FirehoseResponseRecord, RecordResult};
use pixelstream::record::COLUMNS;
use pixelstream::{BatchSummary, Config, FirehoseEvent, Pipeline, transform};

use crate::{InputFormat, ReplayArgs};

/// Raw bytes per replayed batch: the processor buffer the CloudFormation stack configures,
/// so local batches look like the ones Firehose sends.
const BATCH_BUFFER_BYTES: usize = 1024 * 1024;

/// Runs a replay; `Err` only for the tool's own failures (bad flags, unreadable input).
pub fn run(args: &ReplayArgs) -> Result<(), String> {
    let config = Config::from_settings(&args.fields, &args.domains).map_err(|e| e.to_string())?;
    let salts = salts(args)?;
    let pipeline = Pipeline::new(config);
    replay(args, &pipeline, &salts)
}

/// The salt secret from --salt / PIXELSTREAM_SALT or --salt-file, else a random one.
fn salts(args: &ReplayArgs) -> Result<Salts, String> {
    if let Some(secret) = &args.salt {
        return Ok(Salts::derived_from(secret.as_bytes()));
    }
    if let Some(path) = &args.salt_file {
        let secret = fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let secret = secret.strip_suffix(b"\n").unwrap_or(&secret);
        if secret.is_empty() {
            return Err(format!("{} holds no salt", path.display()));
        }
        return Ok(Salts::derived_from(secret));
    }
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| format!("cannot get a random salt: {e}"))?;
    eprintln!(
        "pixelstream: no salt given (--salt-file, PIXELSTREAM_SALT): using a random one, so \
         visitor ids of this run match no other run"
    );
    Ok(Salts::derived_from(&secret))
}

fn replay(args: &ReplayArgs, pipeline: &Pipeline, salts: &Salts) -> Result<(), String> {
    let input = read_input(args.file.as_deref())?;
    let mut summary = BatchSummary::default();
    let mut sink = Sink::new(args)?;
    match args.format {
        InputFormat::Tsv => {
            for event in events_from_lines(&input) {
                let (response, batch) = transform(pipeline, event, salts);
                summary.merge(&batch);
                for record in &response.records {
                    sink.record(record)?;
                }
            }
        }
        InputFormat::Firehose => {
            let event: FirehoseEvent = serde_json::from_slice(&input)
                .map_err(|e| format!("input is not a Firehose transformation event: {e}"))?;
            let (response, batch) = transform(pipeline, event, salts);
            summary.merge(&batch);
            sink.firehose_response(&response.records)?;
        }
    }
    sink.finish()?;
    report(&summary);
    Ok(())
}

fn read_input(file: Option<&Path>) -> Result<Vec<u8>, String> {
    let mut input = Vec::new();
    match file {
        Some(path) if path != Path::new("-") => {
            File::open(path)
                .and_then(|mut f| f.read_to_end(&mut input))
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        }
        _ => {
            io::stdin()
                .read_to_end(&mut input)
                .map_err(|e| format!("cannot read standard input: {e}"))?;
        }
    }
    Ok(input)
}

/// Splits the input into lines (a final newline ends the last line, it does not start a new
/// one) and packs them into Firehose events of at most [`BATCH_BUFFER_BYTES`] of data.
/// Record ids are 1-based line numbers.
fn events_from_lines(input: &[u8]) -> Vec<FirehoseEvent> {
    let body = input.strip_suffix(b"\n").unwrap_or(input);
    if input.is_empty() {
        return Vec::new();
    }
    let mut events = vec![FirehoseEvent::default()];
    let mut batch_bytes = 0;
    for (index, line) in body.split(|&b| b == b'\n').enumerate() {
        if batch_bytes + line.len() > BATCH_BUFFER_BYTES && batch_bytes > 0 {
            events.push(FirehoseEvent::default());
            batch_bytes = 0;
        }
        batch_bytes += line.len() + 1;
        let mut data = line.to_vec();
        data.push(b'\n');
        if let Some(event) = events.last_mut() {
            event.records.push(FirehoseEventRecord {
                record_id: (index + 1).to_string(),
                approximate_arrival_timestamp: None,
                data: BASE64.encode(&data),
            });
        }
    }
    events
}

/// Where replayed answers go: standard output, or a Firehose-like directory tree.
enum Sink {
    Stdout(BufWriter<io::Stdout>),
    Directory(Tree),
}

impl Sink {
    fn new(args: &ReplayArgs) -> Result<Sink, String> {
        Ok(match &args.out {
            Some(dir) => Sink::Directory(Tree::create(dir, args.file.as_deref())?),
            None => Sink::Stdout(BufWriter::new(io::stdout())),
        })
    }

    /// One answer of a TSV replay: a JSON line, or a file append.
    fn record(&mut self, record: &FirehoseResponseRecord) -> Result<(), String> {
        match self {
            Sink::Stdout(out) => write_stdout(out, &answer_line(record)?),
            Sink::Directory(tree) => tree.add(record),
        }
    }

    /// The answers of a Firehose replay: the response JSON, or file appends.
    fn firehose_response(&mut self, records: &[FirehoseResponseRecord]) -> Result<(), String> {
        match self {
            Sink::Stdout(out) => {
                let response = FirehoseResponseRef { records };
                let json = serde_json::to_string(&response)
                    .map_err(|e| format!("cannot serialize the response: {e}"))?;
                write_stdout(out, &format!("{json}\n"))
            }
            Sink::Directory(tree) => records.iter().try_for_each(|r| tree.add(r)),
        }
    }

    fn finish(self) -> Result<(), String> {
        match self {
            Sink::Stdout(mut out) => match out.flush() {
                Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                    Err(format!("cannot write standard output: {e}"))
                }
                _ => Ok(()),
            },
            Sink::Directory(tree) => tree.finish(),
        }
    }
}

fn write_stdout(out: &mut BufWriter<io::Stdout>, text: &str) -> Result<(), String> {
    match out.write_all(text.as_bytes()) {
        // A closed pipe (`| head`) is the reader's choice, not a failure.
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write standard output: {e}"))
        }
        _ => Ok(()),
    }
}

/// The `data` of an answer, decoded: one JSON object.
fn data_json(record: &FirehoseResponseRecord) -> Result<serde_json::Value, String> {
    let bytes = BASE64
        .decode(&record.data)
        .map_err(|e| format!("record {}: data is not base64: {e}", record.record_id))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| format!("record {}: data is not JSON: {e}", record.record_id))
}

/// The response as the Lambda returns it, borrowed.
#[derive(serde::Serialize)]
struct FirehoseResponseRef<'r> {
    records: &'r [FirehoseResponseRecord],
}

/// `{"result","reason","partition_keys","record"}` for one answer; the record lists every
/// column of the schema, in order, with `null` for unknown values.
fn answer_line(record: &FirehoseResponseRecord) -> Result<String, String> {
    let data = data_json(record)?;
    let (reason, record_json) = match record.result {
        RecordResult::Ok => {
            let fields: Vec<String> = COLUMNS
                .iter()
                .map(|c| {
                    format!(
                        "\"{}\":{}",
                        c.name,
                        data.get(c.name).unwrap_or(&serde_json::Value::Null)
                    )
                })
                .collect();
            (serde_json::Value::Null, format!("{{{}}}", fields.join(",")))
        }
        _ => (data["reason"].clone(), "null".to_owned()),
    };
    let keys = match &record.metadata {
        Some(metadata) => serde_json::to_string(&metadata.partition_keys).unwrap_or_default(),
        None => "null".to_owned(),
    };
    Ok(format!(
        "{{\"result\":\"{}\",\"reason\":{reason},\"partition_keys\":{keys},\"record\":{record_json}}}\n",
        record.result.as_str()
    ))
}

/// A Firehose-like output tree: `domain_name=…/event_type=…/event_date=…/<object>` for `Ok`,
/// `errors/processing-failed/<object>` for failures. Like Firehose, each replay writes its own
/// object per partition (`part-<input name>.ndjson`), so replays of different files add up
/// and a replay of the same file replaces its earlier output.
struct Tree {
    root: PathBuf,
    object_name: String,
    files: BTreeMap<PathBuf, (BufWriter<File>, usize)>,
}

impl Tree {
    fn create(root: &Path, input: Option<&Path>) -> Result<Tree, String> {
        fs::create_dir_all(root).map_err(|e| format!("cannot create {}: {e}", root.display()))?;
        let input_name = input
            .filter(|path| *path != Path::new("-"))
            .and_then(Path::file_stem)
            .map_or_else(
                || "stdin".to_owned(),
                |stem| stem.to_string_lossy().into_owned(),
            );
        Ok(Tree {
            root: root.to_owned(),
            object_name: format!("part-{input_name}.ndjson"),
            files: BTreeMap::new(),
        })
    }

    fn add(&mut self, record: &FirehoseResponseRecord) -> Result<(), String> {
        let partition = match (&record.result, &record.metadata) {
            (RecordResult::Ok, Some(metadata)) => {
                let keys = &metadata.partition_keys;
                PathBuf::from(format!("domain_name={}", keys.domain_name))
                    .join(format!("event_type={}", keys.event_type))
                    .join(format!("event_date={}", keys.event_date))
            }
            (RecordResult::ProcessingFailed, _) => PathBuf::from("errors/processing-failed"),
            _ => return Ok(()),
        };
        let data = BASE64
            .decode(&record.data)
            .map_err(|e| format!("record {}: data is not base64: {e}", record.record_id))?;
        let (file, count) = match self.files.entry(partition) {
            std::collections::btree_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::btree_map::Entry::Vacant(entry) => {
                let dir = self.root.join(entry.key());
                fs::create_dir_all(&dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                let path = dir.join(&self.object_name);
                let file = File::create(&path)
                    .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
                entry.insert((BufWriter::new(file), 0))
            }
        };
        *count += 1;
        file.write_all(&data)
            .map_err(|e| format!("cannot write under {}: {e}", self.root.display()))
    }

    /// Flushes every file and prints the per-partition counts.
    fn finish(self) -> Result<(), String> {
        let mut stdout = io::stdout().lock();
        for (partition, (mut file, count)) in self.files {
            file.flush()
                .map_err(|e| format!("cannot write {}: {e}", partition.display()))?;
            // The summary is informative; a closed stdout does not undo the files.
            let _ = writeln!(
                stdout,
                "{count:>8}  {}",
                self.root.join(partition).display()
            );
        }
        Ok(())
    }
}

/// Prints the counts per result and reason to standard error.
fn report(summary: &BatchSummary) {
    eprintln!("pixelstream: {summary}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_become_numbered_records_and_a_final_newline_adds_none() {
        let events = events_from_lines(b"a\n\nb\n");
        let ids: Vec<&str> = events[0]
            .records
            .iter()
            .map(|r| r.record_id.as_str())
            .collect();
        assert_eq!(ids, ["1", "2", "3"]);
        assert_eq!(BASE64.decode(&events[0].records[1].data).unwrap(), b"\n");
        assert!(events_from_lines(b"").is_empty());
        assert_eq!(events_from_lines(b"\n")[0].records.len(), 1);
    }

    #[test]
    fn batches_are_cut_at_the_firehose_buffer_size() {
        let line = vec![b'x'; 100_000];
        let mut input = Vec::new();
        for _ in 0..25 {
            input.extend_from_slice(&line);
            input.push(b'\n');
        }
        let events = events_from_lines(&input);
        assert_eq!(events.len(), 3);
        assert_eq!(events.iter().map(|e| e.records.len()).sum::<usize>(), 25);
        assert_eq!(events[1].records[0].record_id, "11");
    }
}
