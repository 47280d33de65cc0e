//! The output record: the one source of truth for the analytics schema.
//!
//! [`Record`], the Glue column list [`COLUMNS`] and the JSON writer are generated from the
//! single declaration below, so the Glue table, the Parquet schema and the docs cannot drift
//! from what the Lambda writes.

use std::borrow::Cow;
use std::sync::Arc;

use crate::emit::json;
use crate::enrich::bot::BotReasons;
use crate::enrich::ids::Id;
use crate::time::Timestamp;

/// A column of the analytics table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Column name (lower-case snake_case; also the JSON key).
    pub name: &'static str,
    /// Glue / Hive type.
    pub glue_type: &'static str,
    /// What the column holds.
    pub doc: &'static str,
}

/// One column value of a record, typed as the table stores it (for columnar writers).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'v> {
    /// SQL `NULL`: unknown.
    Null,
    /// An `int`.
    Int(i32),
    /// A `bigint`.
    BigInt(i64),
    /// A `double` (finite).
    Double(f64),
    /// A `string`.
    Text(&'v str),
    /// A `timestamp` (UTC, ms precision).
    Timestamp(Timestamp),
    /// An `array<string>` of bot reasons (non-empty).
    Reasons(BotReasons),
}

/// A value that can be written as a typed JSON column.
pub trait ColumnValue {
    /// The Glue type the value is written as.
    const GLUE_TYPE: &'static str;
    /// Whether the value is SQL `NULL` (unknown).
    fn is_null(&self) -> bool;
    /// Appends the JSON value (only called when not null).
    fn write_json(&self, out: &mut Vec<u8>);
    /// The typed value ([`Value::Null`] exactly when [`ColumnValue::is_null`]).
    fn value(&self) -> Value<'_>;
}

impl ColumnValue for Option<i32> {
    const GLUE_TYPE: &'static str = "int";
    fn is_null(&self) -> bool {
        self.is_none()
    }
    fn write_json(&self, out: &mut Vec<u8>) {
        json::write_int(out, self.unwrap_or_default());
    }
    fn value(&self) -> Value<'_> {
        self.map_or(Value::Null, Value::Int)
    }
}

impl ColumnValue for Option<i64> {
    const GLUE_TYPE: &'static str = "bigint";
    fn is_null(&self) -> bool {
        self.is_none()
    }
    fn write_json(&self, out: &mut Vec<u8>) {
        json::write_int(out, self.unwrap_or_default());
    }
    fn value(&self) -> Value<'_> {
        self.map_or(Value::Null, Value::BigInt)
    }
}

impl ColumnValue for Option<f64> {
    const GLUE_TYPE: &'static str = "double";
    fn is_null(&self) -> bool {
        !self.is_some_and(f64::is_finite)
    }
    fn write_json(&self, out: &mut Vec<u8>) {
        json::write_float(out, self.unwrap_or_default());
    }
    fn value(&self) -> Value<'_> {
        match self {
            Some(x) if x.is_finite() => Value::Double(*x),
            _ => Value::Null,
        }
    }
}

/// String columns: text borrowed from the line, shared from a table, or an id.
macro_rules! string_column {
    ($($ty:ty),+) => {$(
        impl ColumnValue for $ty {
            const GLUE_TYPE: &'static str = "string";
            fn is_null(&self) -> bool {
                self.is_none()
            }
            fn write_json(&self, out: &mut Vec<u8>) {
                json::write_str(out, self.as_deref().unwrap_or_default());
            }
            fn value(&self) -> Value<'_> {
                self.as_deref().map_or(Value::Null, Value::Text)
            }
        }
    )+};
}

string_column!(Option<Cow<'_, str>>, Option<Arc<str>>, Option<Id>);

impl ColumnValue for Option<Timestamp> {
    const GLUE_TYPE: &'static str = "timestamp";
    fn is_null(&self) -> bool {
        self.is_none()
    }
    fn write_json(&self, out: &mut Vec<u8>) {
        if let Some(timestamp) = self {
            out.push(b'"');
            timestamp.write_to(out);
            out.push(b'"');
        }
    }
    fn value(&self) -> Value<'_> {
        self.map_or(Value::Null, Value::Timestamp)
    }
}

