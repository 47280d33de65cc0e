//! Request facts CloudFront logged: status, size, cache result, delivery time, network.

use crate::time::parse_digits;

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
    integer(raw).filter(|asn| (1..=u32::MAX as i64).contains(asn))
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
    (0.0..=i32::MAX as f64).contains(&ms).then_some(ms as i32)
}

/// The cache result type (`Hit`, `Miss`, `RefreshHit`, `Error`, …), if it looks like one.
pub fn cache_status(raw: &[u8]) -> Option<&str> {
    let valid = !raw.is_empty() && raw.len() <= 32 && raw.iter().all(u8::is_ascii_alphanumeric);
    valid.then(|| std::str::from_utf8(raw).ok()).flatten()
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
