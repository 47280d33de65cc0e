//! Where log lines come from: files (plain or gzip), directories (their files, sorted, at any
//! depth) and standard input, read as a stream of line batches in constant memory. Lines are
//! either the log lines themselves or the raw records of Firehose's error objects.

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use flate2::read::MultiGzDecoder;
use serde::Deserialize;

/// The first bytes of every gzip member.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// One input: a file or standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Standard input (`-`, or no path given).
    Stdin,
    /// A file.
    File(PathBuf),
}

impl Source {
    /// A name for what is written from this input: the file's name without `.gz` and its
    /// extension, or `stdin`.
    pub fn name(&self) -> String {
        match self {
            Source::Stdin => "stdin".to_owned(),
            Source::File(path) => {
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
                let name = name.unwrap_or_default();
                let name = name.strip_suffix(".gz").unwrap_or(&name);
                match Path::new(name).file_stem() {
                    Some(stem) => stem.to_string_lossy().into_owned(),
                    None => name.to_owned(),
                }
            }
        }
    }

    /// The size on disk, when known (for progress).
    pub fn len(&self) -> Option<u64> {
        match self {
            Source::Stdin => None,
            Source::File(path) => fs::metadata(path).ok().map(|m| m.len()),
        }
    }

    /// Opens the input, decompressing gzip (detected by its magic bytes), and counts the raw
    /// bytes read into `consumed`.
    pub fn open(&self, consumed: Arc<AtomicU64>) -> Result<Box<dyn BufRead + Send>, String> {
        let raw: Box<dyn Read + Send> = match self {
            Source::Stdin => Box::new(io::stdin()),
            Source::File(path) => Box::new(
                File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?,
            ),
        };
        let mut reader = BufReader::with_capacity(256 * 1024, Counted { raw, consumed });
        let head = reader
            .fill_buf()
            .map_err(|e| format!("cannot read {}: {e}", self.describe()))?;
        Ok(if head.starts_with(&GZIP_MAGIC) {
            Box::new(BufReader::with_capacity(
                256 * 1024,
                MultiGzDecoder::new(reader),
            ))
        } else {
            Box::new(reader)
        })
    }

    /// Opens the input like [`Source::open`] and reads it as `framing` says.
    pub fn open_as(
        &self,
        framing: Framing,
        consumed: Arc<AtomicU64>,
    ) -> Result<Box<dyn BufRead + Send>, String> {
        let reader = self.open(consumed)?;
        Ok(match framing {
            Framing::Lines => reader,
            Framing::FirehoseErrors => Box::new(ErrorRecords::new(reader)),
        })
    }

    /// How error messages name the input.
    pub fn describe(&self) -> String {
        match self {
            Source::Stdin => "standard input".to_owned(),
            Source::File(path) => path.display().to_string(),
        }
    }
}

/// How an input holds its log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// One log line per line.
    Lines,
    /// Firehose's error objects (`errors/processing-failed/…`): one JSON document per failed
    /// record, whose base64 `rawData` is the original Kinesis record, one log line.
    FirehoseErrors,
}

/// The part of a Firehose error document that is needed: the original record. The error code
/// and message, attempts and timestamps are Firehose's, not the record's.
#[derive(Deserialize)]
struct ErrorDocument {
    #[serde(rename = "rawData")]
    raw_data: String,
}

/// Firehose error documents (one after another, newline-separated or not) read as the log
/// lines they hold, each ending in a newline.
struct ErrorRecords {
    documents: serde_json::StreamDeserializer<
        'static,
        serde_json::de::IoRead<Box<dyn BufRead + Send>>,
        ErrorDocument,
    >,
    /// How many documents were read.
    count: usize,
    /// The current document's record and how much of it was handed out.
    raw: Vec<u8>,
    pos: usize,
}

impl ErrorRecords {
    fn new(reader: Box<dyn BufRead + Send>) -> ErrorRecords {
        ErrorRecords {
            documents: serde_json::Deserializer::from_reader(reader).into_iter(),
            count: 0,
            raw: Vec::new(),
            pos: 0,
        }
    }

