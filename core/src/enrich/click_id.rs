//! Ad click ids: which click-id parameter the page URL carried, as a name. The value is a
//! personal identifier (it joins the visit to the ad network's click record) and is never
//! read beyond "present and not empty", never stored.

use crate::parse::url::query_pairs;

/// A click-id query parameter that ad and social networks append to the links they serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClickId {
    /// Google Ads.
    Gclid,
    /// Google Ads, iOS app-to-web.
    Gbraid,
    /// Google Ads, iOS web-to-app.
    Wbraid,
    /// Google Campaign Manager 360 / Display & Video 360 (display ads).
    Dclid,
    /// Microsoft Advertising (Bing).
    Msclkid,
    /// Yandex Direct.
    Yclid,
    /// TikTok Ads.
    Ttclid,
    /// X (Twitter) Ads.
    Twclid,
    /// LinkedIn Ads.
    LiFatId,
    /// Pinterest Ads.
    Epik,
    /// Reddit Ads.
    RdtCid,
    /// Facebook and Instagram: added to every outbound link, paid or not.
    Fbclid,
}

/// What kind of traffic a click id stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClickKind {
    /// A paid click on a search network's ad.
    PaidSearch,
    /// A paid click on a social network's ad.
    PaidSocial,
    /// A paid click on a display ad.
    PaidDisplay,
    /// A click from a social network, paid or organic (`fbclid`).
    Social,
}

impl ClickId {
    /// Every click id in priority order: when a URL carries several, the first listed wins.
    /// Paid-search ids come first (they are added only to ad clicks), then display, then
    /// paid-social ids, and `fbclid` last: Facebook adds it to organic links too, so it is
    /// the weakest sign.
    pub const PRIORITY: [ClickId; 12] = [
        ClickId::Gclid,
        ClickId::Gbraid,
        ClickId::Wbraid,
        ClickId::Msclkid,
        ClickId::Yclid,
        ClickId::Dclid,
        ClickId::Ttclid,
        ClickId::Twclid,
        ClickId::LiFatId,
        ClickId::Epik,
        ClickId::RdtCid,
        ClickId::Fbclid,
    ];

    /// The query parameter's name, as written to `click_id_param`.
    pub fn as_str(self) -> &'static str {
        match self {
            ClickId::Gclid => "gclid",
            ClickId::Gbraid => "gbraid",
            ClickId::Wbraid => "wbraid",
            ClickId::Dclid => "dclid",
            ClickId::Msclkid => "msclkid",
            ClickId::Yclid => "yclid",
            ClickId::Ttclid => "ttclid",
            ClickId::Twclid => "twclid",
            ClickId::LiFatId => "li_fat_id",
            ClickId::Epik => "epik",
            ClickId::RdtCid => "rdt_cid",
            ClickId::Fbclid => "fbclid",
        }
    }

    /// The click id whose parameter name is exactly `name`.
    pub fn from_param(name: &str) -> Option<ClickId> {
        ClickId::PRIORITY
            .into_iter()
            .find(|click_id| click_id.as_str() == name)
    }

    /// What kind of traffic the id stands for.
    pub fn kind(self) -> ClickKind {
        match self {
            ClickId::Gclid
            | ClickId::Gbraid
            | ClickId::Wbraid
            | ClickId::Msclkid
            | ClickId::Yclid => ClickKind::PaidSearch,
            ClickId::Dclid => ClickKind::PaidDisplay,
            ClickId::Ttclid
            | ClickId::Twclid
            | ClickId::LiFatId
            | ClickId::Epik
            | ClickId::RdtCid => ClickKind::PaidSocial,
            ClickId::Fbclid => ClickKind::Social,
        }
    }

    /// The network that added the id, as a clean source name (see `channel`).
    pub fn network(self) -> &'static str {
        match self {
            ClickId::Gclid | ClickId::Gbraid | ClickId::Wbraid | ClickId::Dclid => "Google",
            ClickId::Msclkid => "Bing",
            ClickId::Yclid => "Yandex",
            ClickId::Ttclid => "TikTok",
            ClickId::Twclid => "X/Twitter",
            ClickId::LiFatId => "LinkedIn",
            ClickId::Epik => "Pinterest",
            ClickId::RdtCid => "Reddit",
            ClickId::Fbclid => "Facebook",
        }
    }
}

