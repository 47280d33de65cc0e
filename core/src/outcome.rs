//! What a line can come to: kept with its event type, deliberately dropped, or failed, each
//! with a countable reason.

use std::fmt;

use crate::emit::partition::PartitionKeys;
use crate::emit::record::Record;

/// What a hit is: the `event_type` partition.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum EventType {
    /// A page view (`t=pv`, or the noscript pixel).
    Pageview,
    /// A custom event (`t=tr` or `t=ev`).
    Event,
}

impl EventType {
    /// The partition value.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Pageview => "pageview",
            EventType::Event => "event",
        }
    }
}

/// An enrichment that could not be made for a kept record; counted per batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Note {
    /// The edge location's prefix is not in the edge-location table.
    UnknownEdgeLocation,
    /// No salt for the hit's day (a late replay after the salt was deleted): ids are null.
    NoSaltForDate,
}

impl Note {
    /// Every note, in the order counts list them.
    pub const ALL: [Note; 2] = [Note::UnknownEdgeLocation, Note::NoSaltForDate];

    /// The note as it appears in counts.
    pub fn as_str(self) -> &'static str {
        match self {
            Note::UnknownEdgeLocation => "unknown_edge_location",
            Note::NoSaltForDate => "no_salt_for_date",
        }
    }
}

/// The notes of one record: a small set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Notes(u8);

impl Notes {
    /// The set holding `note` when `holds`, else the empty set.
    pub fn when(holds: bool, note: Note) -> Notes {
        Notes(u8::from(holds) << note as u8)
    }

    /// Both sets together.
    pub fn union(self, other: Notes) -> Notes {
        Notes(self.0 | other.0)
    }

    /// The notes in the set.
    pub fn iter(self) -> impl Iterator<Item = Note> {
        Note::ALL
            .into_iter()
            .filter(move |note| self.0 & (1 << *note as u8) != 0)
    }
}

/// Why a line was deliberately filtered out (`Dropped`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DropReason {
    /// The request is not for a pixel (favicon, the tracker script, probes…).
    NotPixelPath,
    /// CloudFront refused the pixel request (`sc-status` 4xx: a WAF block, a geo
    /// restriction, a bad request).
    RequestRefused,
    /// A `/hello.gif` hit without `t`.
    MissingEventType,
    /// A `t` other than `pv`, `tr` or `ev`.
    UnknownEventType,
    /// A custom event without a name.
    EventWithoutName,
    /// No host name in `hn`, the page URL or the referer header.
    MissingDomain,
    /// A host name that is not a valid DNS name.
    InvalidDomain,
    /// A valid host name that is not in the allow-list.
    DomainNotAllowed,
}

impl DropReason {
    /// The reason as it appears in outputs and counts.
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::NotPixelPath => "not_pixel_path",
            DropReason::RequestRefused => "request_refused",
            DropReason::MissingEventType => "missing_event_type",
            DropReason::UnknownEventType => "unknown_event_type",
            DropReason::EventWithoutName => "event_without_name",
            DropReason::MissingDomain => "missing_domain",
            DropReason::InvalidDomain => "invalid_domain",
            DropReason::DomainNotAllowed => "domain_not_allowed",
        }
    }
}

/// Why a record could not be processed (`ProcessingFailed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FailReason {
    /// The record holds no line at all.
    EmptyLine,
    /// The column count differs from the configured field list.
    FieldCountMismatch,
    /// `timestamp` is missing or not epoch seconds in 2000–2099.
    InvalidTimestamp,
    /// The Firehose record's `data` is not base64.
    InvalidBase64,
    /// The response would have exceeded Lambda's 6 MB limit (see `emit::batch`).
    ResponseSizeLimit,
}

impl FailReason {
    /// The reason as it appears in outputs and counts.
    pub fn as_str(self) -> &'static str {
        match self {
            FailReason::EmptyLine => "empty_line",
            FailReason::FieldCountMismatch => "field_count_mismatch",
            FailReason::InvalidTimestamp => "invalid_timestamp",
            FailReason::InvalidBase64 => "invalid_base64",
            FailReason::ResponseSizeLimit => "response_size_limit",
        }
    }
}

/// A processing failure: a reason to count and a detail for the error output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What went wrong, as a countable category.
    pub reason: FailReason,
    /// Which field and why, in words. Never echoes a client address.
    pub detail: String,
}

impl Failure {
    /// A failure for `reason`, explained by `detail`.
    pub fn new(reason: FailReason, detail: impl Into<String>) -> Failure {
        Failure {
            reason,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.reason.as_str(), self.detail)
    }
}

/// A line that yields no record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// Deliberately filtered out.
    Dropped(DropReason),
    /// Could not be processed.
    Failed(Failure),
}

impl From<DropReason> for Rejection {
    fn from(reason: DropReason) -> Rejection {
        Rejection::Dropped(reason)
    }
}

impl From<Failure> for Rejection {
    fn from(failure: Failure) -> Rejection {
        Rejection::Failed(failure)
    }
}

/// A kept hit: its record and where it goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Row<'a> {
    /// Partition keys.
    pub keys: PartitionKeys<'a>,
    /// The enriched record.
    pub record: Record<'a>,
    /// Enrichment gaps worth counting (the record is kept either way).
    pub notes: Notes,
}

/// The result for one log line.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome<'a> {
    /// Kept: a record and its partition.
    Ok(Box<Row<'a>>),
    /// Deliberately filtered out.
    Dropped(DropReason),
    /// Could not be processed.
    Failed(Failure),
}
