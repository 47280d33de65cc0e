//! A Firehose-like output tree: `domain_name=…/event_type=…/event_date=…/<object>` for `Ok`
//! answers (Snappy Parquet, as Firehose's record format conversion writes it, or NDJSON),
//! `errors/processing-failed/<object>` (NDJSON) for failures; dropped records are only
//! counted, as Firehose does. Like Firehose, each input gets its own objects per partition
//! (`part-<input name>.parquet`, then `part-<input name>.2.parquet`, … once a partition's
//! object holds [`Limits::row_groups_per_object`] row groups), so replays of different files
//! add up and a replay of the same file replaces its earlier output.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use pixelstream_core::BatchAnswers;
use pixelstream_core::emit::batch::AnswerKind;
use pixelstream_core::emit::partition::PartitionKeys;

use crate::input::Source;
use crate::parquet::{Limits, ParquetObject, PartitionChunks};

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
    limits: Limits,
    /// The object name stem of each input (`part-<name>`), unique within the run.
    object_stems: Vec<String>,
    /// The input whose objects are open.
    current: Option<usize>,
    /// Open NDJSON objects of the current input.
    ndjson: BTreeMap<Partition, BufWriter<File>>,
    /// Open Parquet objects of the current input.
    parquet: BTreeMap<PartitionKeys<'static>, ParquetObject>,
    /// Parquet objects started per partition for the current input (the open one included).
    parquet_started: BTreeMap<PartitionKeys<'static>, usize>,
    /// Records written per folder over the whole run.
    counts: BTreeMap<Partition, usize>,
}

impl Tree {
    /// A tree under `root` for answers of `sources`, Parquet objects within `limits`.
    pub fn create(root: &Path, sources: &[Source], limits: Limits) -> Result<Tree, String> {
        fs::create_dir_all(root).map_err(|e| format!("cannot create {}: {e}", root.display()))?;
        Ok(Tree {
            root: root.to_owned(),
            limits,
            object_stems: object_stems(sources),
            current: None,
            ndjson: BTreeMap::new(),
            parquet: BTreeMap::new(),
            parquet_started: BTreeMap::new(),
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
            self.parquet_object(source, keys.clone())?.add(chunk)?;
            self.finish_if_full(&keys)?;
        }
        self.bound_pending_rows()
    }

    /// While the open objects' pending rows add up to [`Limits::pending_bytes`] or more, the
    /// object with the most writes them as a row group.
    fn bound_pending_rows(&mut self) -> Result<(), String> {
        loop {
            let pending: usize = self
                .parquet
                .values()
                .map(ParquetObject::pending_bytes)
                .sum();
            if pending == 0 || pending < self.limits.pending_bytes {
                return Ok(());
            }
            let Some((keys, object)) = self
                .parquet
                .iter_mut()
                .max_by_key(|(_, object)| object.pending_bytes())
            else {
                return Ok(());
            };
            object
                .write_row_group()
                .map_err(|e| format!("cannot write {}: {e}", keys.path().display()))?;
            let keys = keys.clone();
            self.finish_if_full(&keys)?;
        }
    }

    /// Finishes the object of `keys` once it holds [`Limits::row_groups_per_object`] row
    /// groups; the partition's next rows start a new object.
    fn finish_if_full(&mut self, keys: &PartitionKeys<'static>) -> Result<(), String> {
        if !self.parquet.get(keys).is_some_and(ParquetObject::is_full) {
            return Ok(());
        }
        match self.parquet.remove(keys) {
            Some(object) => object
                .finish()
                .map_err(|e| format!("cannot write {}: {e}", keys.path().display())),
            None => Ok(()),
        }
    }

    /// The file for object `number` (from 1) of `partition` for input `source`, with
    /// `extension`. The first object of a partition also removes the later objects an earlier
    /// replay of the same input left there.
    fn create_object(
        &self,
        source: usize,
        partition: &Partition,
        number: usize,
        extension: &str,
    ) -> Result<File, String> {
        let dir = self.root.join(partition.path());
        fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let stem = &self.object_stems[source];
        if number == 1 {
            remove_later_objects(&dir, stem, extension)?;
        }
        let path = dir.join(object_name(stem, number, extension));
        File::create(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))
    }

