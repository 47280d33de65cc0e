//! Generic bot signs in a user agent, for bots that no list names: isbot's pattern list
//! (vendored as data in `data/isbot/`) and a few structural rules of our own. Each family of
//! rules reports its own [`BotReason`], so operators can filter by confidence.
//!
//! isbot's patterns are JavaScript regexes used with the `i` flag and without `u`: `\w`, `\d`
//! and `\b` are ASCII, letters compare ASCII case-insensitively. They are compiled the same
//! way here (byte regexes, Unicode off). One difference: `{50,}` counts bytes, not UTF-16
//! units, for non-ASCII text.

use regex::bytes::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use regex_automata::meta;
use regex_automata::util::syntax;

use super::{BotReason, BotReasons};

/// npm `isbot`: a JSON array of pattern strings.
const ISBOT_PATTERNS_JSON: &str = include_str!("../../../../data/isbot/patterns.json");

/// isbot patterns left out on purpose: each flags people in uap-core's suites (the number is
/// how many non-spider user agents of `test_device.yaml` it flags; `ua` = `test_ua.yaml`).
/// isbot counts every non-browser client as a bot; apps and feature phones are people here.
/// Every entry must still be in the list (a test checks this).
const NOT_BOT_PATTERNS: [&str; 17] = [
    // 2396: any UA made of words with an optional version then a comma or the end, i.e.
    // app UAs (`VMVID Android Application (13, vmvid v2.1) - TCT ALCATEL ...`).
    r"^[\w \.\-\(?:\):%]+(?:/v?\d+(?:\.\d+)?(?:\.\d{1,10})*?)?(?:,|$)",
    // 163: J2ME feature phones (`... Java/ASVM/1.1 Profile/MIDP-2.1 ...`). Java HTTP
    // clients are caught by the library rule instead.
    r"java(?!;)",
    // 77: HbbTV televisions (`...;HbbTV/1.1.1;CE-HTML/1.0;...`).
    r"\b\w+/1\.0;",
    // 67: the WhatsApp app (`WhatsApp/2.11.112 Android/4.2.1 Device/...`).
    r"^whatsapp",
    // 64: feature phones that send only their model (`Alcatel-BE5/1`, `LENOVO-i919/66R`).
    r"^[\w\-]+/[\w]+$",
    // 57: watches and apps that start with a parenthesis (`(null)/(null) watchOS/5.1.1 ...`).
    r"^[<\(;]",
    // 48: Google's own apps (`com.google.GooglePlus/23341`); Google's crawlers are named in
    // crawler-user-agents.
    r"(?<! channel/|google/)google(?!(?:wv|app|/google| pixel))",
    // 42: phones whose UA lost its spaces (`Mozilla/5.0(Linux;U;Android2.2.2;...`); ua: 2
    // Safari UAs with `+` for spaces.
    r"^[^ ]{50,}$",
    // 41: the Yahoo apps (`YahooMobile/1.0 (im; 1.8.4.15957); ...`).
    r"^yahoo",
    // 41: app UAs with `|` separators (`baiduboxapp/...|A1b2aea3200001a/1`).
    r"\|",
    // 38: feature phones (`BlackBerry7210/`, `LG/U370`).
    r"^\w+/[\w\(\)]*$",
    // 13: news apps (`com.eurosport.news.android/3.7.3`); ua: the Apple News app.
    r"(?:^|[^g])news(?!sapphire)",
    // ua: 3 Internet Explorer UAs with the Chrome Frame plug-in.
    r"chromeframe",
    // 9: the HTC Radar phone (`Windows Phone OS 7.5; ...; HTC; radar)`).
    r"radar",
    // 5: phones with an empty comment (`Nokia8855/1.0 ()`, `JXD-P1000() Build/JRO03C`).
    r"\(\)",
    // 16: tablets and apps named after a shop or with the owner's address (`(TabletWarehouseUSA.com)`).
    // The URL rule below catches bot domains with fewer of these.
    r"\.com\b",
    // 4: operator transcoding proxies relaying phones (`UP.Link/4.3.2 (Google WAP Proxy/1.0)`).
    r"proxy",
];

