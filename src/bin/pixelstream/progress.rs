//! A progress line on standard error, drawn only on a terminal and only for large inputs.

use std::io::{IsTerminal, Write};

/// Inputs smaller than this finish before a progress line would help.
const SHOW_FROM_BYTES: u64 = 64 * 1024 * 1024;

/// Redraws `[#####     ] done/total unit` in place.
pub struct Progress {
    total: u64,
    unit: &'static str,
    visible: bool,
    drawn_percent: Option<u64>,
}

impl Progress {
    /// A progress line for `total` units of `unit` (bytes are shown in MB); hidden off a
    /// terminal, and for byte totals too small to need one.
    pub fn new(total: u64, unit: &'static str) -> Progress {
        let large = unit != "bytes" || total >= SHOW_FROM_BYTES;
        Progress {
            total,
            unit,
            visible: large && std::io::stderr().is_terminal(),
            drawn_percent: None,
        }
    }

    /// Shows that `done` units are done.
    pub fn update(&mut self, done: u64) {
        let percent = done.min(self.total) * 100 / self.total.max(1);
        if !self.visible || self.drawn_percent == Some(percent) {
            return;
        }
        self.drawn_percent = Some(percent);
        let width = 30;
        let filled = (width * percent / 100) as usize;
        let (done, total, unit) = match self.unit {
            "bytes" => (done / 1_000_000, self.total / 1_000_000, "MB"),
            unit => (done, self.total, unit),
        };
        eprint!(
            "\r[{}{}] {done}/{total} {unit}",
            "#".repeat(filled),
            " ".repeat(width as usize - filled),
        );
        let _ = std::io::stderr().flush();
    }

    /// Ends the progress line.
    pub fn finish(&self) {
        if self.visible && self.drawn_percent.is_some() {
            eprintln!();
        }
    }
}
