//! Acquisition: where a visit came from (`referrer_source`, `referrer_medium`) and its
//! `channel`, from the referrer's host, the UTM tags and the click id. The rules follow GA4's
//! default channel grouping and Plausible's source names; they and the differences are
//! written down in `data/channels/README.md`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use super::click_id::{ClickId, ClickKind};
use crate::parse::domain::same_site;

/// Hand-kept sources: `source<TAB>medium<TAB>hosts<TAB>aliases` rows, `#` comments.
const SOURCES_TSV: &str = include_str!("../../../data/channels/sources.tsv");

/// The header line of `sources.tsv`.
const SOURCES_HEADER: &str = "source\tmedium\thosts\taliases";

/// Second-level labels that, with a country code after them, form a country's public suffix
/// (`co.uk`, `com.br`), for `name.*` hosts.
const SECOND_LEVEL_LABELS: [&str; 7] = ["co", "com", "net", "org", "ac", "ne", "or"];

/// The kind of traffic, as written to `referrer_medium`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Medium {
    /// A search engine, organic or paid.
    Search,
    /// A social network or community, organic or paid.
    Social,
    /// An e-mail: a webmail referrer or an e-mail campaign.
    Email,
    /// An AI assistant.
    Ai,
    /// Another web site.
    Referral,
    /// The site itself (internal navigation).
    Internal,
    /// A campaign whose medium is none of the above.
    Unknown,
}

impl Medium {
    /// The lower-case name written to the records.
    pub fn as_str(self) -> &'static str {
        match self {
            Medium::Search => "search",
            Medium::Social => "social",
            Medium::Email => "email",
            Medium::Ai => "ai",
            Medium::Referral => "referral",
            Medium::Internal => "internal",
            Medium::Unknown => "unknown",
        }
    }

    /// The medium of a `sources.tsv` row.
    fn of_table(name: &str) -> Medium {
        match name {
            "search" => Medium::Search,
            "social" => Medium::Social,
            "email" => Medium::Email,
            "ai" => Medium::Ai,
            other => panic!("sources.tsv: unknown medium {other:?}"),
        }
    }
}

/// The acquisition channel, as written to `channel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// No referrer, no campaign tag, no click id (or only internal navigation).
    Direct,
    /// A search engine, unpaid.
    OrganicSearch,
    /// A search ad.
    PaidSearch,
    /// A social network, unpaid.
    OrganicSocial,
    /// A social ad.
    PaidSocial,
    /// An e-mail.
    Email,
    /// An AI assistant.
    AiAssistant,
    /// Another web site.
    Referral,
    /// A tagged campaign that fits none of the above (display ads, partners, QR codes...).
    OtherCampaign,
}

impl Channel {
    /// The name written to the records (GA4's spelling where GA4 has the channel).
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Direct => "Direct",
            Channel::OrganicSearch => "Organic Search",
            Channel::PaidSearch => "Paid Search",
            Channel::OrganicSocial => "Organic Social",
            Channel::PaidSocial => "Paid Social",
            Channel::Email => "Email",
            Channel::AiAssistant => "AI Assistant",
            Channel::Referral => "Referral",
            Channel::OtherCampaign => "Other Campaign",
        }
    }
}

/// What a hit tells about how the visitor arrived.
#[derive(Debug, Clone, Copy, Default)]
pub struct Touch<'a> {
    /// The referrer's host name (lower-case ASCII), external or not.
    pub referrer_host: Option<&'a str>,
    /// The site's own host name, to recognise internal navigation (`None`: no check).
    pub site: Option<&'a str>,
    /// `utm_source` (or `ref`/`source`), trimmed.
    pub utm_source: Option<&'a str>,
    /// `utm_medium`, trimmed.
    pub utm_medium: Option<&'a str>,
    /// `utm_campaign`, trimmed.
    pub utm_campaign: Option<&'a str>,
    /// The page URL's click-id parameter ([`super::click_id::of_query`]).
    pub click_id: Option<ClickId>,
}

