//! Edge location: the IATA-like prefix of `x-edge-location` (`HAM50-P2` → `HAM`).

use std::borrow::Cow;

/// The three-letter prefix, upper-cased, when the code starts with three ASCII letters.
pub fn edge_id(location: &[u8]) -> Option<Cow<'_, str>> {
    let prefix = location.get(..3)?;
    if !prefix.iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    let prefix = std::str::from_utf8(prefix).ok()?;
    Some(if prefix.bytes().all(|b| b.is_ascii_uppercase()) {
        Cow::Borrowed(prefix)
    } else {
        Cow::Owned(prefix.to_ascii_uppercase())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_of_real_codes() {
        assert_eq!(edge_id(b"HAM50-P2").as_deref(), Some("HAM"));
        assert_eq!(edge_id(b"DFW3").as_deref(), Some("DFW"));
        assert_eq!(edge_id(b"iad66-c1").as_deref(), Some("IAD"));
    }

    #[test]
    fn codes_without_three_letters_have_no_edge() {
        for bad in [&b""[..], b"HA", b"H4M50", b"12345", "ÄÖÜ1".as_bytes()] {
            assert_eq!(edge_id(bad), None, "{bad:?}");
        }
    }
}
