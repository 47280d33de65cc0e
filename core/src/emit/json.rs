//! A small JSON writer for the hot path: records are written straight into a byte buffer.

/// Whether a byte must be escaped in a JSON string (controls, `"` and `\`).
const fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// Appends `text` as a quoted JSON string.
pub fn write_str(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    if has_byte_to_escape(bytes) {
        write_escaped(out, bytes);
    } else {
        out.extend_from_slice(bytes);
    }
    out.push(b'"');
}

/// Whether any byte of `bytes` must be escaped. Nearly no value has one, so every byte is
/// looked at without an early exit, which the compiler turns into wide vector compares.
fn has_byte_to_escape(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .fold(false, |found, &byte| found | needs_escape(byte))
}

/// Appends `bytes` with the bytes that need it escaped.
fn write_escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut start = 0;
    for (at, &byte) in bytes.iter().enumerate() {
        if needs_escape(byte) {
            out.extend_from_slice(&bytes[start..at]);
            write_escape(out, byte);
            start = at + 1;
        }
    }
    out.extend_from_slice(&bytes[start..]);
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
    fn every_byte_is_escaped_wherever_it_stands() {
        for byte in 0..=0x7f_u8 {
            for at in 0..40 {
                let mut text = "x".repeat(40);
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