/// Source, medium and channel of one hit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acquisition<'a> {
    /// `referrer_source`: a clean name for a known source, else the `utm_source` as given,
    /// else the referrer's host without `www.`. `None` for direct and internal traffic.
    pub source: Option<Cow<'a, str>>,
    /// `referrer_medium`; `None` for direct traffic.
    pub medium: Option<Medium>,
    /// `channel`.
    pub channel: Channel,
}

/// Source, medium and channel of `touch` (rules: `data/channels/README.md`).
pub fn classify<'a>(touch: &Touch<'a>) -> Acquisition<'a> {
    let table = &*SOURCES;
    let external = touch.external_referrer();
    let tagged = touch.utm_source.and_then(|tag| table.by_tag(tag));
    let referred = external.and_then(|host| table.by_host(host));
    let known = tagged.or(referred).or_else(|| {
        touch
            .click_id
            .and_then(|click_id| table.by_name(click_id.network()))
    });
    let channel = channel_of(touch, external, known.map(|source| source.medium));
    Acquisition {
        source: source_name(touch, external, tagged, referred, channel),
        medium: medium_of(channel, touch),
        channel,
    }
}

/// The channel, in GA4's order of evaluation (first rule that holds).
fn channel_of(touch: &Touch<'_>, external: Option<&str>, category: Option<Medium>) -> Channel {
    let tag = touch.utm_medium.map(MediumTag::of);
    let click = touch.click_id.map(ClickId::kind);
    if !touch.has_utm_tags() && click.is_none() && external.is_none() {
        return Channel::Direct;
    }
    match click {
        Some(ClickKind::PaidSearch) => return Channel::PaidSearch,
        Some(ClickKind::PaidSocial) => return Channel::PaidSocial,
        _ => {}
    }
    if tag == Some(MediumTag::Paid) {
        return match category {
            Some(Medium::Search) => Channel::PaidSearch,
            Some(Medium::Social) => Channel::PaidSocial,
            _ => Channel::OtherCampaign,
        };
    }
    if click == Some(ClickKind::PaidDisplay) {
        return Channel::OtherCampaign;
    }
    let email_source = touch.utm_source.is_some_and(names_email);
    if tag == Some(MediumTag::Email) || email_source || category == Some(Medium::Email) {
        return Channel::Email;
    }
    if tag == Some(MediumTag::Ai) || category == Some(Medium::Ai) {
        return Channel::AiAssistant;
    }
    if tag == Some(MediumTag::Social)
        || category == Some(Medium::Social)
        || click == Some(ClickKind::Social)
    {
        return Channel::OrganicSocial;
    }
    if tag == Some(MediumTag::Organic) || category == Some(Medium::Search) {
        return Channel::OrganicSearch;
    }
    let untagged_referral =
        external.is_some() && touch.utm_source.is_none() && touch.utm_medium.is_none();
    if tag == Some(MediumTag::Referral) || untagged_referral {
        return Channel::Referral;
    }
    Channel::OtherCampaign
}

/// The medium that goes with `channel`.
fn medium_of(channel: Channel, touch: &Touch<'_>) -> Option<Medium> {
    match channel {
        Channel::Direct => touch.is_internal().then_some(Medium::Internal),
        Channel::OrganicSearch | Channel::PaidSearch => Some(Medium::Search),
        Channel::OrganicSocial | Channel::PaidSocial => Some(Medium::Social),
        Channel::Email => Some(Medium::Email),
        Channel::AiAssistant => Some(Medium::Ai),
        Channel::Referral => Some(Medium::Referral),
        Channel::OtherCampaign => Some(Medium::Unknown),
    }
}

