//! The tracker protocol: the query string of a pixel request, split into its known keys.
//!
//! Values stay raw (still double-encoded) until a field is actually written, so keys nobody
//! reads cost nothing. A repeated key keeps its first non-empty value; unknown keys are
//! ignored.

macro_rules! tracker_keys {
    ($( #[doc = $doc:literal] $key:ident ),+ $(,)?) => {
        /// The raw values of a pixel request's known query keys.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct TrackerQuery<'a> {
            $( #[doc = $doc] pub $key: Option<&'a [u8]>, )+
        }

        impl<'a> TrackerQuery<'a> {
            fn slot(&mut self, key: &[u8]) -> Option<&mut Option<&'a [u8]>> {
                match key {
                    $( k if k == stringify!($key).as_bytes() => Some(&mut self.$key), )+
                    _ => None,
                }
            }
        }
    };
}

tracker_keys! {
    /// Hit type: `pv` page view, `tr`/`ev` custom event.
    t,
    /// Client clock, epoch milliseconds (untrusted).
    ts,
    /// Page URL.
    u,
    /// Page host name.
    hn,
    /// Page path.
    pa,
    /// `document.referrer`.
    r,
    /// `navigator.userAgent`.
    ua,
    /// Viewport width.
    iw,
    /// Viewport height.
    ih,
    /// Screen width.
    w,
    /// Screen height.
    h,
    /// Colour depth.
    d,
    /// Language.
    l,
    /// Platform.
    p,
    /// Device memory in GB.
    m,
    /// Logical cores.
    c,
    /// IANA time zone.
    tz,
    /// Event name.
    en,
    /// Event properties (JSON).
    pr,
    /// UTM source copied by the twin's tracker.
    uso,
    /// UTM campaign copied by the twin's tracker.
    uca,
    /// UTM medium copied by the twin's tracker.
    ume,
    /// UTM content copied by the twin's tracker.
    uco,
    /// UTM term copied by the twin's tracker.
    ute,
}

impl<'a> TrackerQuery<'a> {
    /// Splits a raw query string (without `?`).
    pub fn parse(query: &'a [u8]) -> TrackerQuery<'a> {
        let mut parsed = TrackerQuery::default();
        for pair in super::pieces(query, b'&') {
            let (key, value) = match memchr::memchr(b'=', pair) {
                Some(eq) => (&pair[..eq], &pair[eq + 1..]),
                None => (pair, &b""[..]),
            };
            if value.is_empty() {
                continue;
            }
            if let Some(slot @ None) = parsed.slot(key) {
                *slot = Some(value);
            }
        }
        parsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_keys_are_picked_out() {
        let q = TrackerQuery::parse(b"t=pv&hn=mydomain.tld&pa=%252F&zz=1&w=3440");
        assert_eq!(q.t, Some(&b"pv"[..]));
        assert_eq!(q.hn, Some(&b"mydomain.tld"[..]));
        assert_eq!(q.pa, Some(&b"%252F"[..]));
        assert_eq!(q.w, Some(&b"3440"[..]));
        assert_eq!(q.en, None);
    }

    #[test]
    fn repeated_keys_keep_the_first_non_empty_value() {
        let q = TrackerQuery::parse(b"t=&t=tr&t=pv&en=a&en=b");
        assert_eq!(q.t, Some(&b"tr"[..]));
        assert_eq!(q.en, Some(&b"a"[..]));
    }

    #[test]
    fn junk_queries_parse_to_nothing() {
        for junk in [&b""[..], b"&&&", b"=", b"t", b"==&=x", b"\xff\xfe"] {
            assert_eq!(TrackerQuery::parse(junk), TrackerQuery::default());
        }
    }

    #[test]
    fn values_may_contain_equals_signs() {
        assert_eq!(TrackerQuery::parse(b"pr=a=b").pr, Some(&b"a=b"[..]));
    }
}
