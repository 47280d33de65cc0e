//! Helpers shared by the integration tests.

#![allow(dead_code)]

pub mod moto;
pub mod runtime_api;

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

/// The allow-list the fixtures are replayed with.
pub const FIXTURE_DOMAINS: &str = "mydomain.tld,shop.example.com,blog.example.org";
