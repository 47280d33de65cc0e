//! Percent-decoding that never fails: an escape that is not `%` + two hex digits is kept as
//! it stands, so a bad sequence costs only itself, never the value or the record.

use std::borrow::Cow;

/// Decodes `%XX` escapes; with `plus_as_space`, `+` becomes a space (form encoding).
/// Borrows when there is nothing to decode; otherwise one copy, decoded as it is made.
pub fn percent_decode(input: &[u8], plus_as_space: bool) -> Cow<'_, [u8]> {
    match first_special(input, plus_as_space) {
        None => Cow::Borrowed(input),
        Some(first) => {
            let mut out = Vec::with_capacity(input.len());
            out.extend_from_slice(&input[..first]);
            out.extend(Decoded::new(input[first..].iter().copied(), plus_as_space));
            Cow::Owned(out)
        }
    }
}

/// Where the first `%` (and with `plus_as_space`, `+`) of `input` is.
fn first_special(input: &[u8], plus_as_space: bool) -> Option<usize> {
    if plus_as_space {
        memchr::memchr2(b'%', b'+', input)
    } else {
        memchr::memchr(b'%', input)
    }
}

/// The bytes of `bytes` with their `%XX` escapes (and with `plus_as_space`, `+`) decoded as
/// they are read. A plain byte loop: the escapes of encoded URLs are too dense for a search
/// per escape to pay. `bytes` may itself be decoding, so two levels of encoding are undone in
/// one pass.
#[derive(Clone)]
struct Decoded<I> {
    bytes: I,
    plus_as_space: bool,
}

impl<I: Iterator<Item = u8> + Clone> Decoded<I> {
    fn new(bytes: I, plus_as_space: bool) -> Self {
        Decoded {
            bytes,
            plus_as_space,
        }
    }
}

impl<I: Iterator<Item = u8> + Clone> Iterator for Decoded<I> {
    type Item = u8;

    fn next(&mut self) -> Option<u8> {
        Some(match self.bytes.next()? {
            b'%' => {
                let mut ahead = self.bytes.clone();
                let digits = ahead.next().zip(ahead.next());
                match digits.and_then(|(high, low)| escaped_byte(&[high, low])) {
                    Some(decoded) => {
                        self.bytes = ahead;
                        decoded
                    }
                    None => b'%',
                }
            }
            b'+' if self.plus_as_space => b' ',
            other => other,
        })
    }
}

/// The byte of a `%XX` escape whose two hex digits start `rest`.
fn escaped_byte(rest: &[u8]) -> Option<u8> {
    match rest {
        [high, low, ..] => Some(hex_value(*high)? << 4 | hex_value(*low)?),
        _ => None,
    }
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// True when `input` holds at least one valid `%XX` escape.
pub fn has_escape(input: &[u8]) -> bool {
    memchr::memchr_iter(b'%', input).any(|at| escaped_byte(&input[at + 1..]).is_some())
}

/// Turns bytes into text, replacing invalid UTF-8 with U+FFFD. Borrows when valid.
pub fn to_text(bytes: Cow<'_, [u8]>) -> Cow<'_, str> {
    match bytes {
        Cow::Borrowed(raw) => String::from_utf8_lossy(raw),
        Cow::Owned(raw) => match String::from_utf8(raw) {
            Ok(text) => Cow::Owned(text),
            Err(err) => Cow::Owned(String::from_utf8_lossy(err.as_bytes()).into_owned()),
        },
    }
}

/// Decodes a header value as CloudFront logs it (`cs-user-agent`, `cs-referer`): encoded once.
pub fn header_value(raw: &[u8]) -> Cow<'_, str> {
    to_text(percent_decode(raw, false))
}

/// Decodes a tracker query value: CloudFront re-encoded the browser's `%` as `%25`, so the
/// value is decoded twice, the second time with form semantics (`+` is a space). Both levels
/// are undone in one pass over the value, into one buffer; borrows when there is nothing to
/// decode.
pub fn tracker_value(raw: &[u8]) -> Cow<'_, str> {
    if memchr::memchr2(b'%', b'+', raw).is_none() {
        return String::from_utf8_lossy(raw);
    }
    let once = Decoded::new(raw.iter().copied(), false);
    let mut twice = Vec::with_capacity(raw.len());
    twice.extend(Decoded::new(once, true));
    to_text(Cow::Owned(twice))
}

