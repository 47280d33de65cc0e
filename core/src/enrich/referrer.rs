//! Referrer: where the visitor came from, when that is another site.

use std::borrow::Cow;

use crate::parse::decode::{tracker_value, truncate};
use crate::parse::domain::same_site;
use crate::parse::hit::{Hit, Pixel};
use crate::parse::url::{UrlParts, ascii_host};

/// Longest referrer URL kept.
pub const MAX_REFERRER_BYTES: usize = 1024;

/// An external referrer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referrer {
    /// `scheme://host[:port]/path`, without query or fragment (they can carry personal
    /// data); the port only when not the scheme's default, the host in ASCII (punycode).
    pub url: String,
    /// Lower-cased host name in ASCII (punycode), without port.
    pub domain_name: String,
}

/// The external referrer of a hit on `site`. `None` when the referrer is empty, not an
/// absolute URL, or the same site (internal navigation is not a referral).
pub fn external_referrer(referrer: &str, site: &str) -> Option<Referrer> {
    let url = UrlParts::parse(referrer.trim())?;
    let host = ascii_host(url.host);
    if same_site(&host, site) {
        return None;
    }
    let full = truncate(Cow::Owned(url.without_query()), MAX_REFERRER_BYTES);
    Some(Referrer {
        url: full.into_owned(),
        domain_name: host.to_ascii_lowercase(),
    })
}

/// The referrer columns of a hit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReferrerColumns<'a> {
    /// External referrer URL without query.
    pub referrer: Option<Cow<'a, str>>,
    /// Its host name.
    pub referrer_domain_name: Option<Cow<'a, str>>,
}

/// The host of the tracker's `document.referrer` in lower-case ASCII, external or the site
/// itself; `None` when there is none or it is not an absolute URL (and for the noscript pixel).
pub fn host(hit: &Hit<'_>) -> Option<String> {
    if hit.pixel == Pixel::NoScript {
        return None;
    }
    let referrer = tracker_value(hit.tracker.r?);
    let url = UrlParts::parse(referrer.trim())?;
    Some(ascii_host(url.host).to_ascii_lowercase())
}

/// The tracker's `document.referrer` when it is another site. The noscript pixel has none: its
/// referer header is the page itself.
pub fn columns<'a>(hit: &Hit<'_>) -> ReferrerColumns<'a> {
    if hit.pixel == Pixel::NoScript {
        return ReferrerColumns::default();
    }
    let external = hit
        .tracker
        .r
        .map(tracker_value)
        .and_then(|r| external_referrer(&r, &hit.domain_name));
    match external {
        Some(found) => ReferrerColumns {
            referrer: Some(Cow::Owned(found.url)),
            referrer_domain_name: Some(Cow::Owned(found.domain_name)),
        },
        None => ReferrerColumns::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_referrers_keep_origin_and_path_only() {
        let found = external_referrer("https://www.Google.com/search?q=secret#x", "mydomain.tld");
        assert_eq!(
            found,
            Some(Referrer {
                url: "https://www.Google.com/search".into(),
                domain_name: "www.google.com".into(),
            })
        );
    }

    #[test]
    fn non_default_ports_stay_in_the_url_but_not_in_the_domain() {
        let local = external_referrer("http://localhost:3000/", "mydomain.tld").unwrap();
        assert_eq!(local.url, "http://localhost:3000/");
        assert_eq!(local.domain_name, "localhost");
        let default = external_referrer("https://example.com:443/a?q=1", "mydomain.tld").unwrap();
        assert_eq!(default.url, "https://example.com/a");
        let other = external_referrer("https://example.com:8443/a", "mydomain.tld").unwrap();
        assert_eq!(other.url, "https://example.com:8443/a");
        assert_eq!(other.domain_name, "example.com");
    }

    #[test]
    fn unicode_referrer_hosts_are_punycode() {
        let found = external_referrer("https://Bücher.example/regal?x=1", "mydomain.tld").unwrap();
        assert_eq!(found.url, "https://xn--bcher-kva.example/regal");
        assert_eq!(found.domain_name, "xn--bcher-kva.example");
        assert_eq!(
            external_referrer("https://www.bücher.example/", "xn--bcher-kva.example"),
            None
        );
    }

    #[test]
    fn self_referrals_are_not_referrers() {
        assert_eq!(
            external_referrer("https://mydomain.tld/about", "mydomain.tld"),
            None
        );
        assert_eq!(
            external_referrer("https://www.mydomain.tld/", "mydomain.tld"),
            None
        );
    }

    #[test]
    fn subdomains_are_other_sites() {
        let found = external_referrer("https://blog.mydomain.tld/post", "mydomain.tld").unwrap();
        assert_eq!(found.domain_name, "blog.mydomain.tld");
    }

    #[test]
    fn unknown_or_malformed_referrers_are_none() {
        for bad in ["", " ", "not a url", "mydomain.tld/x", "https://"] {
            assert_eq!(external_referrer(bad, "mydomain.tld"), None, "{bad:?}");
        }
    }

    #[test]
    fn long_referrers_are_cut() {
        let long = format!("https://example.com/{}", "a".repeat(5000));
        let found = external_referrer(&long, "mydomain.tld").unwrap();
        assert_eq!(found.url.len(), MAX_REFERRER_BYTES);
    }
}