/// The source's name: a known tag, the raw tag, a known referrer, the referrer's host, the
/// click id's network.
fn source_name<'a>(
    touch: &Touch<'a>,
    external: Option<&'a str>,
    tagged: Option<&Source>,
    referred: Option<&Source>,
    channel: Channel,
) -> Option<Cow<'a, str>> {
    if channel == Channel::Direct {
        return None;
    }
    let named = |source: &Source| Cow::Borrowed(source.name);
    tagged
        .map(named)
        .or_else(|| touch.utm_source.map(Cow::Borrowed))
        .or_else(|| referred.map(named))
        .or_else(|| external.map(|host| Cow::Borrowed(without_www(host))))
        .or_else(|| {
            touch
                .click_id
                .map(|click_id| Cow::Borrowed(click_id.network()))
        })
}

impl<'a> Touch<'a> {
    /// The referrer's host unless absent, blank or the site itself.
    fn external_referrer(&self) -> Option<&'a str> {
        let host = self
            .referrer_host
            .map(str::trim)
            .filter(|h| !h.is_empty())?;
        (!self.is_internal()).then_some(host)
    }

    /// The referrer is the site itself.
    fn is_internal(&self) -> bool {
        match (self.referrer_host, self.site) {
            (Some(host), Some(site)) => same_site(host.trim(), site),
            _ => false,
        }
    }

    /// Any of the three UTM tags is there.
    fn has_utm_tags(&self) -> bool {
        self.utm_source.is_some() || self.utm_medium.is_some() || self.utm_campaign.is_some()
    }
}

/// What a `utm_medium` value says, by GA4's patterns (ASCII case-insensitive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MediumTag {
    /// `^(.*cp.*|ppc|retargeting|paid.*)$`.
    Paid,
    /// Contains `email`, `e-mail`, `e_mail`, `e mail` or `newsletter`.
    Email,
    /// `social`, `social-network`, `social-media`, `sm`, `social network`, `social media`.
    Social,
    /// `organic`.
    Organic,
    /// `referral`, `app`, `link`.
    Referral,
    /// `ai`, `ai-assistant`, `chatbot` (ours: GA4 has no AI channel).
    Ai,
    /// Anything else.
    Other,
}

impl MediumTag {
    fn of(medium: &str) -> MediumTag {
        let medium = medium.trim().to_ascii_lowercase();
        match medium.as_str() {
            "ppc" | "retargeting" => MediumTag::Paid,
            m if m.contains("cp") || m.starts_with("paid") => MediumTag::Paid,
            m if names_email(m) => MediumTag::Email,
            "social" | "social-network" | "social-media" | "sm" | "social network"
            | "social media" => MediumTag::Social,
            "organic" => MediumTag::Organic,
            "referral" | "app" | "link" => MediumTag::Referral,
            "ai" | "ai-assistant" | "chatbot" => MediumTag::Ai,
            _ => MediumTag::Other,
        }
    }
}

/// Whether a tag names e-mail (GA4's pattern plus `newsletter`), ASCII case-insensitive.
fn names_email(tag: &str) -> bool {
    let tag = tag.to_ascii_lowercase();
    ["email", "e-mail", "e_mail", "e mail", "newsletter"]
        .iter()
        .any(|word| tag.contains(word))
}

/// `host` without a leading `www.`.
fn without_www(host: &str) -> &str {
    host.strip_prefix("www.").unwrap_or(host)
}

/// One known source.
#[derive(Debug, PartialEq, Eq)]
struct Source {
    name: &'static str,
    medium: Medium,
}

/// The embedded table, parsed on first use.
static SOURCES: LazyLock<SourceTable> = LazyLock::new(|| SourceTable::parse(SOURCES_TSV));

/// Known sources by host and by tag.
struct SourceTable {
    sources: Vec<Source>,
    /// Host (or `name.*`) to index in `sources`.
    hosts: HashMap<&'static str, usize>,
    /// Lower-case `utm_source` alias to index in `sources`.
    aliases: HashMap<&'static str, usize>,
}

impl SourceTable {
    /// Parses `sources.tsv`. Panics on a malformed row: the table is embedded and tested.
    fn parse(tsv: &'static str) -> SourceTable {
        let mut table = SourceTable {
            sources: Vec::new(),
            hosts: HashMap::new(),
            aliases: HashMap::new(),
        };
        let rows = tsv
            .lines()
            .filter(|line| !(line.starts_with('#') || line.is_empty() || *line == SOURCES_HEADER));
        for row in rows {
            table.add_row(row);
        }
        table
    }

