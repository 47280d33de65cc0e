//! What may leave the pipeline: records never carry the client's address, even where the
//! client wrote it into a value, and failure output keeps the line for debugging without any
//! address or click-id value.

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::record::Record;
use crate::enrich::click_id::ClickId;
use crate::parse::decode::truncate;
use crate::parse::fields::{Field, FieldList};

/// Replaces the client's own address wherever the client wrote it into a value (a path, a
/// referrer, an event) by its /24 or /48 network: the address never leaves the pipeline.
/// The columns are searched first; the network is only written out when one holds the
/// address.
pub fn keep_address_out(record: &mut Record<'_>, client_ip: Option<&[u8]>) {
    let Some(logged) = client_ip.and_then(|ip| std::str::from_utf8(ip).ok()) else {
        return;
    };
    let Ok(address) = logged.parse::<IpAddr>() else {
        return;
    };
    let mut network = None;
    let mut replace = |needle: &str| {
        if record.contains_text(needle) {
            let network = network.get_or_insert_with(|| network_of(address));
            record.replace_text(needle, network);
        }
    };
    replace(logged);
    // std parses IPv4 only in its canonical form (no leading zeros), so only an IPv6
    // address can also be written another way.
    if address.is_ipv6() && !is_canonical_ipv6(logged) {
        let canonical = address.to_string();
        if canonical != logged {
            replace(&canonical);
        }
    }
}

/// True when `text` is surely an IPv6 address as std writes it (RFC 5952): eight groups of
/// lower-case hex without leading zeros and no two zero groups in a row, so nothing would be
/// shortened to `::`. Other spellings may be canonical too; they are written out to tell.
fn is_canonical_ipv6(text: &str) -> bool {
    let mut groups = 0;
    let mut previous_zero = false;
    for group in text.as_bytes().split(|&b| b == b':') {
        let zero = group == b"0";
        let plain = !group.is_empty()
            && group.len() <= 4
            && group
                .iter()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
            && (zero || group[0] != b'0');
        if !plain || (zero && previous_zero) {
            return false;
        }
        previous_zero = zero;
        groups += 1;
    }
    groups == 8
}

/// Longest scrubbed line kept in a failure record.
pub const MAX_SCRUBBED_LINE_BYTES: usize = 2048;

/// Fields removed outright from failure output: addresses, cookies and raw headers.
const SECRET_FIELDS: [Field; 5] = [
    Field::ClientIp,
    Field::ForwardedFor,
    Field::Cookie,
    Field::Headers,
    Field::ServerIp,
];

/// The line as text (control characters but tabs shown as U+FFFD) with secret columns replaced by `-` (when the column count matches the
/// field list), every IP address anywhere truncated to its /24 or /48 network, and the result
/// cut to [`MAX_SCRUBBED_LINE_BYTES`].
pub fn scrub_line(line: &[u8], fields: &FieldList) -> String {
    // Cut early (scrubbing only shrinks text), keeping a margin so an address cut in half by
    // this first cut lies wholly past the final one.
    let head = &line[..line
        .len()
        .min(MAX_SCRUBBED_LINE_BYTES + 2 * MAX_ADDRESS_TEXT)];
    let text = String::from_utf8_lossy(head);
    let mut columns: Vec<&str> = text.split('\t').collect();
    if columns.len() == fields.len() {
        for column in SECRET_FIELDS.iter().filter_map(|f| fields.position(*f)) {
            columns[column] = "-";
        }
    }
    let masked: String = columns
        .join("\t")
        .chars()
        .map(|c| {
            if c.is_control() && c != '\t' {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect();
    let anonymized = anonymize_ips(&masked);
    let without_click_ids = mask_click_id_values(&anonymized);
    truncate(
        Cow::Borrowed(without_click_ids.as_ref()),
        MAX_SCRUBBED_LINE_BYTES,
    )
    .into_owned()
}

/// How `=` between a query parameter and its value appears in a log line: plain (a header),
/// percent-encoded once (a query value) or twice (a tracker value inside the query).
const EQUALS_SIGNS: [&str; 3] = ["=", "%3D", "%253D"];

/// Encoded separators that end a query value inside another value (`&`, `#`, once and twice
/// percent-encoded), without their leading `%`.
const ENCODED_VALUE_ENDS: [&str; 4] = ["26", "2526", "23", "2523"];

/// Replaces the value of every click-id parameter (`gclid=…`, in any of its encodings) with
/// `-`: the values are personal identifiers and never leave the pipeline, not even in
/// failure output.
pub fn mask_click_id_values(text: &str) -> Cow<'_, str> {
    let mut masked = Cow::Borrowed(text);
    let mut lower = text.to_ascii_lowercase();
    for name in ClickId::PRIORITY.map(ClickId::as_str) {
        for equals in EQUALS_SIGNS {
            let marker = format!("{name}{equals}").to_ascii_lowercase();
            if memchr::memmem::find(lower.as_bytes(), marker.as_bytes()).is_some() {
                masked = Cow::Owned(mask_values_after(&masked, &lower, &marker));
                lower = masked.to_ascii_lowercase();
            }
        }
    }
    masked
}

/// `text` with the value after each `marker` replaced by `-`, where `lower` is `text` in
/// ASCII lower case and `marker` is lower case (the match ignores ASCII case).
fn mask_values_after(text: &str, lower: &str, marker: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (at, _) in lower.match_indices(marker) {
        if at < copied {
            continue;
        }
        let value_start = at + marker.len();
        out.push_str(&text[copied..value_start]);
        out.push('-');
        copied = value_start + value_len(&text[value_start..]);
    }
    out.push_str(&text[copied..]);
    out
}

/// Length of a query value at the start of `rest`: up to a separator, plain or encoded.
fn value_len(rest: &str) -> usize {
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'&' | b'#' | b'\t' | b' ' | b'"' => break,
            b'%' if ENCODED_VALUE_ENDS
                .iter()
                .any(|end| starts_with_ignoring_case(&bytes[i + 1..], end)) =>
            {
                break;
            }
            _ => i += 1,
        }
    }
    i
}

