//! Event time: the client clock is only believed when it agrees with the server's.

use crate::parse::hit::Hit;
use crate::time::{Timestamp, parse_digits};

/// How far ahead of the server a client clock may run (clock skew).
pub const MAX_CLIENT_LEAD_MS: i64 = 5 * 60 * 1000;
/// How long before arrival an event may have happened (queued beacons, slow networks).
pub const MAX_CLIENT_LAG_MS: i64 = 60 * 60 * 1000;

/// When the event happened and how long it took to arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventTime {
    /// The client's `ts` when plausible, else the arrival time.
    pub event: Timestamp,
    /// `arrival − event` in milliseconds.
    pub delay_ms: i64,
}

/// Picks the event time from the tracker's raw `ts` (epoch ms) and the server arrival time.
pub fn event_time(arrival: Timestamp, client_ts: Option<&[u8]>) -> EventTime {
    let plausible = client_ts
        .and_then(parse_digits)
        .map(Timestamp)
        .filter(|ts| (-MAX_CLIENT_LEAD_MS..=MAX_CLIENT_LAG_MS).contains(&(arrival.0 - ts.0)));
    let event = plausible.unwrap_or(arrival);
    EventTime {
        event,
        delay_ms: arrival.0 - event.0,
    }
}

/// The time columns of a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeColumns {
    /// Year of the arrival (UTC).
    pub event_year: Option<i32>,
    /// Month of the arrival.
    pub event_month: Option<i32>,
    /// Day of month of the arrival.
    pub event_day: Option<i32>,
    /// The client's time when plausible, else the arrival.
    pub event_timestamp: Option<Timestamp>,
    /// The server arrival time.
    pub arrival_timestamp: Option<Timestamp>,
    /// Arrival minus event time.
    pub arrival_delay_ms: Option<i64>,
}

/// The time hierarchy of the arrival and the event time (from the tracker's `ts`).
pub fn columns(hit: &Hit<'_>) -> TimeColumns {
    let date = hit.arrival.date();
    let time = event_time(hit.arrival, hit.tracker.ts);
    TimeColumns {
        event_year: Some(date.year),
        event_month: Some(i32::from(date.month)),
        event_day: Some(i32::from(date.day)),
        event_timestamp: Some(time.event),
        arrival_timestamp: Some(hit.arrival),
        arrival_delay_ms: Some(time.delay_ms),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARRIVAL: Timestamp = Timestamp(1_682_084_241_469);

    #[test]
    fn plausible_client_time_is_kept() {
        let time = event_time(ARRIVAL, Some(b"1682083804768"));
        assert_eq!(time.event, Timestamp(1_682_083_804_768));
        assert_eq!(time.delay_ms, 436_701);
    }

    #[test]
    fn slightly_fast_client_clocks_are_kept_with_negative_delay() {
        let time = event_time(ARRIVAL, Some(b"1682084301469"));
        assert_eq!(time.delay_ms, -60_000);
    }

    #[test]
    fn implausible_missing_or_garbage_client_time_falls_back_to_arrival() {
        for ts in [
            Some(&b"1"[..]),
            Some(b"1682084241469000"),
            Some(b"1682090000000"),
            Some(b"1600000000000"),
            Some(b"abc"),
            Some(b"-1682084241469"),
            None,
        ] {
            let time = event_time(ARRIVAL, ts);
            assert_eq!(
                time,
                EventTime {
                    event: ARRIVAL,
                    delay_ms: 0
                },
                "{ts:?}"
            );
        }
    }
}
