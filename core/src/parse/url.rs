//! Minimal, allocation-free splitting of absolute URLs into the parts analytics needs.

use std::borrow::Cow;

/// The parts of an absolute URL (`scheme://host/path?query#fragment`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UrlParts<'a> {
    /// Everything before `://`.
    pub scheme: &'a str,
    /// The host, without user info or port (brackets kept for IPv6 literals), as written.
    pub host: &'a str,
    /// The port's digits, when the URL names one.
    pub port: Option<&'a str>,
    /// The path (may be empty).
    pub path: &'a str,
    /// The query without `?`, if any.
    pub query: Option<&'a str>,
}

impl<'a> UrlParts<'a> {
    /// Splits `url`; `None` when it is not an absolute URL with a non-empty host.
    pub fn parse(url: &'a str) -> Option<UrlParts<'a>> {
        // A scheme holds no `:`, so the first `:` must start the `://`.
        let colon = memchr::memchr(b':', url.as_bytes())?;
        let (scheme, rest) = (&url[..colon], url[colon + 1..].strip_prefix("//")?);
        let valid_scheme = scheme.as_bytes().first()?.is_ascii_alphabetic()
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
        if !valid_scheme {
            return None;
        }
        let rest = split_at_byte(rest, b'#').map_or(rest, |(before, _)| before);
        let authority_end = memchr::memchr2(b'/', b'?', rest.as_bytes()).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        let (host, port) = host_and_port(authority);
        if host.is_empty() {
            return None;
        }
        let (path, query) = match split_at_byte(tail, b'?') {
            Some((path, query)) => (path, Some(query)),
            None => (tail, None),
        };
        Some(UrlParts {
            scheme,
            host,
            port,
            path,
            query,
        })
    }

    /// `scheme://host[:port]/path`: the URL without credentials, query or fragment, with its
    /// host in ASCII ([`ascii_host`]) and its port unless the scheme's default (`:80` for
    /// http, `:443` for https).
    pub fn without_query(&self) -> String {
        let path = if self.path.is_empty() { "/" } else { self.path };
        let host = ascii_host(self.host);
        let port = self.explicit_port();
        let mut url = String::with_capacity(
            self.scheme.len() + 3 + host.len() + port.map_or(0, |p| p.len() + 1) + path.len(),
        );
        url.push_str(self.scheme);
        url.push_str("://");
        url.push_str(&host);
        if let Some(port) = port {
            url.push(':');
            url.push_str(port);
        }
        url.push_str(path);
        url
    }

    /// The port, unless absent or the scheme's default.
    fn explicit_port(&self) -> Option<&'a str> {
        let default = if self.scheme.eq_ignore_ascii_case("http") {
            Some("80")
        } else if self.scheme.eq_ignore_ascii_case("https") {
            Some("443")
        } else {
            None
        };
        self.port.filter(|port| Some(*port) != default)
    }
}

/// The host name in ASCII, as browsers write it: a Unicode name (`bücher.example`) becomes
/// its IDNA (punycode) form, lower-cased (`xn--bcher-kva.example`). ASCII hosts, and names
/// IDNA rejects, come back unchanged.
pub fn ascii_host(host: &str) -> Cow<'_, str> {
    if host.is_ascii() {
        return Cow::Borrowed(host);
    }
    idna::domain_to_ascii(host).map_or(Cow::Borrowed(host), Cow::Owned)
}

