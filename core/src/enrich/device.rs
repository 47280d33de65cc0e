//! Screen and device facts the tracker reports (`w h iw ih d m c p l tz`).

use std::borrow::Cow;

use crate::parse::decode::{tracker_value, truncate};
use crate::parse::hit::Hit;
use crate::time::parse_digits;

/// Largest plausible screen dimension in CSS pixels.
const MAX_DIMENSION: i64 = 100_000;
/// Longest language, platform or time zone value kept.
pub const MAX_LABEL_BYTES: usize = 64;

/// `WIDTHxHEIGHT` when both are plausible pixel counts.
pub fn resolution(width: Option<&[u8]>, height: Option<&[u8]>) -> Option<String> {
    let dimension = |raw: Option<&[u8]>| {
        raw.and_then(parse_digits)
            .filter(|px| (1..=MAX_DIMENSION).contains(px))
    };
    let (width, height) = (dimension(width)?, dimension(height)?);
    let (mut width_digits, mut height_digits) = (itoa::Buffer::new(), itoa::Buffer::new());
    let parts = [
        width_digits.format(width),
        "x",
        height_digits.format(height),
    ];
    Some(parts.concat())
}

/// A small positive integer (colour depth, cores) up to `max`.
pub fn small_count(raw: Option<&[u8]>, max: i64) -> Option<i32> {
    raw.and_then(parse_digits)
        .filter(|n| (1..=max).contains(n))
        .map(|n| n as i32)
}

/// Device memory in GB (`navigator.deviceMemory`: 0.25, 0.5, 1, 2, 4, 8, …).
pub fn memory_gb(raw: Option<&[u8]>) -> Option<f64> {
    let text = std::str::from_utf8(raw?).ok()?;
    if !text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    text.parse::<f64>()
        .ok()
        .filter(|gb| *gb > 0.0 && *gb <= 4096.0)
}

/// A decoded, trimmed, length-capped label (language, platform, time zone).
pub fn label(raw: Option<&[u8]>) -> Option<Cow<'_, str>> {
    let value = tracker_value(raw?);
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return None;
    }
    let value = if trimmed.len() == value.len() {
        value
    } else {
        Cow::Owned(trimmed.to_owned())
    };
    Some(truncate(value, MAX_LABEL_BYTES))
}

/// The device and browser facts the tracker reported.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceColumns<'a> {
    /// Screen size.
    pub device_outer_resolution: Option<Cow<'a, str>>,
    /// Viewport size.
    pub device_inner_resolution: Option<Cow<'a, str>>,
    /// Colour depth.
    pub device_color_depth: Option<i32>,
    /// Logical cores.
    pub device_cores: Option<i32>,
    /// Memory in GB.
    pub device_memory: Option<f64>,
    /// `navigator.platform`.
    pub device_platform: Option<Cow<'a, str>>,
    /// Language.
    pub browser_language: Option<Cow<'a, str>>,
    /// IANA time zone.
    pub browser_timezone: Option<Cow<'a, str>>,
}

/// Screen, viewport, colour depth, cores, memory, platform, language and time zone.
pub fn columns<'a>(hit: &Hit<'a>) -> DeviceColumns<'a> {
    let tracker = &hit.tracker;
    DeviceColumns {
        device_outer_resolution: resolution(tracker.w, tracker.h).map(Cow::Owned),
        device_inner_resolution: resolution(tracker.iw, tracker.ih).map(Cow::Owned),
        device_color_depth: small_count(tracker.d, 64),
        device_cores: small_count(tracker.c, 1024),
        device_memory: memory_gb(tracker.m),
        device_platform: label(tracker.p),
        browser_language: label(tracker.l),
        browser_timezone: label(tracker.tz),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolution_needs_both_plausible_dimensions() {
        assert_eq!(
            resolution(Some(b"3440"), Some(b"1440")).as_deref(),
            Some("3440x1440")
        );
        assert_eq!(resolution(Some(b"3440"), None), None);
        assert_eq!(resolution(Some(b"0"), Some(b"1440")), None);
        assert_eq!(resolution(Some(b"-3"), Some(b"1440")), None);
        assert_eq!(resolution(Some(b"100001"), Some(b"1")), None);
    }

    #[test]
    fn counts_are_bounded() {
        assert_eq!(small_count(Some(b"24"), 64), Some(24));
        assert_eq!(small_count(Some(b"0"), 64), None);
        assert_eq!(small_count(Some(b"65"), 64), None);
        assert_eq!(small_count(Some(b"x"), 64), None);
    }

    #[test]
    fn memory_is_a_float() {
        assert_eq!(memory_gb(Some(b"0.5")), Some(0.5));
        assert_eq!(memory_gb(Some(b"8")), Some(8.0));
        for bad in [&b"0"[..], b"-1", b"1e3", b"NaN", b"inf", b""] {
            assert_eq!(memory_gb(Some(bad)), None, "{bad:?}");
        }
    }

    #[test]
    fn labels_are_decoded_trimmed_and_capped() {
        assert_eq!(
            label(Some(b"Europe%252FBerlin")).as_deref(),
            Some("Europe/Berlin")
        );
        assert_eq!(label(Some(b"%2520de-DE%2520")).as_deref(), Some("de-DE"));
        assert_eq!(label(Some(b"%2520")), None);
        let long = "a".repeat(100);
        assert_eq!(label(Some(long.as_bytes())).unwrap().len(), MAX_LABEL_BYTES);
    }
}
