//! The page a hit is about: its URL without query and its path.

use std::borrow::Cow;

use crate::parse::decode::{tracker_value, truncate};
use crate::parse::hit::Hit;

/// Longest page URL or path kept.
pub const MAX_URL_BYTES: usize = 2048;

/// The page columns of a hit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageColumns<'a> {
    /// Page URL without query or fragment.
    pub request_url: Option<Cow<'a, str>>,
    /// Page path.
    pub request_path: Option<Cow<'a, str>>,
}

/// The page URL without query or fragment (they can carry personal data), and the path from
/// the tracker's `pa`, else from the page URL.
pub fn columns<'a>(hit: &Hit<'a>) -> PageColumns<'a> {
    let page = hit.page();
    let request_url = page.map(|p| truncate(Cow::Owned(p.without_query()), MAX_URL_BYTES));
    let path = match hit.tracker.pa.map(tracker_value) {
        Some(pa) => Some(pa),
        None => page.map(|p| Cow::Owned(if p.path.is_empty() { "/" } else { p.path }.to_owned())),
    };
    PageColumns {
        request_url,
        request_path: path.map(|path| truncate(strip_query(path), MAX_URL_BYTES)),
    }
}

/// A path without `?query` or `#fragment`.
fn strip_query(path: Cow<'_, str>) -> Cow<'_, str> {
    match path.find(['?', '#']) {
        None => path,
        Some(end) => match path {
            Cow::Borrowed(p) => Cow::Borrowed(&p[..end]),
            Cow::Owned(mut p) => {
                p.truncate(end);
                Cow::Owned(p)
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_lose_query_and_fragment_whatever_they_borrow() {
        assert_eq!(strip_query(Cow::Borrowed("/a?b=1")), "/a");
        assert_eq!(strip_query(Cow::Owned("/a#top".into())), "/a");
        assert_eq!(strip_query(Cow::Borrowed("/plain")), "/plain");
    }
}
