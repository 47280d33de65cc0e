//! The fuzz targets' checks, shared with the stable regression test
//! (`tests/fuzz_regressions.rs`), which replays `regressions/` through the same functions.

pub mod checks;
