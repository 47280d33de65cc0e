//! CloudFront real-time log fields: the canonical table and field lists.
//!
//! CloudFront writes the configured fields in its own canonical order, whatever order the
//! configuration names them in, so a [`FieldList`] is always kept sorted canonically and the
//! position of a field in a log line is its rank within the list.

use std::fmt;

macro_rules! fields {
    ($($variant:ident => $name:literal,)+) => {
        /// One CloudFront real-time log field. Variants are declared in canonical order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Field { $( #[doc = concat!("`", $name, "`")] $variant, )+ }

        impl Field {
            /// Every known field, in CloudFront's canonical order.
            pub const ALL: &'static [Field] = &[$(Field::$variant),+];

            /// The field's name as CloudFront spells it in a `RealtimeLogConfig`.
            pub fn name(self) -> &'static str {
                match self { $(Field::$variant => $name,)+ }
            }
        }
    };
}

fields! {
    Timestamp => "timestamp",
    ClientIp => "c-ip",
    ServerIp => "s-ip",
    TimeToFirstByte => "time-to-first-byte",
    Status => "sc-status",
    ResponseBytes => "sc-bytes",
    Method => "cs-method",
    Protocol => "cs-protocol",
    Host => "cs-host",
    UriStem => "cs-uri-stem",
    RequestBytes => "cs-bytes",
    EdgeLocation => "x-edge-location",
    EdgeRequestId => "x-edge-request-id",
    HostHeader => "x-host-header",
    TimeTaken => "time-taken",
    ProtocolVersion => "cs-protocol-version",
    ClientIpVersion => "c-ip-version",
    UserAgent => "cs-user-agent",
    Referer => "cs-referer",
    Cookie => "cs-cookie",
    UriQuery => "cs-uri-query",
    EdgeResponseResultType => "x-edge-response-result-type",
    ForwardedFor => "x-forwarded-for",
    SslProtocol => "ssl-protocol",
    SslCipher => "ssl-cipher",
    EdgeResultType => "x-edge-result-type",
    FleEncryptedFields => "fle-encrypted-fields",
    FleStatus => "fle-status",
    ContentType => "sc-content-type",
    ContentLength => "sc-content-len",
    RangeStart => "sc-range-start",
    RangeEnd => "sc-range-end",
    ClientPort => "c-port",
    EdgeDetailedResultType => "x-edge-detailed-result-type",
    Country => "c-country",
    AcceptEncoding => "cs-accept-encoding",
    Accept => "cs-accept",
    CacheBehaviorPathPattern => "cache-behavior-path-pattern",
    Headers => "cs-headers",
    HeaderNames => "cs-header-names",
    HeadersCount => "cs-headers-count",
    PrimaryDistributionId => "primary-distribution-id",
    PrimaryDistributionDnsName => "primary-distribution-dns-name",
    OriginFbl => "origin-fbl",
    OriginLbl => "origin-lbl",
    Asn => "asn",
    CmcdEncodedBitrate => "cmcd-encoded-bitrate",
    CmcdBufferLength => "cmcd-buffer-length",
    CmcdBufferStarvation => "cmcd-buffer-starvation",
    CmcdContentId => "cmcd-content-id",
    CmcdObjectDuration => "cmcd-object-duration",
    CmcdDeadline => "cmcd-deadline",
    CmcdMeasuredThroughput => "cmcd-measured-throughput",
    CmcdNextObjectRequest => "cmcd-next-object-request",
    CmcdNextRangeRequest => "cmcd-next-range-request",
    CmcdObjectType => "cmcd-object-type",
    CmcdPlaybackRate => "cmcd-playback-rate",
    CmcdRequestedMaximumThroughput => "cmcd-requested-maximum-throughput",
    CmcdStreamingFormat => "cmcd-streaming-format",
    CmcdSessionId => "cmcd-session-id",
    CmcdStreamType => "cmcd-stream-type",
    CmcdStartup => "cmcd-startup",
    CmcdTopBitrate => "cmcd-top-bitrate",
    CmcdVersion => "cmcd-version",
}

impl Field {
    /// Looks a field up by its CloudFront name.
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL
            .iter()
            .copied()
            .find(|field| field.name() == name)
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The reference twin's (ownstats) 12 fields.
pub const OWNSTATS_FIELDS: &[Field] = &[
    Field::Timestamp,
    Field::ClientIp,
    Field::Status,
    Field::UriStem,
    Field::RequestBytes,
    Field::EdgeLocation,
    Field::TimeTaken,
    Field::UserAgent,
    Field::Referer,
    Field::UriQuery,
    Field::EdgeResultType,
    Field::Asn,
];

/// pixelstream's default: the twin's fields plus `x-edge-request-id` (a unique, replay-stable
/// hit id for de-duplication) and `c-country` (viewer country without a GeoIP database).
pub const DEFAULT_FIELDS: &[Field] = &[
    Field::Timestamp,
    Field::ClientIp,
    Field::Status,
    Field::UriStem,
    Field::RequestBytes,
    Field::EdgeLocation,
    Field::EdgeRequestId,
    Field::TimeTaken,
    Field::UserAgent,
    Field::Referer,
    Field::UriQuery,
    Field::EdgeResultType,
    Field::Country,
    Field::Asn,
];

/// Why a field list specification was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldListError {
    /// A name that is not a CloudFront real-time log field.
    UnknownField(String),
    /// A field named more than once.
    DuplicateField(Field),
    /// The list names no field at all.
    Empty,
    /// `timestamp` is required: it is the only trustworthy clock.
    MissingTimestamp,
}

