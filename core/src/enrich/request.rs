//! Request facts CloudFront logged: status, size, cache result, delivery time, network.

use crate::time::parse_digits;
use std::borrow::Cow;

use crate::parse::fields::Field;
use crate::parse::hit::Hit;

/// Parses a non-negative integer field (`sc-status`, `cs-bytes`, `asn`).
pub fn integer(raw: &[u8]) -> Option<i64> {
    parse_digits(raw)
}

/// Parses an HTTP status (100–599).
pub fn status_code(raw: &[u8]) -> Option<i32> {
    integer(raw)
        .filter(|code| (100..=599).contains(code))
        .map(|code| code as i32)
}

/// Parses an autonomous system number (1–4294967295; 0 is reserved).
pub fn asn(raw: &[u8]) -> Option<i64> {
    integer(raw).filter(|asn| (1..=i64::from(u32::MAX)).contains(asn))
}

/// Converts `time-taken` (seconds with a fraction, e.g. `0.001`) to whole milliseconds,
/// rounding to nearest.
pub fn delivery_time_ms(raw: &[u8]) -> Option<i32> {
    let text = std::str::from_utf8(raw).ok()?;
    if !text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let seconds: f64 = text.parse().ok()?;
    let ms = (seconds * 1000.0).round();
    (0.0..=f64::from(i32::MAX))
        .contains(&ms)
        .then_some(ms as i32)
}

/// The cache result type (`Hit`, `Miss`, `RefreshHit`, `Error`, …), if it looks like one.
pub fn cache_status(raw: &[u8]) -> Option<&str> {
    let valid = !raw.is_empty() && raw.len() <= 32 && raw.iter().all(u8::is_ascii_alphanumeric);
    valid.then(|| std::str::from_utf8(raw).ok()).flatten()
}

/// The request columns of a hit: what CloudFront logged about the request itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestColumns<'a> {
    /// `cs-bytes`.
    pub request_bytes: Option<i64>,
    /// `sc-status`.
    pub request_status_code: Option<i32>,
    /// `x-edge-result-type`.
    pub request_cache_status: Option<Cow<'a, str>>,
    /// `time-taken` in milliseconds.
    pub request_delivery_time_ms: Option<i32>,
    /// `asn`.
    pub request_asn: Option<i64>,
}

/// Status, size, cache result, delivery time and network of the request.
pub fn columns<'a>(hit: &Hit<'a>) -> RequestColumns<'a> {
    RequestColumns {
        request_bytes: hit.field(Field::RequestBytes).and_then(integer),
        request_status_code: hit.field(Field::Status).and_then(status_code),
        request_cache_status: hit
            .field(Field::EdgeResultType)
            .and_then(cache_status)
            .map(Cow::Borrowed),
        request_delivery_time_ms: hit.field(Field::TimeTaken).and_then(delivery_time_ms),
        request_asn: viewer_asn(hit),
    }
}

/// The viewer's AS number, when logged and valid.
pub fn viewer_asn(hit: &Hit<'_>) -> Option<i64> {
    hit.field(Field::Asn).and_then(asn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_in_range_only() {
        assert_eq!(status_code(b"304"), Some(304));
        assert_eq!(status_code(b"99"), None);
        assert_eq!(status_code(b"600"), None);
        assert_eq!(status_code(b"2x0"), None);
    }

    #[test]
    fn asns_are_32_bit_and_non_zero() {
        assert_eq!(asn(b"3320"), Some(3320));
        assert_eq!(asn(b"4294967295"), Some(4_294_967_295));
        assert_eq!(asn(b"4294967296"), None);
        assert_eq!(asn(b"0"), None);
    }

    #[test]
    fn delivery_time_is_rounded_to_milliseconds() {
        assert_eq!(delivery_time_ms(b"0.001"), Some(1));
        assert_eq!(delivery_time_ms(b"1.2345"), Some(1235));
        assert_eq!(delivery_time_ms(b"0.000"), Some(0));
        for bad in [&b"-1"[..], b"1e3", b"inf", b"NaN", b"", b"99999999999"] {
            assert_eq!(delivery_time_ms(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn cache_status_accepts_cloudfront_result_types() {
        assert_eq!(cache_status(b"RefreshHit"), Some("RefreshHit"));
        assert_eq!(cache_status(b"Hit Me"), None);
        assert_eq!(cache_status(b""), None);
    }
}
