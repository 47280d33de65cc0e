//! A Firehose-like output tree: `domain_name=…/event_type=…/event_date=…/<object>` for `Ok`
//! answers, `errors/processing-failed/<object>` for failures; dropped records are only
//! counted, as Firehose does. Like Firehose, each input gets its own object per partition
//! (`part-<input name>.ndjson`), so replays of different files add up and a replay of the
//! same file replaces its earlier output.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use pixelstream_core::BatchAnswers;
use pixelstream_core::emit::batch::AnswerKind;

use crate::input::Source;

/// Where failed records go, as Firehose's error prefix spells it.
const FAILED_DIR: &str = "errors/processing-failed";

/// The output tree of one replay.
pub struct Tree {
    root: PathBuf,
    /// The object name of each input, unique within the run.
    object_names: Vec<String>,
    /// The input whose objects are open.
    current: Option<usize>,
    /// Open objects of the current input, by partition folder.
    files: BTreeMap<PathBuf, BufWriter<File>>,
    /// Records written per partition folder over the whole run.
    counts: BTreeMap<PathBuf, usize>,
}

impl Tree {
    /// A tree under `root` for answers of `sources`.
    pub fn create(root: &Path, sources: &[Source]) -> Result<Tree, String> {
        fs::create_dir_all(root).map_err(|e| format!("cannot create {}: {e}", root.display()))?;
        Ok(Tree {
            root: root.to_owned(),
            object_names: object_names(sources),
            current: None,
            files: BTreeMap::new(),
            counts: BTreeMap::new(),
        })
    }

    /// Appends the bodies of a batch of input `source` to their partitions' objects.
    pub fn add(&mut self, source: usize, answers: &BatchAnswers) -> Result<(), String> {
        if self.current != Some(source) {
            self.close_files()?;
            self.current = Some(source);
        }
        for answer in &answers.answers {
            let partition = match &answer.kind {
                AnswerKind::Ok(keys) => keys.path(),
                AnswerKind::Failed(_) => PathBuf::from(FAILED_DIR),
                AnswerKind::Dropped(_) => continue,
            };
            *self.counts.entry(partition.clone()).or_default() += 1;
            let file = self.file(source, partition)?;
            file.write_all(answers.body(answer))
                .map_err(|e| format!("cannot write under {}: {e}", self.root.display()))?;
        }
        Ok(())
    }

    /// The open object of `partition` for input `source`, created on first use.
    fn file(&mut self, source: usize, partition: PathBuf) -> Result<&mut BufWriter<File>, String> {
        use std::collections::btree_map::Entry;
        match self.files.entry(partition) {
            Entry::Occupied(entry) => Ok(entry.into_mut()),
            Entry::Vacant(entry) => {
                let dir = self.root.join(entry.key());
                fs::create_dir_all(&dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                let path = dir.join(&self.object_names[source]);
                let file = File::create(&path)
                    .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
                Ok(entry.insert(BufWriter::with_capacity(64 * 1024, file)))
            }
        }
    }

    fn close_files(&mut self) -> Result<(), String> {
        for (partition, mut file) in std::mem::take(&mut self.files) {
            file.flush()
                .map_err(|e| format!("cannot write {}: {e}", partition.display()))?;
        }
        Ok(())
    }

    /// Flushes every object and prints the records per partition folder.
    pub fn finish(mut self) -> Result<(), String> {
        self.close_files()?;
        let mut stdout = io::stdout().lock();
        for (partition, count) in &self.counts {
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

/// `part-<name>.ndjson` per input; a name seen before in the run gets `-2`, `-3`, … so no
/// input overwrites another's objects.
fn object_names(sources: &[Source]) -> Vec<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    sources
        .iter()
        .map(|source| {
            let name = source.name();
            let count = seen.entry(name.clone()).or_default();
            *count += 1;
            match *count {
                1 => format!("part-{name}.ndjson"),
                n => format!("part-{name}-{n}.ndjson"),
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
            object_names(&sources),
            ["part-day.ndjson", "part-day-2.ndjson", "part-stdin.ndjson"]
        );
    }
}
