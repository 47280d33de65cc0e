//! The client behind a hit, as its user agent describes it: browser, OS, device and the
//! UA-only bot signals, computed once per distinct user agent and cached.

use std::borrow::Cow;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use super::bot::HitEvidence;
use super::device::DeviceColumns;
use super::request::viewer_asn;
use crate::outcome::EventType;
use crate::parse::decode::tracker_value;
use crate::parse::fields::Field;
use crate::parse::hit::{Hit, Pixel};

use super::bot::{BotDetector, BotReason, BotReasons};
use super::user_agent::{Part, UserAgentFacts, UserAgentParser};
use crate::cache::GenerationalCache;
use crate::parse::decode::header_value;

/// Distinct user agents kept per cache generation (real traffic repeats a few hundred).
const CACHE_GENERATION: usize = 4096;

/// Everything derived from one user agent string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientFacts {
    /// Browser, OS and device.
    pub user_agent: UserAgentFacts,
    /// The decoded user agent (to compare with the tracker's copy).
    pub decoded: Box<str>,
    /// Bot reasons that follow from the UA string alone.
    pub reasons: BotReasons,
    /// A raw tracker `ua` value seen to decode to exactly `decoded`: the tracker's copy of
    /// this user agent, which the same raw value again need not be decoded to compare.
    tracker_copy: OnceLock<Box<[u8]>>,
}

/// User-agent parsing and bot lists, built once; results cached per user agent.
pub struct Clients {
    parser: UserAgentParser,
    bots: BotDetector,
    /// Facts per key, one cache per [`KeyKind`]: a key is looked up as it stands, with no
    /// copy per record.
    cache: Mutex<[FactsCache; 2]>,
}

type FactsCache = GenerationalCache<Vec<u8>, Arc<ClientFacts>>;

/// What a cache key is: a raw (encoded) header and an already decoded string differ.
#[derive(Clone, Copy)]
enum KeyKind {
    RawHeader = 0,
    Decoded = 1,
}

impl Clients {
    /// Builds the bot lists; UA regexes compile on first need (see [`Clients::warm_up`]).
    pub fn new() -> Clients {
        Clients::from_parts(UserAgentParser::new(), BotDetector::embedded())
    }

    /// Clients from a UA parser and bot lists built elsewhere ([`crate::Pipeline::new`] builds
    /// them on threads of their own).
    pub fn from_parts(parser: UserAgentParser, bots: BotDetector) -> Clients {
        Clients {
            parser,
            bots,
            cache: Mutex::new([(); 2].map(|()| GenerationalCache::new(CACHE_GENERATION))),
        }
    }

    /// Compiles every regex of one part of the UA parser now.
    pub fn warm_up(&self, part: Part) {
        self.parser.warm_up(part);
    }

    /// The bot lists (for the per-hit signals).
    pub fn bots(&self) -> &BotDetector {
        &self.bots
    }

    /// Facts for a `cs-user-agent` value as CloudFront logs it (percent-encoded once).
    pub fn from_header(&self, raw: &[u8]) -> Arc<ClientFacts> {
        self.cached(KeyKind::RawHeader, raw, || header_value(raw).into_owned())
    }

    /// Facts for an already decoded user agent (the tracker's `ua`, when the header is absent).
    pub fn from_decoded(&self, ua: &str) -> Arc<ClientFacts> {
        self.cached(KeyKind::Decoded, ua.as_bytes(), || ua.to_owned())
    }

    fn cached(
        &self,
        kind: KeyKind,
        key: &[u8],
        decode: impl FnOnce() -> String,
    ) -> Arc<ClientFacts> {
        let cache = || self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(facts) = cache()[kind as usize].get(key) {
            return facts;
        }
        // Described outside the lock: a first sight may compile regexes for milliseconds, and
        // the batch's other workers should not wait for it. Two workers may describe the same
        // new user agent; both get the same facts.
        let facts = Arc::new(self.describe(decode()));
        cache()[kind as usize].insert(key.to_vec(), Arc::clone(&facts));
        facts
    }

    fn describe(&self, ua: String) -> ClientFacts {
        let user_agent = self.parser.parse(&ua);
        let mut reasons = self.bots.user_agent_reasons(&ua);
        if user_agent.spider {
            reasons.insert(BotReason::UaSpiderFamily);
        }
        ClientFacts {
            user_agent,
            decoded: ua.into_boxed_str(),
            reasons,
            tracker_copy: OnceLock::new(),
        }
    }
}

impl Default for Clients {
    fn default() -> Self {
        Clients::new()
    }
}

/// The client columns of a hit: browser, OS and device from the user agent, and the bot
/// verdict with its reasons.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientColumns {
    /// Browser family.
    pub browser_name: Option<Arc<str>>,
    /// Browser version.
    pub browser_version: Option<Arc<str>>,
    /// OS family.
    pub browser_os_name: Option<Arc<str>>,
    /// OS version.
    pub browser_os_version: Option<Arc<str>>,
    /// Device class.
    pub device_type: Option<Cow<'static, str>>,
    /// Device brand.
    pub device_vendor: Option<Arc<str>>,
    /// 1 for bots, else 0.
    pub request_is_bot: Option<i32>,
    /// Why the hit counts as a bot.
    pub bot_reasons: BotReasons,
}

