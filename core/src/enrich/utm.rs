//! Campaign (UTM) tags: from the page URL's query, with the twin's tracker copies as fallback.

use std::borrow::Cow;

use crate::parse::decode::{fully_decoded, tracker_value, truncate};
use crate::parse::hit::Hit;
use crate::parse::query::TrackerQuery;
use crate::parse::url::query_pairs;

/// Longest UTM value kept.
pub const MAX_UTM_BYTES: usize = 256;

/// The five campaign tags, fully decoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Utm {
    /// `utm_source` (or `ref` / `source`).
    pub source: Option<String>,
    /// `utm_medium`.
    pub medium: Option<String>,
    /// `utm_campaign`.
    pub campaign: Option<String>,
    /// `utm_content`.
    pub content: Option<String>,
    /// `utm_term`.
    pub term: Option<String>,
}

impl Utm {
    /// Reads the tags from a page URL's query (`utm_*`; `ref` and `source` count as source),
    /// then fills what is still missing from the tracker's `uso/ume/uca/uco/ute`.
    pub fn extract(page_query: Option<&str>, tracker: &TrackerQuery<'_>) -> Utm {
        let mut utm = Utm::default();
        let mut fallback_source = None;
        for (key, raw) in page_query.into_iter().flat_map(query_pairs) {
            let slot = match key {
                "utm_source" => &mut utm.source,
                "utm_medium" => &mut utm.medium,
                "utm_campaign" => &mut utm.campaign,
                "utm_content" => &mut utm.content,
                "utm_term" => &mut utm.term,
                "ref" | "source" => &mut fallback_source,
                _ => continue,
            };
            if slot.is_none() {
                *slot = clean(fully_decoded(raw));
            }
        }
        utm.source = utm.source.or(fallback_source);
        let from_tracker =
            |raw: Option<&[u8]>| raw.and_then(|raw| clean(fully_decoded(&tracker_value(raw))));
        utm.source = utm.source.or_else(|| from_tracker(tracker.uso));
        utm.medium = utm.medium.or_else(|| from_tracker(tracker.ume));
        utm.campaign = utm.campaign.or_else(|| from_tracker(tracker.uca));
        utm.content = utm.content.or_else(|| from_tracker(tracker.uco));
        utm.term = utm.term.or_else(|| from_tracker(tracker.ute));
        utm
    }
}

/// Trims, drops empty values and caps the length.
fn clean(value: Cow<'_, str>) -> Option<String> {
    let trimmed = value.trim();
    (!trimmed.is_empty()).then(|| truncate(Cow::Borrowed(trimmed), MAX_UTM_BYTES).into_owned())
}

/// The campaign columns of a hit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UtmColumns<'a> {
    /// `utm_source`.
    pub utm_source: Option<Cow<'a, str>>,
    /// `utm_campaign`.
    pub utm_campaign: Option<Cow<'a, str>>,
    /// `utm_medium`.
    pub utm_medium: Option<Cow<'a, str>>,
    /// `utm_content`.
    pub utm_content: Option<Cow<'a, str>>,
    /// `utm_term`.
    pub utm_term: Option<Cow<'a, str>>,
}

/// The UTM tags of the page URL, with the tracker's copies as fallback.
pub fn columns<'a>(hit: &Hit<'_>) -> UtmColumns<'a> {
    let utm = Utm::extract(hit.page().and_then(|page| page.query), &hit.tracker);
    UtmColumns {
        utm_source: utm.source.map(Cow::Owned),
        utm_campaign: utm.campaign.map(Cow::Owned),
        utm_medium: utm.medium.map(Cow::Owned),
        utm_content: utm.content.map(Cow::Owned),
        utm_term: utm.term.map(Cow::Owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_come_from_the_page_query_fully_decoded() {
        let utm = Utm::extract(
            Some(
                "utm_source=google&utm_medium=cpc&utm_campaign=spring%2520sale&utm_term=self+hosted",
            ),
            &TrackerQuery::default(),
        );
        assert_eq!(utm.source.as_deref(), Some("google"));
        assert_eq!(utm.medium.as_deref(), Some("cpc"));
        assert_eq!(utm.campaign.as_deref(), Some("spring sale"));
        assert_eq!(utm.term.as_deref(), Some("self hosted"));
        assert_eq!(utm.content, None);
    }

    #[test]
    fn ref_and_source_count_as_source_but_utm_source_wins() {
        let tracker = TrackerQuery::default();
        let from_ref = Utm::extract(Some("ref=producthunt"), &tracker);
        assert_eq!(from_ref.source.as_deref(), Some("producthunt"));
        let both = Utm::extract(Some("source=a&utm_source=b"), &tracker);
        assert_eq!(both.source.as_deref(), Some("b"));
    }

    #[test]
    fn tracker_copies_fill_only_the_gaps() {
        let tracker =
            TrackerQuery::parse(b"uso=twitter&uca=launch%2520day&ute=self%252Bhosted&ume=x");
        let utm = Utm::extract(Some("utm_medium=social"), &tracker);
        assert_eq!(utm.source.as_deref(), Some("twitter"));
        assert_eq!(utm.campaign.as_deref(), Some("launch day"));
        assert_eq!(utm.medium.as_deref(), Some("social"));
        // The twin copies the raw query value ("self+hosted"), whose `+` is a form space.
        assert_eq!(utm.term.as_deref(), Some("self hosted"));
    }

    #[test]
    fn empty_values_are_unknown() {
        let utm = Utm::extract(Some("utm_source=&utm_medium=%20"), &TrackerQuery::default());
        assert_eq!(utm, Utm::default());
    }
}