/// The click id a page URL's query (raw, without `?`) carried: the first of
/// [`ClickId::PRIORITY`] present with a non-empty value. Parameter names are matched exactly
/// (the networks write them in lower case).
pub fn of_query(page_query: &str) -> Option<ClickId> {
    query_pairs(page_query)
        .filter(|(_, value)| !value.is_empty())
        .filter_map(|(name, _)| ClickId::from_param(name))
        .min_by_key(|click_id| priority(*click_id))
}

/// The position of `click_id` in [`ClickId::PRIORITY`].
fn priority(click_id: ClickId) -> usize {
    ClickId::PRIORITY
        .iter()
        .position(|listed| *listed == click_id)
        .unwrap_or(ClickId::PRIORITY.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_parameter_is_recognised_by_name() {
        let names: Vec<&str> = ClickId::PRIORITY.iter().map(|id| id.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            [
                "dclid",
                "epik",
                "fbclid",
                "gbraid",
                "gclid",
                "li_fat_id",
                "msclkid",
                "rdt_cid",
                "ttclid",
                "twclid",
                "wbraid",
                "yclid"
            ]
        );
        for name in names {
            let query = format!("a=1&{name}=Cj0KCQ123");
            assert_eq!(of_query(&query).map(ClickId::as_str), Some(name));
        }
    }

    #[test]
    fn only_the_name_comes_back() {
        let found = of_query("utm_source=x&gclid=EAIaIQobChMI-personal").unwrap();
        assert_eq!(found, ClickId::Gclid);
        assert_eq!(found.as_str(), "gclid");
    }

    #[test]
    fn the_first_in_priority_order_wins_not_the_first_in_the_url() {
        assert_eq!(of_query("fbclid=a&gclid=b"), Some(ClickId::Gclid));
        assert_eq!(of_query("ttclid=a&msclkid=b"), Some(ClickId::Msclkid));
        assert_eq!(of_query("fbclid=a&li_fat_id=b"), Some(ClickId::LiFatId));
        assert_eq!(of_query("dclid=a&wbraid=b"), Some(ClickId::Wbraid));
    }

    #[test]
    fn empty_values_unknown_names_and_other_cases_are_not_click_ids() {
        for query in [
            "",
            "gclid=",
            "gclid",
            "GCLID=abc",
            "xgclid=abc",
            "gclid_x=abc",
            "q=gclid",
            "utm_source=google&utm_medium=cpc",
        ] {
            assert_eq!(of_query(query), None, "{query:?}");
        }
        assert_eq!(of_query("gclid=&fbclid=x"), Some(ClickId::Fbclid));
    }

    #[test]
    fn fbclid_is_social_but_not_paid() {
        assert_eq!(ClickId::Fbclid.kind(), ClickKind::Social);
        assert_eq!(ClickId::Gclid.kind(), ClickKind::PaidSearch);
        assert_eq!(ClickId::Msclkid.kind(), ClickKind::PaidSearch);
        assert_eq!(ClickId::Ttclid.kind(), ClickKind::PaidSocial);
        assert_eq!(ClickId::Dclid.kind(), ClickKind::PaidDisplay);
    }

    #[test]
    fn networks_are_named_like_referrer_sources() {
        assert_eq!(ClickId::Gbraid.network(), "Google");
        assert_eq!(ClickId::Msclkid.network(), "Bing");
        assert_eq!(ClickId::Twclid.network(), "X/Twitter");
        assert_eq!(ClickId::Fbclid.network(), "Facebook");
    }
}
