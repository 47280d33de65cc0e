//! Custom events: their name and properties.

use std::borrow::Cow;

use crate::parse::decode::{tracker_value, truncate};
use crate::parse::hit::Hit;

/// Longest event name kept.
pub const MAX_EVENT_NAME_BYTES: usize = 128;
/// Longest event properties kept; longer ones are dropped whole (a cut JSON is useless).
pub const MAX_EVENT_DATA_BYTES: usize = 4096;

/// The event columns of a hit (both null for page views).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventColumns<'a> {
    /// The event's name.
    pub event_name: Option<Cow<'a, str>>,
    /// The event's properties, a JSON string.
    pub event_data: Option<Cow<'a, str>>,
}

/// The name (capped) and properties (whole, or null when too long) of a custom event.
pub fn columns<'a>(hit: &Hit<'a>) -> EventColumns<'a> {
    let Some(name) = &hit.event_name else {
        return EventColumns::default();
    };
    EventColumns {
        event_name: Some(truncate(name.clone(), MAX_EVENT_NAME_BYTES)),
        event_data: hit
            .tracker
            .pr
            .map(tracker_value)
            .filter(|data| data.len() <= MAX_EVENT_DATA_BYTES),
    }
}
