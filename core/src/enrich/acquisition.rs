//! Acquisition columns: the visit's source, medium and channel, and the name of the ad click
//! id the page URL carried (never its value). The rules are [`channel::classify`]'s.

use std::borrow::Cow;

use super::channel::{self, Touch};
use super::click_id;
use super::referrer::{self, ReferrerColumns};
use super::utm::UtmColumns;
use crate::parse::hit::Hit;

/// The acquisition columns of a hit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AcquisitionColumns<'a> {
    /// A clean source name (Google, Hacker News, ChatGPT, …), else the `utm_source`, else
    /// the referrer's host.
    pub referrer_source: Option<Cow<'a, str>>,
    /// `search`, `social`, `email`, `ai`, `referral`, `internal` or `unknown`.
    pub referrer_medium: Option<Cow<'a, str>>,
    /// The channel (`Direct`, `Organic Search`, …).
    pub channel: Option<Cow<'a, str>>,
    /// The name of the click-id parameter of the page URL (`gclid`, `fbclid`, …).
    pub click_id_param: Option<Cow<'a, str>>,
}

/// Classifies `hit` from its referrer (external, or the site itself), its UTM tags and the
/// page URL's click id.
pub fn columns<'a>(
    hit: &Hit<'_>,
    referrer: &ReferrerColumns<'_>,
    utm: &UtmColumns<'_>,
) -> AcquisitionColumns<'a> {
    let internal_host = match referrer.referrer_domain_name {
        Some(_) => None,
        None => referrer::host(hit),
    };
    let click_id = hit
        .page()
        .and_then(|page| page.query)
        .and_then(click_id::of_query);
    let touch = Touch {
        referrer_host: referrer
            .referrer_domain_name
            .as_deref()
            .or(internal_host.as_deref()),
        site: Some(&hit.domain_name),
        utm_source: utm.utm_source.as_deref(),
        utm_medium: utm.utm_medium.as_deref(),
        utm_campaign: utm.utm_campaign.as_deref(),
        click_id,
    };
    let acquisition = channel::classify(&touch);
    AcquisitionColumns {
        referrer_source: acquisition.source.map(|name| Cow::Owned(name.into_owned())),
        referrer_medium: acquisition
            .medium
            .map(|medium| Cow::Borrowed(medium.as_str())),
        channel: Some(Cow::Borrowed(acquisition.channel.as_str())),
        click_id_param: click_id.map(|id| Cow::Borrowed(id.as_str())),
    }
}