    /// The open NDJSON object of `partition` for input `source`, created on first use.
    fn ndjson_object(
        &mut self,
        source: usize,
        partition: &Partition,
    ) -> Result<&mut BufWriter<File>, String> {
        if !self.ndjson.contains_key(partition) {
            let file = self.create_object(source, partition, 1, "ndjson")?;
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
            let number = self.parquet_started.entry(keys.clone()).or_default();
            *number += 1;
            let number = *number;
            let partition = Partition::Keys(keys.clone());
            let file = self.create_object(source, &partition, number, "parquet")?;
            let object = ParquetObject::create(file, self.limits)
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
        self.parquet_started.clear();
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

/// The name of object `number` (from 1) of a partition: `<stem>.<extension>`, then
/// `<stem>.<number>.<extension>`.
fn object_name(stem: &str, number: usize, extension: &str) -> String {
    match number {
        1 => format!("{stem}.{extension}"),
        n => format!("{stem}.{n}.{extension}"),
    }
}

/// Removes `<stem>.<number>.<extension>` objects from `dir`: what an earlier replay of the
/// same input wrote past its first object.
fn remove_later_objects(dir: &Path, stem: &str, extension: &str) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
        let name = entry.file_name();
        let is_later_object = name
            .to_str()
            .and_then(|name| name.strip_prefix(stem)?.strip_prefix('.'))
            .and_then(|rest| rest.strip_suffix(extension)?.strip_suffix('.'))
            .is_some_and(|number| !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()));
        if is_later_object {
            let path = entry.path();
            fs::remove_file(&path).map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// `part-<name>` per input, dots of the name as `_` (a dot in an object name only ever
/// precedes an object number or the extension); a stem taken before in the run gets `-2`,
/// `-3`, … (the first of them still free), so no input overwrites another's objects.
fn object_stems(sources: &[Source]) -> Vec<String> {
    let mut taken = BTreeSet::new();
    sources
        .iter()
        .map(|source| {
            let base = format!("part-{}", source.name().replace('.', "_"));
            let stem = (1..)
                .map(|n| match n {
                    1 => base.clone(),
                    n => format!("{base}-{n}"),
                })
                .find(|stem| !taken.contains(stem))
                .unwrap_or(base);
            taken.insert(stem.clone());
            stem
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OutFormat;
    use crate::input;
    use crate::replay::{BATCH_BUFFER_BYTES, Output, answer_job};
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use pixelstream_core::enrich::ids::Salts;
    use pixelstream_core::{Config, Pipeline};

    #[test]
    fn inputs_with_the_same_name_get_distinct_objects() {
        let sources = [
            Source::File("a/day.tsv".into()),
            Source::File("b/day.tsv.gz".into()),
            Source::Stdin,
            Source::File("c/day.2.tsv".into()),
            Source::File("d/day-2.tsv".into()),
            Source::File("e/day.tsv".into()),
        ];
        assert_eq!(
            object_stems(&sources),
            [
                "part-day",
                "part-day-2",
                "part-stdin",
                "part-day_2",
                "part-day-2-2",
                "part-day-3"
            ]
        );
    }

    /// The pipeline of the fixture lines, with the fixtures' domains.
    fn fixture_pipeline() -> Pipeline {
        let domains = "mydomain.tld,shop.example.com,blog.example.org";
        Pipeline::new(Config::from_settings("ownstats", domains).unwrap())
    }

    /// A fresh directory for one test.
    fn test_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("pixelstream-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    /// The fixture lines' answers and Parquet rows, as a replay batch has them.
    fn fixture_batch(pipeline: &Pipeline) -> (BatchAnswers, PartitionChunks) {
        let mut text: &[u8] = &std::fs::read("fixtures/lines/ownstats.tsv").unwrap();
        let lines = input::next_batch(&mut text, 1, BATCH_BUFFER_BYTES)
            .unwrap()
            .unwrap();
        let salts = Salts::derived_from(b"tree test");
        let output = Output::Tree(OutFormat::Parquet);
        let (answers, chunks) = answer_job(pipeline, &salts, output, &lines);
        (answers, chunks.unwrap())
    }

    /// Replays the fixture batch `batches` times as input `day.tsv` into `root`, each batch
    /// its own row group, two row groups per object.
    fn replay_fixture(pipeline: &Pipeline, root: &Path, batches: usize) {
        let limits = Limits {
            row_group_bytes: 1,
            pending_bytes: usize::MAX,
            row_groups_per_object: 2,
        };
        let mut tree = Tree::create(root, &[Source::File("day.tsv".into())], limits).unwrap();
        for _ in 0..batches {
            let (answers, chunks) = fixture_batch(pipeline);
            tree.add(0, &answers, Some(chunks)).unwrap();
        }
        tree.finish().unwrap();
    }

    /// The objects of the fixture's event partition and their row counts, by name.
    fn event_objects(root: &Path) -> BTreeMap<String, i64> {
        let dir = root.join("domain_name=shop.example.com/event_type=event/event_date=2025-06-14");
        fs::read_dir(dir)
            .unwrap()
            .map(|entry| {
                let path = entry.unwrap().path();
                let reader = SerializedFileReader::new(File::open(&path).unwrap()).unwrap();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (name, reader.metadata().file_metadata().num_rows())
            })
            .collect()
    }

    #[test]
    fn a_full_object_goes_on_in_the_next_and_a_shorter_replay_removes_the_rest() {
        let pipeline = fixture_pipeline();
        let root = test_dir("tree");
        // The fixture has two events of shop.example.com on 2025-06-14 (see CASES.md).
        replay_fixture(&pipeline, &root, 5);
        let expected: BTreeMap<String, i64> = [
            ("part-day.parquet".to_owned(), 4),
            ("part-day.2.parquet".to_owned(), 4),
            ("part-day.3.parquet".to_owned(), 2),
        ]
        .into();
        assert_eq!(event_objects(&root), expected);
        replay_fixture(&pipeline, &root, 1);
        assert_eq!(
            event_objects(&root),
            [("part-day.parquet".to_owned(), 2)].into()
        );
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn past_the_pending_limit_only_the_fullest_object_writes() {
        let pipeline = fixture_pipeline();
        let sources = [Source::File("day.tsv".into())];
        let unbounded = Limits {
            row_group_bytes: usize::MAX,
            pending_bytes: usize::MAX,
            row_groups_per_object: usize::MAX,
        };
        let probe_dir = test_dir("probe");
        let mut probe = Tree::create(&probe_dir, &sources, unbounded).unwrap();
        let (answers, chunks) = fixture_batch(&pipeline);
        probe.add(0, &answers, Some(chunks)).unwrap();
        let pending: BTreeMap<PartitionKeys<'static>, usize> = probe
            .parquet
            .iter()
            .map(|(keys, object)| (keys.clone(), object.pending_bytes()))
            .collect();
        assert!(pending.len() >= 3, "{pending:?}");
        let total: usize = pending.values().sum();
        let fullest = pending.iter().max_by_key(|(_, bytes)| **bytes).unwrap().0;

        // A limit of exactly what one batch leaves pending: the fullest object writes, which
        // brings the rest under the limit, so the small partitions keep their rows.
        let dir = test_dir("fullest");
        let limits = Limits {
            pending_bytes: total,
            ..unbounded
        };
        let mut tree = Tree::create(&dir, &sources, limits).unwrap();
        let (answers, chunks) = fixture_batch(&pipeline);
        tree.add(0, &answers, Some(chunks)).unwrap();
        for (keys, object) in &tree.parquet {
            let expected = if keys == fullest { 0 } else { pending[keys] };
            assert_eq!(object.pending_bytes(), expected, "{keys:?}");
        }
        for tree in [probe, tree] {
            tree.finish().unwrap();
        }
        fs::remove_dir_all(&probe_dir).unwrap();
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn later_objects_are_only_numbered_siblings_of_the_stem() {
        let dir = test_dir("later");
        fs::create_dir_all(&dir).unwrap();
        let names = [
            "part-day.parquet",
            "part-day.2.parquet",
            "part-day.10.parquet",
            "part-day.2.ndjson",
            "part-day-2.parquet",
            "part-day.x.parquet",
            "part-day_2.parquet",
        ];
        for name in names {
            File::create(dir.join(name)).unwrap();
        }
        remove_later_objects(&dir, "part-day", "parquet").unwrap();
        let mut left: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "part-day-2.parquet",
                "part-day.2.ndjson",
                "part-day.parquet",
                "part-day.x.parquet",
                "part-day_2.parquet"
            ]
        );
        assert_eq!(object_name("part-day", 1, "parquet"), "part-day.parquet");
        assert_eq!(object_name("part-day", 3, "parquet"), "part-day.3.parquet");
        fs::remove_dir_all(&dir).unwrap();
    }
}
