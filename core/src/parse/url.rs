//! Minimal, allocation-free splitting of absolute URLs into the parts analytics needs.

/// The parts of an absolute URL (`scheme://host/path?query#fragment`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UrlParts<'a> {
    /// Everything before `://`.
    pub scheme: &'a str,
    /// The host, without user info or port (brackets kept for IPv6 literals).
    pub host: &'a str,
    /// The path (may be empty).
    pub path: &'a str,
    /// The query without `?`, if any.
    pub query: Option<&'a str>,
}

impl<'a> UrlParts<'a> {
    /// Splits `url`; `None` when it is not an absolute URL with a non-empty host.
    pub fn parse(url: &'a str) -> Option<UrlParts<'a>> {
        let (scheme, rest) = url.split_once("://")?;
        let valid_scheme = scheme.as_bytes().first()?.is_ascii_alphabetic()
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
        if !valid_scheme {
            return None;
        }
        let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        let host = host_of(authority);
        if host.is_empty() {
            return None;
        }
        let (path, query) = match tail.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (tail, None),
        };
        Some(UrlParts {
            scheme,
            host,
            path,
            query,
        })
    }

    /// `scheme://host/path`: the URL without credentials, port, query or fragment.
    pub fn without_query(&self) -> String {
        let path = if self.path.is_empty() { "/" } else { self.path };
        format!("{}://{}{}", self.scheme, self.host, path)
    }
}

/// The host of an authority (`user@host:port`).
fn host_of(authority: &str) -> &str {
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    if host_port.starts_with('[') {
        return host_port
            .find(']')
            .map_or(host_port, |end| &host_port[..=end]);
    }
    host_port
        .split_once(':')
        .map_or(host_port, |(host, _)| host)
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
        assert_eq!(url.path, "/a/b");
        assert_eq!(url.query, Some("x=1&y=2"));
        assert_eq!(url.without_query(), "https://Example.com/a/b");
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
