//! Replays the fuzz targets' regression inputs (`fuzz/regressions/<target>/`: crash inputs
//! the fuzzers found and hand-picked nasty ones) through the targets' own checks, on stable,
//! so `cargo test` keeps every fixed crash fixed without nightly or cargo-fuzz.

#[path = "../fuzz/src/checks.rs"]
mod checks;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

/// Runs every file of `fuzz/regressions/<target>/` through `check`; fails naming each input
/// that panics. A target without inputs fails too, so the replay cannot silently test nothing.
fn replay(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("fuzz/regressions/{target}"));
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    inputs.sort();
    assert!(
        !inputs.is_empty(),
        "no regression inputs in {}",
        dir.display()
    );
    let failed: Vec<String> = inputs
        .iter()
        .filter(|path| {
            let data = std::fs::read(path).expect("a readable input");
            catch_unwind(AssertUnwindSafe(|| check(&data))).is_err()
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        failed.is_empty(),
        "{target}: {} of {} inputs fail (the panic messages are above): {failed:#?}",
        failed.len(),
        inputs.len()
    );
}

#[test]
fn line_regressions() {
    replay("line", checks::line);
}

#[test]
fn firehose_event_regressions() {
    replay("firehose_event", checks::firehose_event);
}

#[test]
fn decode_regressions() {
    replay("decode", checks::decode);
}

#[test]
fn ndjson_regressions() {
    replay("ndjson", checks::ndjson);
}