/// An isbot pattern the `regex` crate cannot compile, rewritten.
struct Rewrite {
    /// The pattern as isbot lists it.
    original: &'static str,
    /// What is matched instead (same flags).
    core: &'static str,
    /// The original's negative look-behind: texts that must not end right before a match of
    /// `core` (compared ASCII case-insensitively). Empty for a plain syntax rewrite.
    not_after: &'static [&'static str],
}

/// Every isbot pattern that is neither in [`NOT_BOT_PATTERNS`] nor compiles as it is
/// (a test checks both ways). The three look-behinds are checked per match of the core.
const REWRITES: [Rewrite; 4] = [
    Rewrite {
        original: r"(?<! cu)bots?(?:\b|_)",
        core: r"bots?(?:\b|_)",
        not_after: &[" cu"],
    },
    Rewrite {
        original: r"(?<!cam)scan",
        core: r"scan",
        not_after: &["cam"],
    },
    Rewrite {
        original: r"(?<!lib)http",
        core: r"http",
        not_after: &["lib"],
    },
    // In JavaScript `-` between a class escape and a character is a literal `-`.
    Rewrite {
        original: r"^mozilla/\d\.\d\s\((?:compatible;)?(?:\s?[\w\d-.]+[\s/]\d+\.\d+)?\)$",
        core: r"^mozilla/\d\.\d\s\((?:compatible;)?(?:\s?[\w\d.\-]+[\s/]\d+\.\d+)?\)$",
        not_after: &[],
    },
];

/// URL or e-mail address signs, case as written (bots name their home page or contact).
const URL_OR_EMAIL_PATTERNS: [&str; 4] = [
    r"\b(?i:https?)://",
    r"\b(?i:www)\.[A-Za-z0-9-]+\.[A-Za-z]",
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b",
    // A bare lower-case domain ended by a separator; `Amazon.com/2.8.0` (an app's product
    // token) and `VEGAVIET.COM` (a ROM name) are not.
    r"\b[a-z0-9-]*[a-z][a-z0-9-]*\.(?:com|net|org|io|ai|dev|app|info|biz)(?:[ ;),]|$)",
];

/// Patterns of our own in isbot's style, reported as [`BotReason::UaGenericPattern`]:
/// Google's fetchers name themselves `Google-Something` or `GoogleOther`, its apps do not.
const OWN_GENERIC_PATTERNS: [&str; 2] = [r"\bgoogle-[a-z]", r"^googleother|\bgoogle favicon"];

/// A UA that is one product token and nothing else: `name/1.2` (scripts and tools), or a
/// name of letters and spaces without any version (`Zabbix`, `Hello World`). The name has
/// no digit, which leaves out feature phones that send only their model.
const BARE_TOKEN_PATTERNS: [&str; 2] = [
    r"^[A-Za-z][A-Za-z_.+-]*/v?[0-9][A-Za-z0-9_.+-]*$",
    r"^[A-Za-z]+(?: [A-Za-z]+)*$",
];

/// Handset and TV makers whose devices send a bare token (`NokiaNoja/1.0`, `HTC_DesireHD/1.0`,
/// `AppleTV/1.1`, uap-core `test_device.yaml`), compared ASCII case-insensitively at the start.
const DEVICE_MAKER_PREFIXES: [&str; 26] = [
    "Nokia",
    "SonyEricsson",
    "Sony",
    "Samsung",
    "SEC-",
    "SGH",
    "LG-",
    "LGE",
    "HTC",
    "Alcatel",
    "BlackBerry",
    "MOT-",
    "Motorola",
    "Lenovo",
    "ASUS",
    "Huawei",
    "ZTE",
    "Sagem",
    "SIE-",
    "Siemens",
    "Panasonic",
    "Sharp",
    "Philips",
    "Sanyo",
    "Kyocera",
    "AppleTV",
];

/// Nokia phones put this authentication marker before the browser's UA.
const GBA_MARKER: &str = "3gpp-gba ";