    /// Decodes the next document's record into `raw`; `false` at the end of the input. The
    /// errors name the document, never its content (a raw record holds an address).
    fn next_record(&mut self) -> io::Result<bool> {
        let Some(document) = self.documents.next() else {
            return Ok(false);
        };
        self.count += 1;
        let not_a_document = |what: &str| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "document {} is not a Firehose error record ({what})",
                    self.count
                ),
            )
        };
        let document = document.map_err(|e| match e.classify() {
            serde_json::error::Category::Io => io::Error::other(e),
            serde_json::error::Category::Data => not_a_document("no string rawData"),
            _ => not_a_document(&format!("invalid JSON at line {}", e.line())),
        })?;
        self.raw.clear();
        self.pos = 0;
        BASE64
            .decode_vec(document.raw_data.as_bytes(), &mut self.raw)
            .map_err(|_| not_a_document("rawData is not base64"))?;
        if self.raw.last() != Some(&b'\n') {
            self.raw.push(b'\n');
        }
        Ok(true)
    }
}

impl Read for ErrorRecords {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for ErrorRecords {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos == self.raw.len() {
            if !self.next_record()? {
                return Ok(&[]);
            }
        }
        Ok(&self.raw[self.pos..])
    }

    fn consume(&mut self, amount: usize) {
        self.pos = (self.pos + amount).min(self.raw.len());
    }
}

/// A reader that counts the bytes it hands out.
struct Counted {
    raw: Box<dyn Read + Send>,
    consumed: Arc<AtomicU64>,
}

impl Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.raw.read(buf)?;
        self.consumed.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// The inputs named by `paths`: each file, each directory's files (sorted by path, at any
/// depth, hidden files skipped), standard input for `-` or when no path is given.
pub fn sources(paths: &[PathBuf]) -> Result<Vec<Source>, String> {
    if paths.is_empty() {
        return Ok(vec![Source::Stdin]);
    }
    let mut sources = Vec::new();
    for path in paths {
        if path == Path::new("-") {
            sources.push(Source::Stdin);
        } else if path.is_dir() {
            let mut files = Vec::new();
            files_under(path, &mut files)?;
            files.sort();
            sources.extend(files.into_iter().map(Source::File));
        } else {
            sources.push(Source::File(path.clone()));
        }
    }
    Ok(sources)
}

fn files_under(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            files_under(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

/// Lines read from one input, back to back without their `\n`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LineBatch {
    /// 1-based number of the first line in its input.
    pub first_line: usize,
    /// The lines' bytes.
    bytes: Vec<u8>,
    /// Where each line ends in `bytes`.
    ends: Vec<usize>,
}

impl LineBatch {
    /// The lines, in order.
    pub fn lines(&self) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .map(|(start, &end)| &self.bytes[start..end])
    }

    /// How many lines the batch holds.
    pub fn len(&self) -> usize {
        self.ends.len()
    }
}