/// Decodes a URL query value as far as it goes: form-decodes, then keeps decoding while valid
/// escapes remain (campaign tags are often encoded once more than needed), at most 3 times.
pub fn fully_decoded(raw: &str) -> Cow<'_, str> {
    let mut text = to_text(percent_decode(raw.as_bytes(), true));
    for _ in 0..2 {
        if !has_escape(text.as_bytes()) {
            break;
        }
        text = Cow::Owned(to_text(percent_decode(text.as_bytes(), false)).into_owned());
    }
    text
}

/// Cuts `text` to at most `max` bytes at a character boundary.
pub fn truncate(text: Cow<'_, str>, max: usize) -> Cow<'_, str> {
    if text.len() <= max {
        return text;
    }
    let end = text.floor_char_boundary(max);
    match text {
        Cow::Borrowed(s) => Cow::Borrowed(&s[..end]),
        Cow::Owned(mut s) => {
            s.truncate(end);
            Cow::Owned(s)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(input: &str, plus_as_space: bool) -> String {
        String::from_utf8(percent_decode(input.as_bytes(), plus_as_space).into_owned()).unwrap()
    }

    #[test]
    fn plain_input_is_borrowed() {
        assert!(matches!(percent_decode(b"abc", true), Cow::Borrowed(_)));
    }

    #[test]
    fn escapes_of_both_cases_decode() {
        assert_eq!(decode("a%2Fb%2fc", false), "a/b/c");
    }

    #[test]
    fn bad_escapes_are_kept_and_the_rest_still_decodes() {
        assert_eq!(decode("100%_sure%20now%", false), "100%_sure now%");
        assert_eq!(decode("%zz%4", false), "%zz%4");
    }

    #[test]
    fn plus_is_a_space_only_in_form_mode() {
        assert_eq!(decode("a+b", true), "a b");
        assert_eq!(decode("a+b", false), "a+b");
    }

    #[test]
    fn tracker_values_are_double_decoded() {
        assert_eq!(
            tracker_value(b"https%253A%252F%252Fmydomain.tld%252F"),
            "https://mydomain.tld/"
        );
        assert_eq!(tracker_value(b"My%2520Domain"), "My Domain");
        assert_eq!(tracker_value(b"self%252Bhosted"), "self+hosted");
        assert_eq!(tracker_value(b"two+words"), "two words");
    }

    #[test]
    fn one_pass_equals_decoding_twice_on_every_short_value() {
        let twice = |raw: &[u8]| {
            let once = percent_decode(raw, false).into_owned();
            to_text(Cow::Owned(percent_decode(&once, true).into_owned())).into_owned()
        };
        let alphabet = *b"%25aF+g\xc3";
        let mut value = Vec::new();
        for length in 0..=6_u32 {
            for mut code in 0..alphabet.len().pow(length) {
                value.clear();
                for _ in 0..length {
                    value.push(alphabet[code % alphabet.len()]);
                    code /= alphabet.len();
                }
                assert_eq!(tracker_value(&value), twice(&value), "{value:?}");
            }
        }
    }

    #[test]
    fn utf8_paths_decode_and_invalid_utf8_is_replaced() {
        assert_eq!(tracker_value(b"%252Fk%25C3%25A4se"), "/käse");
        assert_eq!(tracker_value(b"%25FF"), "\u{FFFD}");
    }

    #[test]
    fn fully_decoded_unwraps_extra_layers_but_stops() {
        assert_eq!(fully_decoded("spring%2520sale"), "spring sale");
        assert_eq!(fully_decoded("a+b"), "a b");
        assert_eq!(fully_decoded("%252525252541"), "%252541");
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate(Cow::Borrowed("käse"), 2), "k");
        assert_eq!(truncate(Cow::Owned("abc".into()), 5), "abc");
    }
}