/// The host and port of an authority (`user@host:port`). A port that is empty or not all
/// digits is no port.
fn host_and_port(authority: &str) -> (&str, Option<&str>) {
    let host_port =
        memchr::memrchr(b'@', authority.as_bytes()).map_or(authority, |at| &authority[at + 1..]);
    let (host, port) = if host_port.starts_with('[') {
        match memchr::memchr(b']', host_port.as_bytes()) {
            Some(end) => (&host_port[..=end], host_port[end + 1..].strip_prefix(':')),
            None => (host_port, None),
        }
    } else {
        match split_at_byte(host_port, b':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    let port = port.filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    (host, port)
}

/// `text` split around the first `byte` (an ASCII separator), like `split_once` with a
/// `char`, found with `memchr`.
fn split_at_byte(text: &str, byte: u8) -> Option<(&str, &str)> {
    let at = memchr::memchr(byte, text.as_bytes())?;
    Some((&text[..at], &text[at + 1..]))
}

/// Iterates over the `key=value` pairs of a query string (raw, undecoded).
pub fn query_pairs(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_a_full_url() {
        let url = UrlParts::parse("https://user@Example.com:8443/a/b?x=1&y=2#top").unwrap();
        assert_eq!(url.scheme, "https");
        assert_eq!(url.host, "Example.com");
        assert_eq!(url.port, Some("8443"));
        assert_eq!(url.path, "/a/b");
        assert_eq!(url.query, Some("x=1&y=2"));
        assert_eq!(url.without_query(), "https://Example.com:8443/a/b");
    }

    #[test]
    fn the_scheme_ends_at_the_first_colon() {
        assert_eq!(UrlParts::parse("mailto:x://y.io/"), None);
        assert_eq!(UrlParts::parse("http:/x://y.io/"), None);
        assert_eq!(UrlParts::parse("://y.io/"), None);
        let odd = UrlParts::parse("web+app://y.io/p://q").unwrap();
        assert_eq!(
            (odd.scheme, odd.host, odd.path),
            ("web+app", "y.io", "/p://q")
        );
    }

    #[test]
    fn only_the_schemes_default_port_is_dropped() {
        let kept = |url: &str| UrlParts::parse(url).unwrap().without_query();
        assert_eq!(kept("http://localhost:3000/"), "http://localhost:3000/");
        assert_eq!(kept("http://localhost:3000"), "http://localhost:3000/");
        assert_eq!(kept("http://example.com:80/a"), "http://example.com/a");
        assert_eq!(kept("HTTPS://example.com:443/a"), "HTTPS://example.com/a");
        assert_eq!(kept("https://example.com:80/a"), "https://example.com:80/a");
        assert_eq!(kept("http://example.com:443/a"), "http://example.com:443/a");
        assert_eq!(kept("ftp://example.com:21/f"), "ftp://example.com:21/f");
        assert_eq!(kept("http://[::1]:8080/x"), "http://[::1]:8080/x");
        assert_eq!(kept("http://[::1]/x"), "http://[::1]/x");
        // An empty or non-numeric port is no port.
        assert_eq!(kept("http://example.com:/a"), "http://example.com/a");
        assert_eq!(kept("http://example.com:x1/a"), "http://example.com/a");
        assert_eq!(
            UrlParts::parse("http://example.com:8080").unwrap().host,
            "example.com"
        );
    }

    #[test]
    fn unicode_hosts_are_written_in_punycode() {
        let url = UrlParts::parse("https://Bücher.example:8080/straße?q=1").unwrap();
        assert_eq!(url.host, "Bücher.example");
        assert_eq!(
            url.without_query(),
            "https://xn--bcher-kva.example:8080/straße"
        );
        assert_eq!(ascii_host("bücher.example"), "xn--bcher-kva.example");
        assert_eq!(ascii_host("xn--bcher-kva.example"), "xn--bcher-kva.example");
        assert_eq!(ascii_host("Example.COM"), "Example.COM");
        assert_eq!(ascii_host("münchen.de"), "xn--mnchen-3ya.de");
    }

    #[test]
    fn host_only_urls_get_a_root_path() {
        let url = UrlParts::parse("https://mydomain.tld?utm_source=x").unwrap();
        assert_eq!(url.path, "");
        assert_eq!(url.query, Some("utm_source=x"));
        assert_eq!(url.without_query(), "https://mydomain.tld/");
    }

    #[test]
    fn ipv6_literal_hosts_keep_their_brackets() {
        assert_eq!(UrlParts::parse("http://[::1]:80/").unwrap().host, "[::1]");
    }

    #[test]
    fn non_urls_are_rejected() {
        for bad in [
            "",
            "mydomain.tld/path",
            "://host/",
            "1http://x/",
            "https:///path",
            "http://",
        ] {
            assert_eq!(UrlParts::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn query_pairs_handle_missing_values_and_empty_pairs() {
        let pairs: Vec<_> = query_pairs("a=1&&b&c=").collect();
        assert_eq!(pairs, [("a", "1"), ("b", ""), ("c", "")]);
    }
}