/// HTTP client libraries and command-line tools, ASCII case-insensitive.
const HTTP_LIBRARY_PATTERNS: [&str; 46] = [
    r"python-requests",
    r"python-urllib",
    r"python-httpx",
    r"^python/",
    r"aiohttp",
    r"\bhttpx/",
    r"urllib3",
    r"libwww-perl",
    r"\blwp-",
    r"\bcurl/",
    r"libcurl",
    r"pycurl",
    r"\bwget",
    r"go-http-client",
    r"\bgo-resty",
    r"fasthttp",
    r"okhttp",
    r"\baxios/",
    r"node-fetch",
    r"\bundici",
    r"^got \(",
    r"^node(?:\.js|js)?/",
    r"^deno/",
    r"^bun/",
    r"^java/",
    r"apache-httpclient",
    r"commons-httpclient",
    r"java-http-client",
    r"unirest-",
    r"reactor-netty",
    r"akka-http",
    r"^ruby",
    r"faraday",
    r"typhoeus",
    r"rest-client",
    r"http\.rb",
    r"guzzlehttp",
    r"^php/",
    r"restsharp",
    r"winhttp",
    r"reqwest",
    r"^hyper/",
    r"^ureq",
    r"^dart/",
    r"libsoup",
    r"httpie",
];

/// The generic layers, compiled once.
pub(super) struct GenericSigns {
    /// isbot's patterns that compile as they are, and the syntax rewrites.
    isbot: meta::Regex,
    /// The look-behind rewrites.
    guarded: Vec<Guarded>,
    url_or_email: RegexSet,
    bare_token: RegexSet,
    device_maker: Regex,
    http_library: meta::Regex,
}

/// A regex whose matches count only when not preceded by one of some texts.
struct Guarded {
    core: Regex,
    not_after: &'static [&'static str],
}

impl Guarded {
    /// Whether some match of the core is not preceded by an excluded text.
    fn is_match(&self, haystack: &[u8]) -> bool {
        self.core.find_iter(haystack).any(|found| {
            let before = &haystack[..found.start()];
            !self
                .not_after
                .iter()
                .any(|text| ends_with_ignore_ascii_case(before, text.as_bytes()))
        })
    }
}

/// Whether `haystack` ends with `suffix`, ASCII case-insensitively.
fn ends_with_ignore_ascii_case(haystack: &[u8], suffix: &[u8]) -> bool {
    haystack.len() >= suffix.len()
        && haystack[haystack.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

impl GenericSigns {
    /// Compiles the vendored isbot list and the rules of this module.
    pub(super) fn embedded() -> GenericSigns {
        GenericSigns::from_isbot_json(ISBOT_PATTERNS_JSON)
    }

    /// Compiles an isbot pattern list (JSON array). Panics when it is malformed or a kept
    /// pattern does not compile: the list is embedded at build time and tested.
    fn from_isbot_json(json: &str) -> GenericSigns {
        let patterns: Vec<String> =
            serde_json::from_str(json).expect("isbot/patterns.json is an array of strings");
        let kept: Vec<&str> = patterns
            .iter()
            .map(String::as_str)
            .filter(|pattern| !NOT_BOT_PATTERNS.contains(pattern))
            .collect();
        let (mut plain, guarded) = apply_rewrites(&kept);
        plain.extend(OWN_GENERIC_PATTERNS);
        GenericSigns {
            isbot: isbot_set(&plain),
            guarded,
            url_or_email: case_sensitive_set(&URL_OR_EMAIL_PATTERNS),
            bare_token: case_sensitive_set(&BARE_TOKEN_PATTERNS),
            device_maker: device_maker_regex(),
            http_library: isbot_set(&HTTP_LIBRARY_PATTERNS),
        }
    }

    /// The generic reasons of `user_agent` (none for an empty one).
    pub(super) fn reasons(&self, user_agent: &str) -> BotReasons {
        let ua = user_agent.as_bytes();
        let mut reasons = BotReasons::default();
        if ua.is_empty() {
            return reasons;
        }
        reasons.insert_if(BotReason::UaGenericPattern, self.is_isbot_match(ua));
        reasons.insert_if(BotReason::UaUrlOrEmail, self.url_or_email.is_match(ua));
        reasons.insert_if(BotReason::UaBareToken, self.is_bare_token(ua));
        reasons.insert_if(BotReason::UaLeadingDigit, starts_with_digit(ua));
        reasons.insert_if(BotReason::UaHttpLibrary, self.http_library.is_match(ua));
        reasons
    }

    /// Whether a kept isbot pattern (or its rewrite), or one of ours, matches.
    fn is_isbot_match(&self, ua: &[u8]) -> bool {
        self.isbot.is_match(ua) || self.guarded.iter().any(|guarded| guarded.is_match(ua))
    }

    /// A lone product token whose name is not a device maker's.
    fn is_bare_token(&self, ua: &[u8]) -> bool {
        self.bare_token.is_match(ua) && !self.device_maker.is_match(ua)
    }
}

/// Starts with an ASCII digit, except Nokia's GBA marker.
fn starts_with_digit(ua: &[u8]) -> bool {
    ua.first().is_some_and(u8::is_ascii_digit) && !ua.starts_with(GBA_MARKER.as_bytes())
}

/// Replaces the patterns of [`REWRITES`]: syntax rewrites stay plain regexes, look-behinds
/// become [`Guarded`].
fn apply_rewrites<'p>(patterns: &[&'p str]) -> (Vec<&'p str>, Vec<Guarded>) {
    let mut plain = Vec::with_capacity(patterns.len());
    let mut guarded = Vec::new();
    for &pattern in patterns {
        match REWRITES.iter().find(|rewrite| rewrite.original == pattern) {
            Some(rewrite) if rewrite.not_after.is_empty() => plain.push(rewrite.core),
            Some(rewrite) => guarded.push(Guarded {
                core: js_regex(rewrite.core),
                not_after: rewrite.not_after,
            }),
            None => plain.push(pattern),
        }
    }
    (plain, guarded)
}

