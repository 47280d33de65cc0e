//! A small JSON writer for the hot path: records are written straight into a byte buffer.

/// Bytes that must be escaped in a JSON string (controls, `"` and `\`).
const fn needs_escape_table() -> [bool; 256] {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = true;
        byte += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
}

static NEEDS_ESCAPE: [bool; 256] = needs_escape_table();

/// Appends `text` as a quoted JSON string.
pub fn write_str(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    while let Some(found) = first_to_escape(&bytes[start..]) {
        let at = start + found;
        out.extend_from_slice(&bytes[start..at]);
        write_escape(out, bytes[at]);
        start = at + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Position of the first byte of `bytes` that must be escaped. Eight bytes at a time: a
/// word with none of them (the usual case) is passed over with a few arithmetic steps.
fn first_to_escape(bytes: &[u8]) -> Option<usize> {
    let mut words = bytes.chunks_exact(8);
    let mut offset = 0;
    for word in &mut words {
        let mut eight = [0; 8];
        eight.copy_from_slice(word);
        if may_need_escape(u64::from_le_bytes(eight)) {
            break;
        }
        offset += 8;
    }
    bytes[offset..]
        .iter()
        .position(|&byte| NEEDS_ESCAPE[usize::from(byte)])
        .map(|at| offset + at)
}

/// Whether a word of eight bytes holds a control byte, `"` or `\` (never false when it
/// does; a `true` is checked byte by byte).
fn may_need_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let below = |n: u64, x: u64| x.wrapping_sub(ONES * n) & !x & HIGHS;
    let zero_byte = |x: u64| below(1, x);
    (below(0x20, word) | zero_byte(word ^ (ONES * 0x22)) | zero_byte(word ^ (ONES * 0x5c))) != 0
}

/// Appends the escape of one byte that needs it.
fn write_escape(out: &mut Vec<u8>, byte: u8) {
    match byte {
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        b'\n' => out.extend_from_slice(b"\\n"),
        b'\r' => out.extend_from_slice(b"\\r"),
        b'\t' => out.extend_from_slice(b"\\t"),
        control => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(control >> 4)]);
            out.push(HEX[usize::from(control & 0xf)]);
        }
    }
}

/// Appends an integer.
pub fn write_int(out: &mut Vec<u8>, value: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

/// Appends a finite float in its shortest round-trip form (`null` if not finite).
pub fn write_float(out: &mut Vec<u8>, value: f64) {
    if value.is_finite() {
        out.extend_from_slice(ryu::Buffer::new().format_finite(value).as_bytes());
    } else {
        out.extend_from_slice(b"null");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(text: &str) -> String {
        let mut out = Vec::new();
        write_str(&mut out, text);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn strings_round_trip_through_serde_json() {
        for text in [
            "plain",
            "quote \" and \\ slash",
            "tab\tnl\ncr\r",
            "\u{1}\u{1f}",
            "käse 🦀",
        ] {
            let json = string(text);
            assert_eq!(
                serde_json::from_str::<String>(&json).unwrap(),
                text,
                "{json}"
            );
        }
    }

    #[test]
    fn every_byte_is_escaped_wherever_it_stands_in_a_word() {
        for byte in 0..=0x7f_u8 {
            for at in 0..17 {
                let mut text = "x".repeat(17);
                text.replace_range(at..=at, char::from(byte).encode_utf8(&mut [0; 4]));
                let json = string(&text);
                assert_eq!(
                    serde_json::from_str::<String>(&json).unwrap(),
                    text,
                    "{json}"
                );
                let plain = !(byte < 0x20 || byte == b'"' || byte == b'\\');
                assert_eq!(
                    json.len() == text.len() + 2,
                    plain,
                    "byte {byte:#x} at {at}"
                );
            }
        }
    }

    #[test]
    fn numbers_are_plain_json() {
        let mut out = Vec::new();
        write_int(&mut out, -42i64);
        out.push(b' ');
        write_float(&mut out, 0.5);
        out.push(b' ');
        write_float(&mut out, f64::NAN);
        assert_eq!(out, b"-42 0.5 null");
    }
}