impl ColumnValue for BotReasons {
    const GLUE_TYPE: &'static str = "array<string>";
    fn is_null(&self) -> bool {
        !self.is_bot()
    }
    fn write_json(&self, out: &mut Vec<u8>) {
        let mut separator = b'[';
        for reason in self.iter() {
            out.push(separator);
            json::write_str(out, reason.as_str());
            separator = b',';
        }
        out.push(b']');
    }
    fn value(&self) -> Value<'_> {
        if self.is_bot() {
            Value::Reasons(*self)
        } else {
            Value::Null
        }
    }
}

/// A column's value as text, where the column is a text column (the others have none), so
/// that text can be found and replaced in every column alike.
trait TextColumn {
    /// The text, when the column is text and not null.
    fn text(&self) -> Option<&str> {
        None
    }
    /// Sets a text column's value (only called on columns that have text).
    fn set_text(&mut self, _text: String) {}
}

impl TextColumn for Option<Cow<'_, str>> {
    fn text(&self) -> Option<&str> {
        self.as_deref()
    }
    fn set_text(&mut self, text: String) {
        *self = Some(Cow::Owned(text));
    }
}

impl TextColumn for Option<Arc<str>> {
    fn text(&self) -> Option<&str> {
        self.as_deref()
    }
    fn set_text(&mut self, text: String) {
        *self = Some(Arc::from(text));
    }
}

/// Ids are base64url of a digest: nothing a client wrote can be in them.
impl TextColumn for Option<Id> {}
impl TextColumn for Option<i32> {}
impl TextColumn for Option<i64> {}
impl TextColumn for Option<f64> {}
impl TextColumn for Option<Timestamp> {}
impl TextColumn for BotReasons {}

/// Whether `text` holds `needle` (not empty). Needles here are short (an address) and so are
/// most column values, so each occurrence of the needle's first byte is simply compared:
/// nothing is built per search.
fn text_holds(text: &str, needle: &str) -> bool {
    let (text, needle) = (text.as_bytes(), needle.as_bytes());
    let Some(last_start) = text.len().checked_sub(needle.len()) else {
        return false;
    };
    memchr::memchr_iter(needle[0], &text[..=last_start]).any(|at| text[at..].starts_with(needle))
}

/// Whether the column's text holds `needle` (not empty).
fn holds(column: &impl TextColumn, needle: &str) -> bool {
    column.text().is_some_and(|text| text_holds(text, needle))
}

/// Replaces every occurrence of `needle` (not empty) in the column's text.
fn replace_in(column: &mut impl TextColumn, needle: &str, replacement: &str) {
    if !holds(column, needle) {
        return;
    }
    let replaced = column
        .text()
        .unwrap_or_default()
        .replace(needle, replacement);
    column.set_text(replaced);
}

/// Maps a column kind of the schema declaration to its Rust type.
macro_rules! column_type {
    (int, $lt:lifetime) => { Option<i32> };
    (bigint, $lt:lifetime) => { Option<i64> };
    (double, $lt:lifetime) => { Option<f64> };
    (string, $lt:lifetime) => { Option<Cow<$lt, str>> };
    (id, $lt:lifetime) => { Option<Id> };
    (shared, $lt:lifetime) => { Option<Arc<str>> };
    (timestamp, $lt:lifetime) => { Option<Timestamp> };
    (reasons, $lt:lifetime) => { BotReasons };
}