    fn add_row(&mut self, row: &'static str) {
        let columns: Vec<&'static str> = row.split('\t').collect();
        let [name, medium, hosts, aliases] = columns[..] else {
            panic!("sources.tsv: expected 4 columns in {row:?}");
        };
        let index = self.sources.len();
        self.sources.push(Source {
            name,
            medium: Medium::of_table(medium),
        });
        for host in hosts.split(',') {
            let earlier = self.hosts.insert(host, index);
            assert!(earlier.is_none(), "sources.tsv: host {host:?} listed twice");
        }
        for alias in aliases.split(',').filter(|alias| *alias != "-") {
            let earlier = self.aliases.insert(alias, index);
            assert!(
                earlier.is_none(),
                "sources.tsv: alias {alias:?} listed twice"
            );
        }
    }

    /// The source of a referrer host: the longest listed suffix of it wins, so
    /// `mail.google.com` is Gmail and `www.google.co.uk` is Google.
    fn by_host(&self, host: &str) -> Option<&Source> {
        let host = host.strip_suffix('.').unwrap_or(host);
        let labels: Vec<&str> = host.split('.').collect();
        (0..labels.len())
            .find_map(|start| self.at_suffix(&labels, start))
            .map(|index| &self.sources[index])
    }

    /// The entry for `labels[start..]`: listed exactly, or as `name.*` with a public suffix
    /// after `name`.
    fn at_suffix(&self, labels: &[&str], start: usize) -> Option<usize> {
        let suffix = labels[start..].join(".");
        if let Some(index) = self.hosts.get(suffix.as_str()) {
            return Some(*index);
        }
        public_suffix_lengths(labels)
            .filter(|tail| start + tail < labels.len())
            .find_map(|tail| {
                let name = labels[start..labels.len() - tail].join(".");
                self.hosts.get(format!("{name}.*").as_str()).copied()
            })
    }

    /// The source a `utm_source` value names: an alias, or a listed host.
    fn by_tag(&self, tag: &str) -> Option<&Source> {
        let tag = tag.trim().to_ascii_lowercase();
        match self.aliases.get(tag.as_str()) {
            Some(index) => Some(&self.sources[*index]),
            None if tag.contains('.') => self.by_host(&tag),
            None => None,
        }
    }

    /// The source called `name`.
    fn by_name(&self, name: &str) -> Option<&Source> {
        self.sources.iter().find(|source| source.name == name)
    }
}

