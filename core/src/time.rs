//! Server time: CloudFront's epoch-seconds timestamp, UTC calendar fields and formatting.

use std::fmt;

/// Milliseconds since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

/// Earliest accepted server time (2000-01-01): older stamps are corrupt, not late.
const MIN_SERVER_MS: i64 = 946_684_800_000;
/// Latest accepted server time (2100-01-01).
const MAX_SERVER_MS: i64 = 4_102_444_800_000;

impl Timestamp {
    /// Parses CloudFront's `timestamp` field: epoch seconds with an optional fraction of up to
    /// three digits (`1682084241.469`). `None` when malformed or outside 2000–2099.
    pub fn parse_epoch_seconds(raw: &[u8]) -> Option<Timestamp> {
        let (seconds, fraction) = match memchr::memchr(b'.', raw) {
            Some(dot) => (&raw[..dot], &raw[dot + 1..]),
            None => (raw, &b""[..]),
        };
        if seconds.is_empty() || seconds.len() > 12 || fraction.len() > 3 {
            return None;
        }
        let whole = parse_digits(seconds)?;
        let mut millis = parse_digits(fraction).unwrap_or(0);
        if !fraction.is_empty() && !fraction.iter().all(u8::is_ascii_digit) {
            return None;
        }
        for _ in fraction.len()..3 {
            millis *= 10;
        }
        let ms = whole.checked_mul(1000)?.checked_add(millis)?;
        (MIN_SERVER_MS..MAX_SERVER_MS)
            .contains(&ms)
            .then_some(Timestamp(ms))
    }

    /// The UTC calendar date.
    pub fn date(self) -> Date {
        Date::from_days_since_epoch(self.0.div_euclid(MS_PER_DAY))
    }

    /// Milliseconds since midnight UTC.
    pub fn ms_of_day(self) -> i64 {
        self.0.rem_euclid(MS_PER_DAY)
    }
}

const MS_PER_DAY: i64 = 86_400_000;

/// Parses ASCII digits into an integer; `None` for empty, non-digit or overflowing input.
pub fn parse_digits(raw: &[u8]) -> Option<i64> {
    if raw.is_empty() || raw.len() > 18 {
        return None;
    }
    raw.iter().try_fold(0i64, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + i64::from(b - b'0'))
    })
}

impl Timestamp {
    /// Appends `yyyy-MM-dd HH:mm:ss.SSS`, the form Glue's JSON SerDe reads as a timestamp.
    pub fn write_to(self, out: &mut Vec<u8>) {
        let ms = self.ms_of_day();
        self.date().write_to(out);
        out.push(b' ');
        write_digits(out, ms / 3_600_000, 2);
        out.push(b':');
        write_digits(out, ms / 60_000 % 60, 2);
        out.push(b':');
        write_digits(out, ms / 1000 % 60, 2);
        out.push(b'.');
        write_digits(out, ms % 1000, 3);
    }
}

/// Appends the last `width` decimal digits of a non-negative `value`, zero-padded.
fn write_digits(out: &mut Vec<u8>, value: i64, width: u32) {
    for power in (0..width).rev() {
        out.push(b'0' + (value / 10i64.pow(power) % 10) as u8);
    }
}

/// Formats as `yyyy-MM-dd HH:mm:ss.SSS` (see [`Timestamp::write_to`]).
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = Vec::with_capacity(23);
        self.write_to(&mut text);
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

/// A UTC calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year, e.g. 2023.
    pub year: i32,
    /// Month 1–12.
    pub month: u8,
    /// Day of month 1–31.
    pub day: u8,
}

impl Date {
    /// The date `days` after 1970-01-01 (proleptic Gregorian calendar).
    pub fn from_days_since_epoch(days: i64) -> Date {
        // Shift the epoch to 0000-03-01 so leap days fall at the end of each 400-year era.
        let shifted = days + 719_468;
        let era = shifted.div_euclid(146_097);
        let day_of_era = shifted.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let march_month = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * march_month + 2) / 5 + 1;
        let month = if march_month < 10 {
            march_month + 3
        } else {
            march_month - 9
        };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Date {
            year: year as i32,
            month: month as u8,
            day: day as u8,
        }
    }
}