/// Reads the next batch of lines, up to `max_bytes` of them (a longer line makes a batch of
/// its own). A final newline ends the last line; it does not start a new one. `None` at the
/// end of the input.
pub fn next_batch(
    reader: &mut dyn BufRead,
    first_line: usize,
    max_bytes: usize,
) -> io::Result<Option<LineBatch>> {
    let mut batch = LineBatch {
        first_line,
        bytes: Vec::with_capacity(max_bytes + max_bytes / 8),
        ends: Vec::new(),
    };
    while batch.bytes.len() < max_bytes {
        let start = batch.bytes.len();
        if reader.read_until(b'\n', &mut batch.bytes)? == 0 {
            break;
        }
        if batch.bytes.last() == Some(&b'\n') {
            batch.bytes.pop();
        }
        debug_assert!(batch.bytes.len() >= start);
        batch.ends.push(batch.bytes.len());
    }
    Ok((!batch.ends.is_empty()).then_some(batch))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batches(input: &[u8], max_bytes: usize) -> Vec<Vec<Vec<u8>>> {
        let mut reader = input;
        let mut out = Vec::new();
        let mut first = 1;
        while let Some(batch) = next_batch(&mut reader, first, max_bytes).unwrap() {
            assert_eq!(batch.first_line, first);
            first += batch.len();
            out.push(batch.lines().map(<[u8]>::to_vec).collect());
        }
        out
    }

    #[test]
    fn a_final_newline_ends_the_last_line_and_empty_lines_count() {
        assert_eq!(
            batches(b"a\n\nb\n", 100),
            [[b"a".to_vec(), vec![], b"b".to_vec()]]
        );
        assert_eq!(batches(b"a\nb", 100), [[b"a".to_vec(), b"b".to_vec()]]);
        assert!(batches(b"", 100).is_empty());
        assert_eq!(batches(b"\n", 100), [[Vec::<u8>::new()]]);
    }

    #[test]
    fn batches_are_cut_at_the_byte_budget() {
        let input = "x".repeat(40) + "\n" + &"y".repeat(40) + "\n" + &"z".repeat(40) + "\n";
        let cut = batches(input.as_bytes(), 70);
        assert_eq!(cut.len(), 2);
        assert_eq!(cut[0].len(), 2);
        assert_eq!(cut[1], [b"z".repeat(40)]);
    }

    #[test]
    fn names_drop_directories_compression_and_extension() {
        assert_eq!(Source::File("logs/a.tsv.gz".into()).name(), "a");
        assert_eq!(Source::File("b.tsv".into()).name(), "b");
        assert_eq!(Source::Stdin.name(), "stdin");
    }

    /// A Firehose error document holding `raw`, as Firehose writes them.
    fn error_document(raw: &[u8]) -> String {
        format!(
            r#"{{"attemptsMade":4,"arrivalTimestamp":1700000000000,"errorCode":"Lambda.FunctionError","errorMessage":"The Lambda function was successfully invoked but it returned an error result.","attemptEndingTimestamp":1700000060000,"rawData":"{}","lambdaArn":"arn:aws:lambda:eu-west-1:123456789012:function:t:$LATEST"}}"#,
            BASE64.encode(raw)
        )
    }

    fn error_lines(input: &str) -> io::Result<Vec<Vec<u8>>> {
        let reader: Box<dyn BufRead + Send> = Box::new(io::Cursor::new(input.as_bytes().to_vec()));
        let mut records = ErrorRecords::new(reader);
        let mut lines = Vec::new();
        while let Some(batch) = next_batch(&mut records, 1, 1 << 20)? {
            lines.extend(batch.lines().map(<[u8]>::to_vec));
        }
        Ok(lines)
    }

    #[test]
    fn firehose_error_documents_give_back_their_raw_lines() {
        let input = format!(
            "{}\n{}{}\n\n",
            error_document(b"line one\n"),
            error_document(b"line two"),
            error_document(b"")
        );
        assert_eq!(
            error_lines(&input).unwrap(),
            [b"line one".to_vec(), b"line two".to_vec(), Vec::new()]
        );
        assert!(error_lines("").unwrap().is_empty());
    }

    #[test]
    fn a_document_that_is_not_an_error_record_is_named_not_echoed() {
        let input = format!(
            "{}\n{{\"rawData\":\"1.2.3.4 secret!\"}}\n",
            error_document(b"x")
        );
        let err = error_lines(&input).unwrap_err().to_string();
        assert_eq!(
            err,
            "document 2 is not a Firehose error record (rawData is not base64)"
        );
        let err = error_lines("{\"records\":[]}").unwrap_err().to_string();
        assert_eq!(
            err,
            "document 1 is not a Firehose error record (no string rawData)"
        );
        let err = error_lines("1.2.3.4 -").unwrap_err().to_string();
        assert!(!err.contains("1.2.3.4"), "{err}");
    }

    #[test]
    fn gzip_is_detected_by_its_magic_bytes() {
        use std::io::Write;
        let dir = std::env::temp_dir().join(format!("pixelstream-input-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("lines.log");
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(b"one\ntwo\n").unwrap();
        fs::write(&path, encoder.finish().unwrap()).unwrap();
        let consumed = Arc::new(AtomicU64::new(0));
        let mut reader = Source::File(path).open(Arc::clone(&consumed)).unwrap();
        let batch = next_batch(&mut reader, 1, 100).unwrap().unwrap();
        assert_eq!(batch.lines().collect::<Vec<_>>(), [b"one", b"two"]);
        assert!(consumed.load(Ordering::Relaxed) > 0);
        fs::remove_dir_all(&dir).unwrap();
    }
}