/// Patterns compiled as JavaScript's `i` flag without `u` reads them, as one matcher that
/// only answers "does any match". No literal prefilter: case-insensitive literals expand
/// into every case variant, and building that prefilter took more than half of the bot
/// detector's build time (a cold start cost), for user agents short enough to scan whole.
fn isbot_set(patterns: &[&str]) -> meta::Regex {
    meta::Builder::new()
        .configure(meta::Config::new().auto_prefilter(false))
        .syntax(
            syntax::Config::new()
                .unicode(false)
                .utf8(false)
                .case_insensitive(true),
        )
        .build_many(patterns)
        .unwrap_or_else(|error| panic!("isbot-style patterns do not compile: {error}"))
}

/// ASCII patterns matched with their case as written.
fn case_sensitive_set(patterns: &[&str]) -> RegexSet {
    RegexSetBuilder::new(patterns)
        .unicode(false)
        .build()
        .unwrap_or_else(|error| panic!("case-sensitive patterns do not compile: {error}"))
}

/// One pattern compiled like [`isbot_set`].
fn js_regex(pattern: &str) -> Regex {
    RegexBuilder::new(pattern)
        .unicode(false)
        .case_insensitive(true)
        .build()
        .unwrap_or_else(|error| panic!("pattern {pattern:?} does not compile: {error}"))
}