/// How many trailing labels of `labels` may be a public suffix: the last one (a top-level
/// domain), and the last two when the second-to-last is in [`SECOND_LEVEL_LABELS`].
fn public_suffix_lengths(labels: &[&str]) -> impl Iterator<Item = usize> {
    let second_level = labels.len() >= 3 && SECOND_LEVEL_LABELS.contains(&labels[labels.len() - 2]);
    [1].into_iter().chain(second_level.then_some(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One named case of the channel table.
    struct Case {
        name: &'static str,
        referrer: Option<&'static str>,
        source_tag: Option<&'static str>,
        medium_tag: Option<&'static str>,
        campaign: Option<&'static str>,
        click: Option<&'static str>,
        channel: Channel,
        source: Option<&'static str>,
        medium: Option<Medium>,
    }

    const SITE: &str = "mydomain.tld";

    fn case(name: &'static str, channel: Channel) -> Case {
        Case {
            name,
            referrer: None,
            source_tag: None,
            medium_tag: None,
            campaign: None,
            click: None,
            channel,
            source: None,
            medium: None,
        }
    }

    fn run(case: &Case) -> Acquisition<'static> {
        classify(&Touch {
            referrer_host: case.referrer,
            site: Some(SITE),
            utm_source: case.source_tag,
            utm_medium: case.medium_tag,
            utm_campaign: case.campaign,
            click_id: case.click.map(|name| ClickId::from_param(name).unwrap()),
        })
    }

    fn cases() -> Vec<Case> {
        use Channel::*;
        vec![
            Case {
                ..case("no referrer, no tags, no click id", Direct)
            },
            Case {
                referrer: Some("www.mydomain.tld"),
                medium: Some(Medium::Internal),
                ..case("internal navigation", Direct)
            },
            Case {
                referrer: Some("www.google.com"),
                source: Some("Google"),
                medium: Some(Medium::Search),
                ..case("google referrer", OrganicSearch)
            },
            Case {
                referrer: Some("www.google.co.uk"),
                source: Some("Google"),
                medium: Some(Medium::Search),
                ..case("google country domain", OrganicSearch)
            },
            Case {
                referrer: Some("duckduckgo.com"),
                source: Some("DuckDuckGo"),
                medium: Some(Medium::Search),
                ..case("duckduckgo referrer", OrganicSearch)
            },
            Case {
                source_tag: Some("bing"),
                medium_tag: Some("organic"),
                source: Some("Bing"),
                medium: Some(Medium::Search),
                ..case("tagged organic search", OrganicSearch)
            },
            Case {
                referrer: Some("www.google.com"),
                click: Some("gclid"),
                source: Some("Google"),
                medium: Some(Medium::Search),
                ..case("gclid with google referrer", PaidSearch)
            },
            Case {
                click: Some("gclid"),
                source: Some("Google"),
                medium: Some(Medium::Search),
                ..case("gclid alone", PaidSearch)
            },
            Case {
                click: Some("msclkid"),
                source: Some("Bing"),
                medium: Some(Medium::Search),
                ..case("msclkid alone", PaidSearch)
            },
            Case {
                source_tag: Some("google"),
                medium_tag: Some("cpc"),
                source: Some("Google"),
                medium: Some(Medium::Search),
                ..case("utm cpc with a search source", PaidSearch)
            },
            Case {
                referrer: Some("l.facebook.com"),
                source: Some("Facebook"),
                medium: Some(Medium::Social),
                ..case("facebook referrer", OrganicSocial)
            },
            Case {
                click: Some("fbclid"),
                source: Some("Facebook"),
                medium: Some(Medium::Social),
                ..case("fbclid alone is not paid", OrganicSocial)
            },
            Case {
                referrer: Some("news.ycombinator.com"),
                source: Some("Hacker News"),
                medium: Some(Medium::Social),
                ..case("hacker news", OrganicSocial)
            },
            Case {
                referrer: Some("t.co"),
                source: Some("X/Twitter"),
                medium: Some(Medium::Social),
                ..case("x short links", OrganicSocial)
            },
            Case {
                source_tag: Some("mastodon"),
                medium_tag: Some("social"),
                source: Some("Mastodon"),
                medium: Some(Medium::Social),
                ..case("tagged social", OrganicSocial)
            },
            Case {
                source_tag: Some("facebook"),
                medium_tag: Some("cpc"),
                source: Some("Facebook"),
                medium: Some(Medium::Social),
                ..case("utm cpc with a social source", PaidSocial)
            },
            Case {
                referrer: Some("l.instagram.com"),
                medium_tag: Some("paid_social"),
                source: Some("Instagram"),
                medium: Some(Medium::Social),
                ..case("paid medium with a social referrer", PaidSocial)
            },
            Case {
                click: Some("ttclid"),
                source: Some("TikTok"),
                medium: Some(Medium::Social),
                ..case("ttclid alone", PaidSocial)
            },
            Case {
                click: Some("li_fat_id"),
                referrer: Some("www.linkedin.com"),
                source: Some("LinkedIn"),
                medium: Some(Medium::Social),
                ..case("li_fat_id with linkedin referrer", PaidSocial)
            },
            Case {
                source_tag: Some("newsletter"),
                medium_tag: Some("email"),
                campaign: Some("june"),
                source: Some("newsletter"),
                medium: Some(Medium::Email),
                ..case("utm medium email", Email)
            },
            Case {
                source_tag: Some("E-Mail"),
                source: Some("E-Mail"),
                medium: Some(Medium::Email),
                ..case("utm source e-mail", Email)
            },
            Case {
                referrer: Some("mail.google.com"),
                source: Some("Gmail"),
                medium: Some(Medium::Email),
                ..case("gmail referrer", Email)
            },
            Case {
                referrer: Some("outlook.live.com"),
                source: Some("Outlook"),
                medium: Some(Medium::Email),
                ..case("outlook webmail referrer", Email)
            },
            Case {
                referrer: Some("chatgpt.com"),
                source: Some("ChatGPT"),
                medium: Some(Medium::Ai),
                ..case("chatgpt referrer", AiAssistant)
            },
            Case {
                source_tag: Some("chatgpt.com"),
                source: Some("ChatGPT"),
                medium: Some(Medium::Ai),
                ..case("chatgpt's own utm_source", AiAssistant)
            },
            Case {
                referrer: Some("www.perplexity.ai"),
                source: Some("Perplexity"),
                medium: Some(Medium::Ai),
                ..case("perplexity referrer", AiAssistant)
            },
            Case {
                referrer: Some("gemini.google.com"),
                source: Some("Gemini"),
                medium: Some(Medium::Ai),
                ..case("gemini is not google search", AiAssistant)
            },
            Case {
                referrer: Some("www.example.org"),
                source: Some("example.org"),
                medium: Some(Medium::Referral),
                ..case("unknown site", Referral)
            },
            Case {
                referrer: Some("blog.mydomain.tld"),
                source: Some("blog.mydomain.tld"),
                medium: Some(Medium::Referral),
                ..case("a subdomain is another site", Referral)
            },
            Case {
                source_tag: Some("partner-site"),
                medium_tag: Some("referral"),
                source: Some("partner-site"),
                medium: Some(Medium::Referral),
                ..case("tagged referral", Referral)
            },
            Case {
                source_tag: Some("flyer"),
                medium_tag: Some("qr"),
                campaign: Some("spring"),
                source: Some("flyer"),
                medium: Some(Medium::Unknown),
                ..case("untyped campaign", OtherCampaign)
            },
            Case {
                campaign: Some("spring"),
                medium: Some(Medium::Unknown),
                ..case("campaign name alone", OtherCampaign)
            },
            Case {
                source_tag: Some("example-network"),
                medium_tag: Some("cpm"),
                source: Some("example-network"),
                medium: Some(Medium::Unknown),
                ..case("paid medium with an unknown source", OtherCampaign)
            },
            Case {
                click: Some("dclid"),
                source: Some("Google"),
                medium: Some(Medium::Unknown),
                ..case("display click id", OtherCampaign)
            },
            Case {
                referrer: Some("www.example.org"),
                source_tag: Some("partner"),
                medium_tag: Some("banner"),
                source: Some("partner"),
                medium: Some(Medium::Unknown),
                ..case("tags beat an unknown referrer", OtherCampaign)
            },
        ]
    }

    #[test]
    fn channel_table() {
        let mut failures = Vec::new();
        for case in cases() {
            let got = run(&case);
            let expected = Acquisition {
                source: case.source.map(Cow::Borrowed),
                medium: case.medium,
                channel: case.channel,
            };
            if got != expected {
                failures.push(format!("{}: {got:?} != {expected:?}", case.name));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn every_channel_has_a_case() {
        let channels: Vec<Channel> = cases().iter().map(|case| case.channel).collect();
        for channel in [
            Channel::Direct,
            Channel::OrganicSearch,
            Channel::PaidSearch,
            Channel::OrganicSocial,
            Channel::PaidSocial,
            Channel::Email,
            Channel::AiAssistant,
            Channel::Referral,
            Channel::OtherCampaign,
        ] {
            assert!(channels.contains(&channel), "{}", channel.as_str());
        }
    }

    #[test]
    fn a_missing_site_means_no_internal_check() {
        let touch = Touch {
            referrer_host: Some("mydomain.tld"),
            ..Touch::default()
        };
        let found = classify(&touch);
        assert_eq!(found.channel, Channel::Referral);
        assert_eq!(found.source.as_deref(), Some("mydomain.tld"));
    }

    #[test]
    fn blank_referrer_hosts_are_direct() {
        let touch = Touch {
            referrer_host: Some("  "),
            ..Touch::default()
        };
        assert_eq!(classify(&touch).channel, Channel::Direct);
    }

    #[test]
    fn medium_tags_follow_ga4_patterns() {
        for paid in [
            "cpc",
            "CPM",
            "ppc",
            "retargeting",
            "paid_social",
            "paidsearch",
        ] {
            assert_eq!(MediumTag::of(paid), MediumTag::Paid, "{paid}");
        }
        for email in ["email", "E-Mail", "e_mail", "e mail", "newsletter-weekly"] {
            assert_eq!(MediumTag::of(email), MediumTag::Email, "{email}");
        }
        assert_eq!(MediumTag::of("Social Media"), MediumTag::Social);
        assert_eq!(MediumTag::of("organic"), MediumTag::Organic);
        assert_eq!(MediumTag::of("app"), MediumTag::Referral);
        assert_eq!(MediumTag::of("display"), MediumTag::Other);
    }

    #[test]
    fn hosts_match_by_longest_suffix_and_wildcards_need_a_public_suffix() {
        let table = &*SOURCES;
        let name = |host: &str| table.by_host(host).map(|source| source.name);
        assert_eq!(name("mail.google.com"), Some("Gmail"));
        assert_eq!(name("www.google.com.br"), Some("Google"));
        assert_eq!(name("google.de"), Some("Google"));
        assert_eq!(name("yandex.ru"), Some("Yandex"));
        assert_eq!(name("m.facebook.com"), Some("Facebook"));
        assert_eq!(name("old.reddit.com"), Some("Reddit"));
        assert_eq!(name("news.ycombinator.com."), Some("Hacker News"));
        // `google.*` needs a public suffix after `google`.
        assert_eq!(name("google.evil.example"), None);
        assert_eq!(name("google"), None);
        assert_eq!(name("notgoogle.com"), None);
        assert_eq!(name("ycombinator.com"), None);
    }

    #[test]
    fn tags_match_aliases_and_hosts_case_insensitively() {
        let table = &*SOURCES;
        let name = |tag: &str| table.by_tag(tag).map(|source| source.name);
        assert_eq!(name("Google"), Some("Google"));
        assert_eq!(name(" fb "), Some("Facebook"));
        assert_eq!(name("hn"), Some("Hacker News"));
        assert_eq!(name("www.reddit.com"), Some("Reddit"));
        assert_eq!(name("perplexity"), Some("Perplexity"));
        assert_eq!(name("my-newsletter"), None);
    }

    #[test]
    fn every_click_id_network_is_a_listed_source() {
        for click_id in ClickId::PRIORITY {
            assert!(
                SOURCES.by_name(click_id.network()).is_some(),
                "{}",
                click_id.network()
            );
        }
    }

    #[test]
    fn names_of_media_and_channels_are_stable() {
        assert_eq!(Medium::Ai.as_str(), "ai");
        assert_eq!(Medium::Internal.as_str(), "internal");
        assert_eq!(Channel::AiAssistant.as_str(), "AI Assistant");
        assert_eq!(Channel::OtherCampaign.as_str(), "Other Campaign");
    }

    #[test]
    #[should_panic(expected = "expected 4 columns")]
    fn malformed_rows_are_refused() {
        SourceTable::parse("Google\tsearch\n");
    }

    #[test]
    #[should_panic(expected = "listed twice")]
    fn duplicate_hosts_are_refused() {
        SourceTable::parse("A\tsearch\ta.com\t-\nB\tsocial\ta.com\t-\n");
    }
}
