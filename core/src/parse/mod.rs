//! Parsing: a raw log line split by the configured field list, the tracker's query read, and
//! the whole turned into an immutable [`hit::Hit`] (or a typed reason why not).

pub mod decode;
pub mod domain;
pub mod fields;
pub mod hit;
pub mod logline;
pub mod query;
pub mod url;

/// The pieces of `bytes` between `separator`s, empty ones included (`a,,b` gives three),
/// found with `memchr`.
pub(crate) fn pieces(bytes: &[u8], separator: u8) -> impl Iterator<Item = &[u8]> {
    let mut start = 0;
    memchr::memchr_iter(separator, bytes)
        .chain([bytes.len()])
        .map(move |end| {
            let piece = &bytes[start..end];
            start = end + 1;
            piece
        })
}

#[cfg(test)]
mod tests {
    #[test]
    fn pieces_keep_empty_ones_and_the_last() {
        let split: Vec<&[u8]> = super::pieces(b"a\t\tbc\t", b'\t').collect();
        assert_eq!(split, [&b"a"[..], b"", b"bc", b""]);
        assert_eq!(super::pieces(b"", b'&').collect::<Vec<_>>(), [&b""[..]]);
    }
}