/// `^(?:Nokia|...)`, ASCII case-insensitive.
fn device_maker_regex() -> Regex {
    let escaped: Vec<String> = DEVICE_MAKER_PREFIXES
        .iter()
        .map(|prefix| regex::escape(prefix))
        .collect();
    js_regex(&format!("^(?:{})", escaped.join("|")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn isbot_list() -> Vec<String> {
        serde_json::from_str(ISBOT_PATTERNS_JSON).unwrap()
    }

    fn signs() -> GenericSigns {
        GenericSigns::embedded()
    }

    fn reasons_of(list: &[BotReason]) -> BotReasons {
        let mut reasons = BotReasons::default();
        for reason in list {
            reasons.insert(*reason);
        }
        reasons
    }

    /// Whether the compiled form of one isbot pattern matches, as [`GenericSigns`] runs it.
    fn rewrite_matches(original: &str, ua: &str) -> bool {
        let rewrite = REWRITES
            .iter()
            .find(|rewrite| rewrite.original == original)
            .unwrap();
        let (plain, guarded) = apply_rewrites(&[original]);
        let plain_match = !plain.is_empty() && isbot_set(&plain).is_match(ua.as_bytes());
        let guarded_match = guarded.iter().any(|g| g.is_match(ua.as_bytes()));
        assert_eq!(guarded.len(), usize::from(!rewrite.not_after.is_empty()));
        plain_match || guarded_match
    }

    #[test]
    fn isbot_list_is_vendored_whole() {
        let list = isbot_list();
        assert!(list.len() > 200, "{} patterns", list.len());
        assert!(list.iter().all(|pattern| !pattern.is_empty()));
    }

    #[test]
    fn every_isbot_pattern_compiles_or_is_rewritten_or_left_out() {
        let compiles = |pattern: &str| {
            RegexBuilder::new(pattern)
                .unicode(false)
                .case_insensitive(true)
                .build()
                .is_ok()
        };
        let list = isbot_list();
        let unhandled: Vec<&str> = list
            .iter()
            .map(String::as_str)
            .filter(|p| !compiles(p) && !NOT_BOT_PATTERNS.contains(p))
            .filter(|p| !REWRITES.iter().any(|rewrite| rewrite.original == *p))
            .collect();
        assert_eq!(unhandled, Vec::<&str>::new());
        for rewrite in &REWRITES {
            assert!(!compiles(rewrite.original), "{} compiles", rewrite.original);
            assert!(compiles(rewrite.core), "{}", rewrite.core);
        }
    }

    #[test]
    fn left_out_and_rewritten_patterns_are_still_in_the_isbot_list() {
        let list = isbot_list();
        for pattern in NOT_BOT_PATTERNS
            .iter()
            .chain(REWRITES.iter().map(|rewrite| &rewrite.original))
        {
            assert!(
                list.iter().any(|listed| listed == pattern),
                "{pattern} is no longer in isbot's list: drop it here"
            );
        }
        for rewrite in &REWRITES {
            assert!(!NOT_BOT_PATTERNS.contains(&rewrite.original));
        }
    }

    #[test]
    fn bot_rewrite_skips_the_cubot_phone_brand() {
        let original = r"(?<! cu)bots?(?:\b|_)";
        for bot in [
            "Googlebot/2.1",
            "Mozilla/5.0 (compatible; bot)",
            "some_bot_v2",
            "AdsBots",
            "Mozilla/5.0 (Linux; Android 9; CUBOT X19) bot/1.0",
        ] {
            assert!(rewrite_matches(original, bot), "{bot}");
        }
        for person in [
            "Mozilla/5.0 (Linux; Android 9; CUBOT X19) AppleWebKit/537.36",
            "Mozilla/5.0 (Linux; Android 10; cubot_note_20)",
            "Mozilla/5.0 (X11; Linux x86_64) robotics/1.0",
            "abbott",
        ] {
            assert!(!rewrite_matches(original, person), "{person}");
        }
    }

    #[test]
    fn scan_rewrite_skips_the_camscanner_app() {
        let original = r"(?<!cam)scan";
        for bot in ["masscan/1.3", "Nmap Scripting Engine; SCANNER", "scan/1"] {
            assert!(rewrite_matches(original, bot), "{bot}");
        }
        for person in ["CamScanner/6.1 (iPhone)", "Mozilla/5.0 camscanner"] {
            assert!(!rewrite_matches(original, person), "{person}");
        }
        assert!(rewrite_matches(original, "CamScanner/6.1 virus-scan/2"));
    }

    #[test]
    fn http_rewrite_skips_libhttp() {
        let original = r"(?<!lib)http";
        for bot in [
            "Java-http-client/17",
            "MyFetcher (+HTTP://example.org)",
            "Apache-HttpClient/4.5",
        ] {
            assert!(rewrite_matches(original, bot), "{bot}");
        }
        for person in ["Player libhttp/2.0", "LibHTTP"] {
            assert!(!rewrite_matches(original, person), "{person}");
        }
    }

    #[test]
    fn class_range_rewrite_keeps_the_dash_literal() {
        let original = r"^mozilla/\d\.\d\s\((?:compatible;)?(?:\s?[\w\d-.]+[\s/]\d+\.\d+)?\)$";
        for bot in [
            "Mozilla/5.0 (compatible; my-fetch.er/1.0)",
            "Mozilla/4.0 ()",
            "Mozilla/5.0 (compatible; Thing 2.3)",
        ] {
            assert!(rewrite_matches(original, bot), "{bot}");
        }
        for person in [
            "Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0)",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36",
        ] {
            assert!(!rewrite_matches(original, person), "{person}");
        }
    }

    #[test]
    fn isbot_patterns_match_case_insensitively_with_ascii_classes() {
        let signs = signs();
        assert!(signs.is_isbot_match(b"Some Site AUDITOR"));
        assert!(signs.is_isbot_match(b"my-CRAWLER/1.0"));
        assert!(!signs.is_isbot_match(
            b"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
              Chrome/145.0.0.0 Safari/537.36"
        ));
    }

    #[test]
    fn googles_fetchers_are_flagged_but_not_its_apps() {
        let signs = signs();
        for fetcher in [
            "Google-Safety",
            "GoogleOther",
            "Mozilla/5.0 (X11; Linux x86_64) Chrome/49.0.2623.75 Safari/537.36 Google Favicon",
            "Google-Area120-PrivacyPolicyFetcher",
        ] {
            assert!(signs.is_isbot_match(fetcher.as_bytes()), "{fetcher}");
        }
        let app = "Mozilla/5.0 (iPad2,1; iPad; U; CPU OS 6_1_3 like Mac OS X; de_DE) \
            com.google.GooglePlus/23341 (KHTML, like Gecko) Mobile/K93AP (gzip)";
        assert!(!signs.is_isbot_match(app.as_bytes()));
    }

    #[test]
    fn the_issues_examples_are_flagged() {
        let signs = signs();
        for (ua, expected) in [
            (
                "Mozilla/5.0 (compatible; RankSonicSiteAuditor/1.0; \
                 +https://ranksonic.com/ranksonic_sab.html)",
                &[BotReason::UaGenericPattern, BotReason::UaUrlOrEmail][..],
            ),
            (
                "008/0.83 (http://www.advancedwebranking.com)",
                &[
                    BotReason::UaGenericPattern,
                    BotReason::UaUrlOrEmail,
                    BotReason::UaLeadingDigit,
                ],
            ),
            (
                "agentslug.com - website monitoring tool",
                &[BotReason::UaUrlOrEmail],
            ),
            (
                "Akregator/1.2.9; librss/remnants",
                &[BotReason::UaGenericPattern],
            ),
        ] {
            assert_eq!(signs.reasons(ua), reasons_of(expected), "{ua}");
        }
    }

    #[test]
    fn urls_and_email_addresses_are_flagged() {
        let signs = signs();
        for bot in [
            "Fetcher/2.0 (+http://example.org/bot)",
            "Thing (HTTPS://EXAMPLE.ORG)",
            "Checker; www.example.net",
            "Mozilla/5.0 (compatible; contact ops@example.org)",
            "uptime.io monitor",
            "Mozilla/5.0 (compatible; example.com)",
        ] {
            assert!(
                signs.reasons(bot).contains(BotReason::UaUrlOrEmail),
                "{bot}"
            );
        }
        for person in [
            "Amazon.com/2.8.0 (Android/2.3.5/HTC Desire HD A9191)",
            "Mozilla/5.0 (Linux; Android 4.1.2; IM-A850 S/K Build/VEGAVIET.COM JELLYBEAN V1.0)",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0",
            "Mozilla/5.0 (Linux; U; Android 4.2.2; GiONEE-V182) GNBR/1.7.1.ai (securitypay)",
        ] {
            assert!(
                !signs.reasons(person).contains(BotReason::UaUrlOrEmail),
                "{person}"
            );
        }
    }

    #[test]
    fn bare_product_tokens_are_flagged_unless_a_device_model() {
        let signs = signs();
        for bot in [
            "MyScript/1.2",
            "fetcher/v2.0.1",
            "Some.Tool/3",
            "Zabbix",
            "Hello World",
        ] {
            assert!(signs.reasons(bot).contains(BotReason::UaBareToken), "{bot}");
        }
        for other in [
            "NokiaNoja/1.0",
            "HTC_DesireHD/1.0",
            "AppleTV/1.1",
            "BlackBerry6210/3.7.1",
            "Alcatel-BE5/1",
            "MyScript/1.2 (Linux)",
            "Nokia Ovi Suite Update Manager",
            "HTCWeather",
            "Samsung Magician",
            "Tool 2",
            "Hello  World",
        ] {
            assert!(
                !signs.reasons(other).contains(BotReason::UaBareToken),
                "{other}"
            );
        }
    }

    #[test]
    fn leading_digits_are_flagged_except_nokias_gba_marker() {
        let signs = signs();
        assert!(
            signs
                .reasons("2ip bot/1.1")
                .contains(BotReason::UaLeadingDigit)
        );
        assert!(
            signs
                .reasons("7Siters/1.2")
                .contains(BotReason::UaLeadingDigit)
        );
        let nokia = "3gpp-gba Mozilla/5.0 (SymbianOS/9.4; Series60/5.0 NokiaN8-00-1/1.0; \
            Profile/MIDP-2.1 Configuration/CLDC-1.1; en-us) AppleWebKit/525 (KHTML, like Gecko) \
            BrowserNG/7.1.12344";
        assert!(!signs.reasons(nokia).is_bot());
        assert!(!starts_with_digit(b" 1"));
    }

    #[test]
    fn http_libraries_are_flagged() {
        let signs = signs();
        for library in [
            "python-requests/2.31.0",
            "Python/3.12 aiohttp/3.9.1",
            "curl/8.5.0",
            "Go-http-client/2.0",
            "okhttp/4.12.0",
            "axios/1.6.2",
            "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
            "Java/17.0.2",
            "Apache-HttpClient/4.5.14 (Java/17.0.2)",
            "Ruby",
            "GuzzleHttp/7",
            "reqwest/0.12",
            "Dart/3.2 (dart:io)",
        ] {
            assert!(
                signs.reasons(library).contains(BotReason::UaHttpLibrary),
                "{library}"
            );
        }
        let java_phone = "Mozilla/5.0 (LG-T500 AppleWebkit/531 Browser/Phantom/V2.0 \
            Widget/LGMW/3.0 MMS/LG-MMS-V1.0/1.2 Java/ASVM/1.1 Profile/MIDP-2.1)";
        assert!(!signs.reasons(java_phone).contains(BotReason::UaHttpLibrary));
    }

    #[test]
    fn left_out_patterns_no_longer_flag_apps_and_phones() {
        let signs = signs();
        for person in [
            "WhatsApp/2.11.112 Android/4.2.1 Device/asus-ASUS_Transformer_Pad_TF300TG",
            "Mozilla/5.0 (iPad2,1; iPad; U; CPU OS 6_1_3 like Mac OS X; de_DE) \
             com.google.GooglePlus/23341 (KHTML, like Gecko) Mobile/K93AP (gzip)",
            "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.0; Trident/4.0; chromeframe; SLCC1)",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 10_0_2 like Mac OS X) AppleWebKit/602.1.50 \
             (KHTML, like Gecko) AppleNews/608.0.1 Version/2.0.1",
        ] {
            assert!(!signs.reasons(person).is_bot(), "{person}");
        }
    }

    #[test]
    fn empty_user_agent_has_no_generic_reason() {
        assert!(!signs().reasons("").is_bot());
    }

    #[test]
    fn an_empty_isbot_list_leaves_the_own_rules() {
        let signs = GenericSigns::from_isbot_json("[]");
        assert!(!signs.is_isbot_match(b"Googlebot/2.1"));
        assert_eq!(
            signs.reasons("curl/8.5.0"),
            reasons_of(&[BotReason::UaBareToken, BotReason::UaHttpLibrary])
        );
    }
}
