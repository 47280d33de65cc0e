//! A Firehose-like output tree: `domain_name=…/event_type=…/event_date=…/<object>` for `Ok`
//! answers (Snappy Parquet, as Firehose's record format conversion writes it, or NDJSON),
//! `errors/processing-failed/<object>` (NDJSON) for failures; dropped records are only
//! counted, as Firehose does. Like Firehose, each input gets its own object per partition
//! (`part-<input name>.parquet`), so replays of different files add up and a replay of the
//! same file replaces its earlier output.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use pixelstream_core::BatchAnswers;
use pixelstream_core::emit::batch::AnswerKind;
use pixelstream_core::emit::partition::PartitionKeys;

use crate::input::Source;
use crate::parquet::{PENDING_BYTES_LIMIT, ParquetObject, PartitionChunks};

/// Where failed records go, as Firehose's error prefix spells it.
const FAILED_DIR: &str = "errors/processing-failed";

/// A folder of the tree.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Partition {
    /// A data partition.
    Keys(PartitionKeys<'static>),
    /// The error prefix.
    Failed,
}

impl Partition {
    fn path(&self) -> PathBuf {
        match self {
            Partition::Keys(keys) => keys.path(),
            Partition::Failed => PathBuf::from(FAILED_DIR),
        }
    }
}

/// The output tree of one replay.
pub struct Tree {
    root: PathBuf,
    /// The object name stem of each input (`part-<name>`), unique within the run.
    object_stems: Vec<String>,
    /// The input whose objects are open.
    current: Option<usize>,
    /// Open NDJSON objects of the current input.
    ndjson: BTreeMap<Partition, BufWriter<File>>,
    /// Open Parquet objects of the current input.
    parquet: BTreeMap<PartitionKeys<'static>, ParquetObject>,
    /// Records written per folder over the whole run.
    counts: BTreeMap<Partition, usize>,
}

impl Tree {
    /// A tree under `root` for answers of `sources`.
    pub fn create(root: &Path, sources: &[Source]) -> Result<Tree, String> {
        fs::create_dir_all(root).map_err(|e| format!("cannot create {}: {e}", root.display()))?;
        Ok(Tree {
            root: root.to_owned(),
            object_stems: object_stems(sources),
            current: None,
            ndjson: BTreeMap::new(),
            parquet: BTreeMap::new(),
            counts: BTreeMap::new(),
        })
    }

    /// Adds a batch of input `source`: failure bodies, and `Ok` records from their bodies
    /// (NDJSON) or, for Parquet, from `chunks` (the batch's rows by partition).
    pub fn add(
        &mut self,
        source: usize,
        answers: &BatchAnswers,
        chunks: Option<PartitionChunks>,
    ) -> Result<(), String> {
        if self.current != Some(source) {
            self.close_objects()?;
            self.current = Some(source);
        }
        for answer in &answers.answers {
            let partition = match &answer.kind {
                AnswerKind::Ok(keys) => Partition::Keys(keys.clone()),
                AnswerKind::Failed(_) => Partition::Failed,
                AnswerKind::Dropped(_) => continue,
            };
            let body = answers.body(answer);
            if !body.is_empty() {
                self.ndjson_object(source, &partition)?
                    .write_all(body)
                    .map_err(|e| format!("cannot write under {}: {e}", self.root.display()))?;
            }
            match self.counts.get_mut(&partition) {
                Some(count) => *count += 1,
                None => {
                    self.counts.insert(partition, 1);
                }
            }
        }
        for (keys, chunk) in chunks.into_iter().flat_map(PartitionChunks::into_chunks) {
            self.parquet_object(source, keys)?.add(chunk)?;
        }
        self.bound_pending_rows()
    }

    /// Writes every object's pending rows once they add up to [`PENDING_BYTES_LIMIT`].
    fn bound_pending_rows(&mut self) -> Result<(), String> {
        let pending: usize = self
            .parquet
            .values()
            .map(ParquetObject::pending_bytes)
            .sum();
        if pending < PENDING_BYTES_LIMIT {
            return Ok(());
        }
        for (keys, object) in &mut self.parquet {
            object
                .write_row_group()
                .map_err(|e| format!("cannot write {}: {e}", keys.path().display()))?;
        }
        Ok(())
    }

    /// The file for a new object of `partition` for input `source`, with `extension`.
    fn create_object(
        &self,
        source: usize,
        partition: &Partition,
        extension: &str,
    ) -> Result<File, String> {
        let dir = self.root.join(partition.path());
        fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let path = dir.join(format!("{}.{extension}", self.object_stems[source]));
        File::create(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))
    }

    /// The open NDJSON object of `partition` for input `source`, created on first use.
    fn ndjson_object(
        &mut self,
        source: usize,
        partition: &Partition,
    ) -> Result<&mut BufWriter<File>, String> {
        if !self.ndjson.contains_key(partition) {
            let file = self.create_object(source, partition, "ndjson")?;
            self.ndjson
                .insert(partition.clone(), BufWriter::with_capacity(64 * 1024, file));
        }
        self.ndjson
            .get_mut(partition)
            .ok_or_else(|| "an NDJSON object vanished".to_owned())
    }

    /// The open Parquet object of `keys` for input `source`, created on first use.
    fn parquet_object(
        &mut self,
        source: usize,
        keys: PartitionKeys<'static>,
    ) -> Result<&mut ParquetObject, String> {
        if !self.parquet.contains_key(&keys) {
            let partition = Partition::Keys(keys.clone());
            let file = self.create_object(source, &partition, "parquet")?;
            let object = ParquetObject::create(file)
                .map_err(|e| format!("cannot write under {}: {e}", partition.path().display()))?;
            self.parquet.insert(keys.clone(), object);
        }
        self.parquet
            .get_mut(&keys)
            .ok_or_else(|| "a Parquet object vanished".to_owned())
    }

    fn close_objects(&mut self) -> Result<(), String> {
        for (partition, mut file) in std::mem::take(&mut self.ndjson) {
            file.flush()
                .map_err(|e| format!("cannot write {}: {e}", partition.path().display()))?;
        }
        for (keys, object) in std::mem::take(&mut self.parquet) {
            object
                .finish()
                .map_err(|e| format!("cannot write {}: {e}", keys.path().display()))?;
        }
        Ok(())
    }

    /// Finishes every object and prints the records per folder.
    pub fn finish(mut self) -> Result<(), String> {
        self.close_objects()?;
        let mut stdout = io::stdout().lock();
        for (partition, count) in &self.counts {
            // The summary is informative; a closed stdout does not undo the files.
            let _ = writeln!(
                stdout,
                "{count:>8}  {}",
                self.root.join(partition.path()).display()
            );
        }
        Ok(())
    }
}

/// `part-<name>` per input; a name seen before in the run gets `-2`, `-3`, … so no input
/// overwrites another's objects.
fn object_stems(sources: &[Source]) -> Vec<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    sources
        .iter()
        .map(|source| {
            let name = source.name();
            let count = seen.entry(name.clone()).or_default();
            *count += 1;
            match *count {
                1 => format!("part-{name}"),
                n => format!("part-{name}-{n}"),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_with_the_same_name_get_distinct_objects() {
        let sources = [
            Source::File("a/day.tsv".into()),
            Source::File("b/day.tsv.gz".into()),
            Source::Stdin,
        ];
        assert_eq!(
            object_stems(&sources),
            ["part-day", "part-day-2", "part-stdin"]
        );
    }
}
