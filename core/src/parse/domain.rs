//! The site's domain: validated host names and the allow-list that bounds partitions.

use std::borrow::Cow;
use std::fmt;

use crate::parse::url::ascii_host;

/// Longest valid DNS name.
const MAX_HOSTNAME_BYTES: usize = 253;
/// Longest valid DNS label.
const MAX_LABEL_BYTES: usize = 63;

/// Lower-cases and validates a host name (`a-z 0-9 -` labels joined by dots, a trailing dot
/// removed). A Unicode name is first converted to its IDNA (punycode) form, as browsers do
/// (`bücher.example` → `xn--bcher-kva.example`), so the result is always ASCII. `None` for
/// anything else: IP literals, ports, spaces, empty labels, names IDNA rejects.
pub fn normalize_hostname(raw: &str) -> Option<Cow<'_, str>> {
    match ascii_host(raw) {
        Cow::Borrowed(ascii) => normalize_ascii_hostname(ascii),
        Cow::Owned(converted) => {
            normalize_ascii_hostname(&converted).map(|name| Cow::Owned(name.into_owned()))
        }
    }
}

/// [`normalize_hostname`] for a name already in ASCII (a non-ASCII one is refused).
fn normalize_ascii_hostname(raw: &str) -> Option<Cow<'_, str>> {
    let name = raw.strip_suffix('.').unwrap_or(raw);
    if name.is_empty() || name.len() > MAX_HOSTNAME_BYTES {
        return None;
    }
    let valid = name.split('.').all(|label| {
        let bytes = label.as_bytes();
        !bytes.is_empty()
            && bytes.len() <= MAX_LABEL_BYTES
            && bytes[0] != b'-'
            && bytes[bytes.len() - 1] != b'-'
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
    });
    let all_digits_and_dots = name.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    if !valid || all_digits_and_dots {
        return None;
    }
    Some(if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    })
}

/// The domains whose hits are kept. Every kept domain becomes a partition, so in AWS this must
/// be an explicit list; [`AllowedDomains::Any`] is for local replays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowedDomains {
    /// Any valid host name (`*`).
    Any,
    /// Exactly these host names (lower-case, sorted).
    List(Vec<String>),
}

/// Why an allow-list specification was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainListError {
    /// An entry that is not a valid host name.
    InvalidHostname(String),
    /// No domain given.
    Empty,
}

impl fmt::Display for DomainListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DomainListError::InvalidHostname(name) => {
                write!(f, "allowed domain {name:?} is not a valid host name")
            }
            DomainListError::Empty => {
                f.write_str("no allowed domains given (a comma-separated list, or * locally)")
            }
        }
    }
}

impl std::error::Error for DomainListError {}

impl AllowedDomains {
    /// Parses `*` or a comma-separated list of host names.
    pub fn parse(spec: &str) -> Result<AllowedDomains, DomainListError> {
        if spec.trim() == "*" {
            return Ok(AllowedDomains::Any);
        }
        let mut domains = spec
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                normalize_hostname(entry)
                    .map(Cow::into_owned)
                    .ok_or_else(|| DomainListError::InvalidHostname(entry.to_owned()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if domains.is_empty() {
            return Err(DomainListError::Empty);
        }
        domains.sort_unstable();
        domains.dedup();
        Ok(AllowedDomains::List(domains))
    }

    /// Whether hits for `hostname` (already normalized) are kept.
    pub fn allows(&self, hostname: &str) -> bool {
        match self {
            AllowedDomains::Any => true,
            AllowedDomains::List(domains) => domains
                .binary_search_by(|domain| domain.as_str().cmp(hostname))
                .is_ok(),
        }
    }
}

/// The same site with or without a leading `www.`.
pub fn same_site(a: &str, b: &str) -> bool {
    let bare = |host: &str| {
        let host = host.strip_suffix('.').unwrap_or(host);
        host.strip_prefix("www.").unwrap_or(host).to_owned()
    };
    a.eq_ignore_ascii_case(b) || bare(a).eq_ignore_ascii_case(&bare(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostnames_are_lower_cased_and_trailing_dots_dropped() {
        assert_eq!(
            normalize_hostname("MyDomain.TLD.").as_deref(),
            Some("mydomain.tld")
        );
        assert_eq!(
            normalize_hostname("xn--kse-qla.de").as_deref(),
            Some("xn--kse-qla.de")
        );
        assert_eq!(
            normalize_hostname("localhost").as_deref(),
            Some("localhost")
        );
    }

    #[test]
    fn unicode_hostnames_become_punycode() {
        for (unicode, ascii) in [
            ("bücher.example", "xn--bcher-kva.example"),
            ("BÜCHER.example.", "xn--bcher-kva.example"),
            ("käse.de", "xn--kse-qla.de"),
            ("例え.テスト", "xn--r8jz45g.xn--zckzah"),
        ] {
            assert_eq!(
                normalize_hostname(unicode).as_deref(),
                Some(ascii),
                "{unicode}"
            );
        }
        assert_eq!(
            normalize_hostname("xn--bcher-kva.example"),
            normalize_hostname("bücher.example")
        );
    }

    #[test]
    fn unicode_and_punycode_allow_list_entries_are_one_domain() {
        let allowed = AllowedDomains::parse("bücher.example, xn--bcher-kva.example").unwrap();
        assert_eq!(
            allowed,
            AllowedDomains::List(vec!["xn--bcher-kva.example".into()])
        );
        let hit = normalize_hostname("Bücher.example").unwrap();
        assert!(allowed.allows(&hit));
        assert!(hit.is_ascii());
    }

    #[test]
    fn invalid_hostnames_are_rejected() {
        let long_label = format!("{}.com", "a".repeat(64));
        for bad in [
            "",
            ".",
            "a..b",
            "-a.com",
            "a-.com",
            "a b.com",
            "a.com:8080",
            "käse .de",
            "1.2.3.4",
            "a/b",
            long_label.as_str(),
        ] {
            assert_eq!(normalize_hostname(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn allow_list_is_exact_and_case_insensitive_at_parse_time() {
        let allowed = AllowedDomains::parse("Shop.Example.com, mydomain.tld").unwrap();
        assert!(allowed.allows("shop.example.com"));
        assert!(allowed.allows("mydomain.tld"));
        assert!(!allowed.allows("example.com"));
        assert!(!allowed.allows("evil.mydomain.tld"));
        assert!(
            AllowedDomains::parse("*")
                .unwrap()
                .allows("anything.example")
        );
    }

    #[test]
    fn bad_allow_lists_are_rejected() {
        assert_eq!(AllowedDomains::parse(" , "), Err(DomainListError::Empty));
        assert_eq!(
            AllowedDomains::parse("ok.com,not ok"),
            Err(DomainListError::InvalidHostname("not ok".into()))
        );
    }

    #[test]
    fn www_and_bare_hosts_are_the_same_site() {
        assert!(same_site("www.mydomain.tld", "mydomain.tld"));
        assert!(same_site("MYDOMAIN.tld", "mydomain.tld"));
        assert!(!same_site("blog.mydomain.tld", "mydomain.tld"));
    }
}