fn starts_with_ignoring_case(bytes: &[u8], prefix: &str) -> bool {
    bytes
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// Replaces each IPv4 or IPv6 address in `text` with its network (`1.2.3.0`, `2001:db8:1::`).
pub fn anonymize_ips(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if may_start_address(bytes, i) {
            let end = i + bytes[i..]
                .iter()
                .take_while(|b| is_address_byte(**b))
                .count();
            if let Some((len, network)) = address_at(&text[i..end]) {
                out.push_str(&text[copied..i]);
                out.push_str(&network);
                copied = i + len;
                i = copied;
                continue;
            }
        }
        i += 1;
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// Longest textual IP address (`ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255`).
const MAX_ADDRESS_TEXT: usize = 45;
/// Shortest textual IP address worth a look (`1.2.3.4`).
const MIN_ADDRESS_TEXT: usize = 7;

fn is_address_byte(b: u8) -> bool {
    b.is_ascii_hexdigit() || b == b':' || b == b'.'
}

/// An address can start at `i`: at the start of a run of address bytes, or at a digit
/// glued to letters (`%2F1.2.3.4`).
fn may_start_address(bytes: &[u8], i: usize) -> bool {
    let Some(&previous) = i.checked_sub(1).and_then(|p| bytes.get(p)) else {
        return is_address_byte(bytes[i]);
    };
    if !is_address_byte(previous) {
        return is_address_byte(bytes[i]);
    }
    bytes[i].is_ascii_digit() && !previous.is_ascii_digit() && !matches!(previous, b'.' | b':')
}

/// The longest address starting `run`: its length and its truncated network.
fn address_at(run: &str) -> Option<(usize, String)> {
    (MIN_ADDRESS_TEXT..=run.len().min(MAX_ADDRESS_TEXT))
        .rev()
        .find_map(|len| {
            let candidate = run.get(..len)?;
            let address: IpAddr = candidate.parse().ok()?;
            Some((len, network_of(address)))
        })
}

/// The /24 (IPv4) or /48 (IPv6) network of an address.
pub fn network_of(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            Ipv4Addr::new(a, b, c, 0).to_string()
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            Ipv6Addr::new(s[0], s[1], s[2], 0, 0, 0, 0, 0).to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_anywhere_are_truncated() {
        assert_eq!(
            anonymize_ips("from 141.118.81.88 via x"),
            "from 141.118.81.0 via x"
        );
        assert_eq!(
            anonymize_ips("2003:e1:bf1f:7c00:8eb:18f8:a1fb:9dad\tx"),
            "2003:e1:bf1f::\tx"
        );
        assert_eq!(
            anonymize_ips("a,10.1.2.3, 10.9.8.7"),
            "a,10.1.2.0, 10.9.8.0"
        );
        assert_eq!(
            anonymize_ips("u=http%3A%2F%2F10.1.2.3%2F"),
            "u=http%3A%2F%2F10.1.2.0%2F"
        );
    }

    #[test]
    fn the_clients_address_is_replaced_in_every_spelling() {
        let mut record = Record {
            request_path: Some(Cow::Borrowed("/a/2003:E1:BF1F:7C00::9DAD/b")),
            referrer: Some(Cow::Borrowed("https://x.tld/?ip=2003:e1:bf1f:7c00::9dad")),
            utm_term: Some(Cow::Borrowed("2003:e1:bf1f")),
            ..Record::default()
        };
        keep_address_out(&mut record, Some(b"2003:E1:BF1F:7C00::9DAD"));
        assert_eq!(record.request_path.as_deref(), Some("/a/2003:e1:bf1f::/b"));
        assert_eq!(
            record.referrer.as_deref(),
            Some("https://x.tld/?ip=2003:e1:bf1f::")
        );
        assert_eq!(record.utm_term.as_deref(), Some("2003:e1:bf1f"));

        let mut record = Record {
            event_data: Some(Cow::Borrowed("{\"ip\":\"10.1.2.3\"}")),
            ..Record::default()
        };
        keep_address_out(&mut record, Some(b"10.1.2.3"));
        assert_eq!(record.event_data.as_deref(), Some("{\"ip\":\"10.1.2.0\"}"));
    }

    #[test]
    fn canonical_ipv6_spellings_are_recognised_without_formatting() {
        assert!(is_canonical_ipv6("2003:e1:bf1f:7c00:8eb:18f8:a1fb:9dad"));
        assert!(is_canonical_ipv6("2001:db8:0:1:0:1:0:1"));
        let groups = [0_u16, 1, 0xa, 0xab, 0x1ab, 0xabcd, 0xffff];
        let mut recognised = 0;
        for seed in 0..4096_usize {
            let segments: [u16; 8] =
                std::array::from_fn(|i| groups[(seed >> i) % groups.len()] ^ (i as u16 & 1));
            let address = Ipv6Addr::from(segments);
            let spellings = [
                address.to_string(),
                segments.map(|s| format!("{s:x}")).join(":"),
                segments.map(|s| format!("{s:04x}")).join(":"),
                segments.map(|s| format!("{s:X}")).join(":"),
            ];
            for spelling in spellings {
                if is_canonical_ipv6(&spelling) {
                    recognised += 1;
                    assert_eq!(spelling, address.to_string(), "taken as canonical");
                }
            }
        }
        assert!(
            recognised > 4096,
            "the common spellings are recognised: {recognised}"
        );
    }

    #[test]
    fn long_runs_of_address_bytes_stay_cheap_and_intact() {
        let run = "a1".repeat(10_000);
        assert_eq!(anonymize_ips(&run), run);
    }

    #[test]
    fn timestamps_and_versions_are_not_addresses() {
        for text in [
            "1682084241.469",
            "Chrome/112.0.0.0",
            "0.001",
            "v1.2.3",
            "face:b00c",
        ] {
            assert_eq!(anonymize_ips(text), text);
        }
    }

    #[test]
    fn click_id_values_are_masked_in_every_encoding() {
        let line = "a\thttps://x.tld/?gclid=AbC-1_2&q=1\tu=https%253A%252F%252Fx.tld%252F%253Ffbclid%253DIwAR.9%2526utm_source%253Dy&MSCLKID%3Dz9%26b=2";
        assert_eq!(
            mask_click_id_values(line),
            "a\thttps://x.tld/?gclid=-&q=1\tu=https%253A%252F%252Fx.tld%252F%253Ffbclid%253D-%2526utm_source%253Dy&MSCLKID%3D-%26b=2"
        );
        assert!(matches!(
            mask_click_id_values("t=pv&hn=x.tld&pa=%2F"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn secret_columns_are_removed_when_the_line_splits() {
        let fields = FieldList::parse("timestamp,c-ip,cs-cookie,asn").unwrap();
        let scrubbed = scrub_line(b"1.5\t9.9.9.9\tsession=abc\t3320", &fields);
        assert_eq!(scrubbed, "1.5\t-\t-\t3320");
    }

    #[test]
    fn misaligned_lines_still_lose_their_addresses() {
        let fields = FieldList::ownstats();
        let scrubbed = scrub_line(b"1.5\t9.9.9.9\tonly three", &fields);
        assert_eq!(scrubbed, "1.5\t9.9.9.0\tonly three");
    }

    #[test]
    fn long_and_invalid_lines_are_cut_as_text() {
        let fields = FieldList::ownstats();
        let mut line = vec![0xff; 10];
        line.extend(std::iter::repeat_n(b'a', 5000));
        let scrubbed = scrub_line(&line, &fields);
        assert!(scrubbed.len() <= MAX_SCRUBBED_LINE_BYTES);
        assert!(scrubbed.starts_with('\u{FFFD}'));
    }
}