/// Browser, OS and device from the user agent (the header, else the tracker's copy), and the
/// bot verdict: the UA's own reasons plus the hit's (network, the tracker's browser signals
/// in `device`, a UA mismatch).
pub fn columns(hit: &Hit<'_>, clients: &Clients, device: &DeviceColumns<'_>) -> ClientColumns {
    let header = hit.field(Field::UserAgent);
    let header_client = header.map(|raw| clients.from_header(raw));
    let tracker_ua = hit
        .tracker
        .ua
        .map(|raw| tracker_user_agent(raw, header_client.as_deref()));
    let tracker_client = match header_client {
        Some(_) => None,
        None => tracker_ua.as_deref().map(|ua| clients.from_decoded(ua)),
    };
    let client = header_client.as_ref().or(tracker_client.as_ref());
    let evidence = HitEvidence {
        user_agent: header.and(client).map(|c| &*c.decoded),
        tracker_user_agent: tracker_ua.as_deref(),
        asn: viewer_asn(hit),
        // Only the tracker's page views carry screen, language and time zone; its events
        // and the noscript pixel never do, so only page views can lack them suspiciously.
        script_pixel: hit.pixel == Pixel::Script && hit.event_type == EventType::Pageview,
        claims_browser: client.is_some_and(|c| c.user_agent.claims_browser()),
        has_screen: device.device_outer_resolution.is_some(),
        has_language: device.browser_language.is_some(),
        has_timezone: device.browser_timezone.is_some(),
    };
    let hit_reasons = clients.bots().hit_reasons(&evidence);
    let Some(client) = client else {
        return ClientColumns {
            request_is_bot: Some(i32::from(hit_reasons.is_bot())),
            bot_reasons: hit_reasons,
            ..ClientColumns::default()
        };
    };
    let ua = &client.user_agent;
    let reasons = hit_reasons.union(client.reasons);
    ClientColumns {
        browser_name: ua.browser_name.clone(),
        browser_version: ua.browser_version.clone(),
        browser_os_name: ua.os_name.clone(),
        browser_os_version: ua.os_version.clone(),
        device_type: Some(Cow::Borrowed(ua.device_type.as_str())),
        device_vendor: ua.device_vendor.clone(),
        request_is_bot: Some(i32::from(reasons.is_bot())),
        bot_reasons: reasons,
    }
}

/// The tracker's `ua` decoded: borrowed from the header's facts when this raw value was seen
/// to decode to the header's user agent before (the usual case: one browser, both copies).
fn tracker_user_agent<'a>(raw: &'a [u8], header: Option<&'a ClientFacts>) -> Cow<'a, str> {
    let Some(facts) = header else {
        return tracker_value(raw);
    };
    if facts.tracker_copy.get().is_some_and(|copy| **copy == *raw) {
        return Cow::Borrowed(&facts.decoded);
    }
    let decoded = tracker_value(raw);
    if *decoded == *facts.decoded {
        // Another worker may have set it first; any copy that decodes to it will do.
        let _ = facts.tracker_copy.set(raw.into());
    }
    decoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tracker_copy_seen_to_match_is_not_decoded_again_and_others_still_are() {
        let clients = Clients::new();
        let header = clients.from_header(b"Mozilla/5.0%20(X11;%20Linux%20x86_64)");
        // CloudFront re-encodes the tracker's `%` as `%25`.
        let same = b"Mozilla%252F5.0%2520(X11%253B%2520Linux%2520x86_64)";
        let first = tracker_user_agent(same, Some(&header));
        assert!(matches!(first, Cow::Owned(_)), "first sight decodes");
        assert_eq!(first, "Mozilla/5.0 (X11; Linux x86_64)");
        let again = tracker_user_agent(same, Some(&header));
        assert!(
            matches!(again, Cow::Borrowed(_)),
            "a known copy is borrowed"
        );
        assert_eq!(again, "Mozilla/5.0 (X11; Linux x86_64)");
        let other = b"Mozilla%252F5.0%2520(Windows)";
        assert_eq!(
            tracker_user_agent(other, Some(&header)),
            "Mozilla/5.0 (Windows)"
        );
        assert_eq!(
            tracker_user_agent(same, None),
            "Mozilla/5.0 (X11; Linux x86_64)"
        );
    }

    #[test]
    fn header_values_are_decoded_once_and_cached() {
        let clients = Clients::new();
        let raw = b"Mozilla/5.0%20(compatible;%20Googlebot/2.1;%20+http://www.google.com/bot.html)";
        let first = clients.from_header(raw);
        assert_eq!(
            &*first.decoded,
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
        );
        assert!(first.reasons.contains(BotReason::UaSpiderFamily));
        assert!(first.reasons.contains(BotReason::UaCrawlerList));
        assert!(
            Arc::ptr_eq(&first, &clients.from_header(raw)),
            "second lookup is a cache hit"
        );
    }

    #[test]
    fn raw_and_decoded_keys_never_share_an_entry() {
        let clients = Clients::new();
        let header = clients.from_header(b"Mozilla/5.0%20(X11)");
        let decoded = clients.from_decoded("Mozilla/5.0%20(X11)");
        assert_eq!(&*header.decoded, "Mozilla/5.0 (X11)");
        assert_eq!(&*decoded.decoded, "Mozilla/5.0%20(X11)");
    }

    #[test]
    fn bot_detection_reads_past_the_parsed_prefix() {
        let clients = Clients::new();
        let padding = " ".repeat(crate::enrich::user_agent::MAX_PARSED_UA_BYTES);
        let facts = clients.from_decoded(&format!("{padding}Googlebot/2.1"));
        assert!(!facts.user_agent.spider, "uap-core sees only the padding");
        assert!(facts.reasons.contains(BotReason::UaCrawlerList));
    }

    #[test]
    fn decoded_and_raw_keys_do_not_collide() {
        let clients = Clients::new();
        let raw = clients.from_header(b"A%20B");
        let decoded = clients.from_decoded("A%20B");
        assert_eq!(&*raw.decoded, "A B");
        assert_eq!(&*decoded.decoded, "A%20B");
    }
}
