//! Helpers shared by the integration tests.

#![allow(dead_code)]

pub mod moto;
pub mod runtime_api;
pub mod uap;

use std::path::PathBuf;

/// A path under the project root.
pub fn project_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// Reads a project file.
pub fn read(relative: &str) -> Vec<u8> {
    let path = project_path(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Every file under `dir`, at any depth.
pub fn files_under(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// The allow-list the fixtures are replayed with.
pub const FIXTURE_DOMAINS: &str = "mydomain.tld,shop.example.com,blog.example.org";

/// The rows of a Parquet object, as JSON objects keyed by column name (a `NULL` is `null`).
pub fn parquet_rows(path: &std::path::Path) -> Vec<serde_json::Value> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let file =
        std::fs::File::open(path).unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    let reader = SerializedFileReader::new(file)
        .unwrap_or_else(|e| panic!("{} is not Parquet: {e}", path.display()));
    reader
        .get_row_iter(None)
        .expect("rows")
        .map(|row| row.expect("a readable row").to_json_value())
        .collect()
}