macro_rules! schema {
    ($( $(#[doc = $doc:literal])+ $name:ident : $kind:ident, )+) => {
        /// One analytics row, as written for Firehose (partition keys travel separately).
        /// `None` is SQL `NULL`: unknown, never a placeholder.
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct Record<'a> {
            $( $(#[doc = $doc])+ pub $name: column_type!($kind, 'a), )+
        }

        /// The table's data columns, in record order.
        pub const COLUMNS: &[Column] = &[
            $( Column {
                name: stringify!($name),
                glue_type: <column_type!($kind, 'static) as ColumnValue>::GLUE_TYPE,
                doc: concat!($($doc),+).trim_ascii(),
            }, )+
        ];

        impl Record<'_> {
            /// Whether any text column holds `needle` (never true of an empty one).
            pub fn contains_text(&self, needle: &str) -> bool {
                if needle.is_empty() {
                    return false;
                }
                false $( || holds(&self.$name, needle) )+
            }

            /// Replaces every occurrence of `needle` in every text column (used to keep the
            /// client's address out of values the client controls, such as paths).
            pub fn replace_text(&mut self, needle: &str, replacement: &str) {
                if needle.is_empty() {
                    return;
                }
                $( replace_in(&mut self.$name, needle, replacement); )+
            }

            /// Calls `visit` with each column's index in [`COLUMNS`] and its typed value, in
            /// column order.
            pub fn for_each_value<'v>(&'v self, mut visit: impl FnMut(usize, Value<'v>)) {
                let mut index = 0;
                $(
                    visit(index, ColumnValue::value(&self.$name));
                    index += 1;
                )+
                let _ = index;
            }

            /// Appends the record as one compact JSON object. Null columns are left out:
            /// Glue's JSON SerDe reads a missing key as `NULL`, and the output stays small.
            pub fn write_json(&self, out: &mut Vec<u8>) {
                let mut separator = b'{';
                $(
                    if !ColumnValue::is_null(&self.$name) {
                        out.push(separator);
                        out.extend_from_slice(concat!("\"", stringify!($name), "\":").as_bytes());
                        ColumnValue::write_json(&self.$name, out);
                        separator = b',';
                    }
                )+
                if separator == b'{' {
                    out.push(b'{');
                }
                out.push(b'}');
            }

            /// Appends the record as one JSON object listing every column in order, with
            /// `null` for unknown values (the CLI's readable listing).
            pub fn write_json_all_columns(&self, out: &mut Vec<u8>) {
                let mut separator = b'{';
                $(
                    out.push(separator);
                    out.extend_from_slice(concat!("\"", stringify!($name), "\":").as_bytes());
                    if ColumnValue::is_null(&self.$name) {
                        out.extend_from_slice(b"null");
                    } else {
                        ColumnValue::write_json(&self.$name, out);
                    }
                    separator = b',';
                )+
                out.push(b'}');
            }
        }
    };
}

// Each entry: doc, name, Glue kind. The order is the column order of the table.

schema! {
    /// Year of the server arrival time (UTC).
    event_year: int,
    /// Month (1–12) of the server arrival time (UTC).
    event_month: int,
    /// Day of month of the server arrival time (UTC).
    event_day: int,
    /// When the event happened: the tracker's clock when plausible, else the server time.
    event_timestamp: timestamp,
    /// When CloudFront served the request (server clock, ms precision, UTC).
    arrival_timestamp: timestamp,
    /// `arrival_timestamp` minus `event_timestamp`, in milliseconds.
    arrival_delay_ms: bigint,
    /// Edge location code prefix (IATA-like, e.g. `HAM`).
    edge_id: string,
    /// City of the edge location.
    edge_city: string,
    /// State or region of the edge location.
    edge_state: string,
    /// Country name of the edge location.
    edge_country: string,
    /// ISO 3166-1 alpha-2 country code of the edge location.
    edge_country_code: string,
    /// Latitude of the edge location.
    edge_latitude: double,
    /// Longitude of the edge location.
    edge_longitude: double,
    /// ISO 3166-1 alpha-2 country of the viewer (CloudFront's `c-country`).
    viewer_country_code: string,
    /// English name of the viewer's country.
    viewer_country: string,
    /// External referrer URL without query or fragment; null for direct and self-referrals.
    referrer: string,
    /// Host name of the external referrer.
    referrer_domain_name: string,
    /// Where the visit came from: a clean name for a known source (Google, Hacker News,
    /// ChatGPT, …), else the `utm_source`, else the referrer's host; null for direct traffic.
    referrer_source: string,
    /// Kind of source: search, social, email, ai, referral, internal or unknown; null for
    /// direct traffic.
    referrer_medium: string,
    /// Acquisition channel: Direct, Organic Search, Paid Search, Organic Social, Paid Social,
    /// Email, AI Assistant, Referral or Other Campaign.
    channel: string,
    /// Browser family.
    browser_name: shared,
    /// Browser version.
    browser_version: shared,
    /// Operating system family.
    browser_os_name: shared,
    /// Operating system version.
    browser_os_version: shared,
    /// IANA time zone reported by the browser.
    browser_timezone: string,
    /// Language reported by the browser (BCP 47).
    browser_language: string,
    /// Desktop, Mobile, Tablet, Bot or Other.
    device_type: string,
    /// Device brand.
    device_vendor: shared,
    /// Screen size `WIDTHxHEIGHT` in CSS pixels.
    device_outer_resolution: string,
    /// Viewport size `WIDTHxHEIGHT` in CSS pixels.
    device_inner_resolution: string,
    /// Screen colour depth in bits.
    device_color_depth: int,
    /// Platform reported by the browser.
    device_platform: string,
    /// Device memory in GB as reported by the browser (may be fractional).
    device_memory: double,
    /// Logical CPU cores reported by the browser.
    device_cores: int,
    /// Campaign source (`utm_source`, `ref` or `source`).
    utm_source: string,
    /// Campaign name (`utm_campaign`).
    utm_campaign: string,
    /// Campaign medium (`utm_medium`).
    utm_medium: string,
    /// Campaign content (`utm_content`).
    utm_content: string,
    /// Campaign term (`utm_term`).
    utm_term: string,
    /// Name of the ad click-id parameter the page URL carried (`gclid`, `fbclid`, …); the
    /// value, a personal identifier, is never stored.
    click_id_param: string,
    /// Page URL without query or fragment.
    request_url: string,
    /// Page path.
    request_path: string,
    /// Size of the pixel request in bytes (`cs-bytes`).
    request_bytes: bigint,
    /// HTTP status CloudFront answered with.
    request_status_code: int,
    /// CloudFront result type (`Hit`, `Miss`, `RefreshHit`, …).
    request_cache_status: string,
    /// Time CloudFront took to serve the request, in milliseconds.
    request_delivery_time_ms: int,
    /// Autonomous system number of the viewer's network.
    request_asn: bigint,
    /// 1 when the hit comes from a bot, else 0.
    request_is_bot: int,
    /// Why the hit counts as a bot (null for humans).
    bot_reasons: reasons,
    /// Name of a custom event (`event` rows).
    event_name: string,
    /// Properties of a custom event, as a JSON string.
    event_data: string,
    /// Unique, replay-stable id of this hit.
    page_view_id: id,
    /// Id of the page view of a visitor on a page on a day.
    daily_page_view_id: id,
    /// Keyed, daily-rotating visitor id.
    daily_visitor_id: id,
    /// The visitor's id under yesterday's salt, for hits in the first 30 minutes of a UTC day
    /// (stitches sessions across midnight).
    previous_daily_visitor_id: id,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(record: &Record<'_>) -> serde_json::Value {
        let mut out = Vec::new();
        record.write_json(&mut out);
        serde_json::from_slice(&out).expect("record JSON parses")
    }

    #[test]
    fn typed_values_follow_the_columns_and_agree_with_json_nulls() {
        let record = Record {
            event_year: Some(2023),
            edge_longitude: Some(f64::NAN),
            request_path: Some(Cow::Borrowed("/a")),
            arrival_timestamp: Some(Timestamp(5)),
            ..Record::default()
        };
        let written = json(&record);
        let mut seen = Vec::new();
        record.for_each_value(|index, value| {
            let name = COLUMNS[index].name;
            assert_eq!(value == Value::Null, written.get(name).is_none(), "{name}");
            if value != Value::Null {
                seen.push((name, value));
            }
        });
        assert_eq!(
            seen,
            [
                ("event_year", Value::Int(2023)),
                ("arrival_timestamp", Value::Timestamp(Timestamp(5))),
                ("request_path", Value::Text("/a")),
            ]
        );
    }

    #[test]
    fn empty_record_is_an_empty_object() {
        assert_eq!(json(&Record::default()), serde_json::json!({}));
    }

    #[test]
    fn values_are_written_with_their_column_types() {
        let record = Record {
            event_year: Some(2023),
            arrival_timestamp: Some(Timestamp(1_682_084_241_469)),
            arrival_delay_ms: Some(-5),
            edge_latitude: Some(53.63),
            edge_longitude: Some(f64::NAN),
            request_path: Some(Cow::Borrowed("/a \"b\"")),
            ..Record::default()
        };
        assert_eq!(
            json(&record),
            serde_json::json!({
                "event_year": 2023,
                "arrival_timestamp": "2023-04-21 13:37:21.469",
                "arrival_delay_ms": -5,
                "edge_latitude": 53.63,
                "request_path": "/a \"b\"",
            })
        );
    }

    #[test]
    fn text_is_found_at_either_end_and_after_false_starts() {
        assert!(text_holds("1.2.3.4", "1.2.3.4"));
        assert!(text_holds("/11.2.3.4", "1.2.3.4"));
        assert!(text_holds("1.2.3.41.2.3.4x", "1.2.3.4x"));
        assert!(!text_holds("1.2.3.", "1.2.3.4"));
        assert!(!text_holds("1.2.3.5 1.2.3", "1.2.3.4"));
        assert!(!text_holds("", "1"));
    }

    #[test]
    fn text_is_replaced_in_every_text_column_only() {
        let mut record = Record {
            request_path: Some(Cow::Borrowed("/ip/1.2.3.4/1.2.3.4")),
            referrer_domain_name: Some(Cow::Borrowed("1.2.3.4")),
            utm_term: Some(Cow::Borrowed("nothing here")),
            request_asn: Some(1234),
            ..Record::default()
        };
        assert!(record.contains_text("1.2.3.4"));
        assert!(!record.contains_text("1234"), "an int column holds no text");
        assert!(!record.contains_text(""));
        record.replace_text("1.2.3.4", "1.2.3.0");
        assert!(!record.contains_text("1.2.3.4"));
        assert_eq!(record.request_path.as_deref(), Some("/ip/1.2.3.0/1.2.3.0"));
        assert_eq!(record.referrer_domain_name.as_deref(), Some("1.2.3.0"));
        assert_eq!(record.utm_term.as_deref(), Some("nothing here"));
        assert_eq!(record.request_asn, Some(1234));
    }

    #[test]
    fn bot_reasons_are_a_string_array_or_absent() {
        use crate::enrich::bot::BotReason;
        let mut reasons = BotReasons::default();
        assert_eq!(json(&Record::default()).get("bot_reasons"), None);
        reasons.insert(BotReason::Headless);
        reasons.insert(BotReason::DatacenterAsn);
        let record = Record {
            bot_reasons: reasons,
            ..Record::default()
        };
        assert_eq!(
            json(&record)["bot_reasons"],
            serde_json::json!(["headless", "datacenter_asn"])
        );
    }

    #[test]
    fn columns_are_unique_snake_case_and_avoid_hive_keywords() {
        let mut names: Vec<&str> = COLUMNS.iter().map(|c| c.name).collect();
        assert!(
            names
                .iter()
                .all(|n| n.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        );
        assert!(!names.contains(&"timestamp") && !names.contains(&"date"));
        for key in ["domain_name", "event_type", "event_date"] {
            assert!(
                !names.contains(&key),
                "partition key {key} must not be a data column"
            );
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), COLUMNS.len());
    }

    #[test]
    fn columns_carry_the_reference_schema_with_types() {
        let glue = |name: &str| COLUMNS.iter().find(|c| c.name == name).map(|c| c.glue_type);
        assert_eq!(glue("event_timestamp"), Some("timestamp"));
        assert_eq!(glue("device_memory"), Some("double"));
        assert_eq!(glue("request_asn"), Some("bigint"));
        assert_eq!(glue("request_is_bot"), Some("int"));
        assert_eq!(glue("referrer_domain_name"), Some("string"));
        assert_eq!(glue("bot_reasons"), Some("array<string>"));
        assert!(COLUMNS.iter().all(|c| !c.doc.is_empty()));
    }
}