impl fmt::Display for FieldListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldListError::UnknownField(name) => {
                write!(f, "unknown CloudFront real-time log field {name:?}")
            }
            FieldListError::DuplicateField(field) => write!(f, "field {field} is listed twice"),
            FieldListError::Empty => f.write_str("the field list is empty"),
            FieldListError::MissingTimestamp => {
                f.write_str("the field list must include `timestamp`")
            }
        }
    }
}

impl std::error::Error for FieldListError {}

/// Marks a field that is not part of the list in [`FieldList::position`].
const ABSENT: u8 = u8::MAX;

/// The configured fields of a real-time log, in canonical order, with a constant-time
/// field → column lookup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldList {
    fields: Vec<Field>,
    position: Vec<u8>,
}

impl FieldList {
    /// Builds a list from fields in any order; they are sorted canonically, as CloudFront
    /// sends them.
    pub fn new(fields: &[Field]) -> Result<FieldList, FieldListError> {
        let mut sorted = fields.to_vec();
        sorted.sort_unstable();
        if let Some(pair) = sorted.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(FieldListError::DuplicateField(pair[0]));
        }
        if sorted.is_empty() {
            return Err(FieldListError::Empty);
        }
        if sorted[0] != Field::Timestamp {
            return Err(FieldListError::MissingTimestamp);
        }
        let mut position = vec![ABSENT; Field::ALL.len()];
        for (column, field) in sorted.iter().enumerate() {
            // At most Field::ALL.len() (< 255) distinct fields, so the column fits in a u8.
            position[field.index()] = column as u8;
        }
        Ok(FieldList {
            fields: sorted,
            position,
        })
    }

    /// Parses `ownstats`, `default`, or comma-separated CloudFront field names.
    pub fn parse(spec: &str) -> Result<FieldList, FieldListError> {
        match spec.trim() {
            "ownstats" => FieldList::new(OWNSTATS_FIELDS),
            "default" => FieldList::new(DEFAULT_FIELDS),
            names => {
                let fields = names
                    .split(',')
                    .map(str::trim)
                    .filter(|name| !name.is_empty())
                    .map(|name| {
                        Field::from_name(name)
                            .ok_or_else(|| FieldListError::UnknownField(name.to_owned()))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                FieldList::new(&fields)
            }
        }
    }

    /// The reference twin's 12-field preset.
    pub fn ownstats() -> FieldList {
        FieldList::new(OWNSTATS_FIELDS).expect("the ownstats preset is a valid field list")
    }

    /// pixelstream's default field list (the one the CloudFormation template configures).
    pub fn default_fields() -> FieldList {
        FieldList::new(DEFAULT_FIELDS).expect("the default preset is a valid field list")
    }

    /// The fields in canonical order.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// Number of tab-separated columns a log line must have.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Always false: a field list holds at least `timestamp`.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The column of `field` in a log line, if the list has it.
    pub fn position(&self, field: Field) -> Option<usize> {
        match self.position[field.index()] {
            ABSENT => None,
            column => Some(usize::from(column)),
        }
    }

    /// Comma-separated names, the form [`FieldList::parse`] reads back.
    pub fn to_spec(&self) -> String {
        let names: Vec<&str> = self.fields.iter().map(|field| field.name()).collect();
        names.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_table_names_are_unique_and_round_trip() {
        for (rank, field) in Field::ALL.iter().enumerate() {
            assert_eq!(Field::from_name(field.name()), Some(*field));
            assert_eq!(field.index(), rank);
        }
    }

    #[test]
    fn canonical_table_starts_like_the_aws_guide() {
        let first: Vec<&str> = Field::ALL.iter().take(5).map(|f| f.name()).collect();
        assert_eq!(
            first,
            [
                "timestamp",
                "c-ip",
                "s-ip",
                "time-to-first-byte",
                "sc-status"
            ]
        );
        let asn = Field::from_name("asn").unwrap();
        let country = Field::from_name("c-country").unwrap();
        assert!(country < asn);
    }

    #[test]
    fn ownstats_preset_has_the_twins_twelve_fields_in_order() {
        let list = FieldList::parse("ownstats").unwrap();
        assert_eq!(
            list.to_spec(),
            "timestamp,c-ip,sc-status,cs-uri-stem,cs-bytes,x-edge-location,time-taken,\
             cs-user-agent,cs-referer,cs-uri-query,x-edge-result-type,asn"
        );
        assert_eq!(list.position(Field::Asn), Some(11));
        assert_eq!(list.position(Field::Country), None);
    }

    #[test]
    fn default_preset_adds_request_id_and_country() {
        let list = FieldList::default_fields();
        assert_eq!(list.len(), 14);
        assert!(list.position(Field::EdgeRequestId).is_some());
        assert!(list.position(Field::Country).is_some());
        assert!(list.fields().windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn names_in_any_order_are_sorted_canonically() {
        let list = FieldList::parse("asn, cs-uri-query ,timestamp").unwrap();
        assert_eq!(list.to_spec(), "timestamp,cs-uri-query,asn");
        assert_eq!(list.position(Field::UriQuery), Some(1));
    }

    #[test]
    fn unknown_duplicate_empty_and_timestampless_lists_are_rejected() {
        assert_eq!(
            FieldList::parse("timestamp,c-ipp"),
            Err(FieldListError::UnknownField("c-ipp".into()))
        );
        assert_eq!(
            FieldList::parse("timestamp,asn,asn"),
            Err(FieldListError::DuplicateField(Field::Asn))
        );
        assert_eq!(FieldList::parse(" , "), Err(FieldListError::Empty));
        assert_eq!(
            FieldList::parse("c-ip,asn"),
            Err(FieldListError::MissingTimestamp)
        );
    }
}