impl Date {
    /// Days since 1970-01-01 (the inverse of [`Date::from_days_since_epoch`]).
    pub fn days_since_epoch(self) -> i64 {
        let year = i64::from(self.year) - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year.rem_euclid(400);
        let march_month = (i64::from(self.month) + 9) % 12;
        let day_of_year = (153 * march_month + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The date `days` later (earlier when negative).
    pub fn add_days(self, days: i64) -> Date {
        Date::from_days_since_epoch(self.days_since_epoch() + days)
    }

    /// Parses `yyyy-MM-dd`; `None` unless it is a real calendar date.
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let date = Date {
            year: parse_digits(&bytes[..4])? as i32,
            month: parse_digits(&bytes[5..7])? as u8,
            day: parse_digits(&bytes[8..])? as u8,
        };
        (Date::from_days_since_epoch(date.days_since_epoch()) == date).then_some(date)
    }
}

/// Formats as `yyyy-MM-dd`.
impl Date {
    /// Appends `yyyy-MM-dd`.
    pub fn write_to(self, out: &mut Vec<u8>) {
        write_digits(out, i64::from(self.year), 4);
        out.push(b'-');
        write_digits(out, i64::from(self.month), 2);
        out.push(b'-');
        write_digits(out, i64::from(self.day), 2);
    }
}

/// Written as the string `yyyy-MM-dd`.
impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Read from the string `yyyy-MM-dd`.
impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let text = String::deserialize(deserializer)?;
        Date::parse(&text).ok_or_else(|| serde::de::Error::custom("not a yyyy-MM-dd date"))
    }
}

/// Formats as `yyyy-MM-dd`.
impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = Vec::with_capacity(10);
        self.write_to(&mut text);
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cloudfront_timestamps_to_milliseconds() {
        assert_eq!(
            Timestamp::parse_epoch_seconds(b"1682084241.469"),
            Some(Timestamp(1_682_084_241_469))
        );
        assert_eq!(
            Timestamp::parse_epoch_seconds(b"1682084241.4"),
            Some(Timestamp(1_682_084_241_400))
        );
        assert_eq!(
            Timestamp::parse_epoch_seconds(b"1682084241"),
            Some(Timestamp(1_682_084_241_000))
        );
    }

    #[test]
    fn rejects_malformed_and_implausible_timestamps() {
        for bad in [
            &b""[..],
            b"-",
            b"abc",
            b"1682084241.4695",
            b"1682084241.x",
            b".5",
            b"12.5",
            b"99999999999999999999",
            b"4102444800",
        ] {
            assert_eq!(Timestamp::parse_epoch_seconds(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn formats_utc_date_and_time() {
        let ts = Timestamp(1_682_084_241_469);
        assert_eq!(ts.to_string(), "2023-04-21 13:37:21.469");
        assert_eq!(ts.date().to_string(), "2023-04-21");
    }

    #[test]
    fn calendar_handles_leap_years_and_era_edges() {
        assert_eq!(Date::from_days_since_epoch(0).to_string(), "1970-01-01");
        assert_eq!(
            Date::from_days_since_epoch(11_016).to_string(),
            "2000-02-29"
        );
        assert_eq!(
            Date::from_days_since_epoch(11_017).to_string(),
            "2000-03-01"
        );
        assert_eq!(
            Date::from_days_since_epoch(19_782).to_string(),
            "2024-02-29"
        );
        assert_eq!(Date::from_days_since_epoch(-1).to_string(), "1969-12-31");
        assert_eq!(
            Date::from_days_since_epoch(47_481).to_string(),
            "2099-12-31"
        );
    }

    #[test]
    fn calendar_agrees_with_a_day_by_day_walk() {
        let mut expected = Date {
            year: 1999,
            month: 12,
            day: 31,
        };
        let days_in = |y: i32, m: u8| match m {
            2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        for days in 10_957..47_482 {
            expected = if expected.day < days_in(expected.year, expected.month) {
                Date {
                    day: expected.day + 1,
                    ..expected
                }
            } else if expected.month < 12 {
                Date {
                    month: expected.month + 1,
                    day: 1,
                    ..expected
                }
            } else {
                Date {
                    year: expected.year + 1,
                    month: 1,
                    day: 1,
                }
            };
            assert_eq!(Date::from_days_since_epoch(days), expected);
            assert_eq!(expected.days_since_epoch(), days);
        }
    }

    #[test]
    fn dates_parse_and_step() {
        let date = Date::parse("2024-02-28").unwrap();
        assert_eq!(date.add_days(1).to_string(), "2024-02-29");
        assert_eq!(date.add_days(2).to_string(), "2024-03-01");
        assert_eq!(date.add_days(-59).to_string(), "2023-12-31");
        for bad in [
            "2023-02-29",
            "2023-13-01",
            "2023-1-01",
            "20230101",
            "2023-01-0x",
            "",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }
}
