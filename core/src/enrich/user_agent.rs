//! Browser, operating system and device from the user agent: uap-core's rules
//! (`enrich::uap`).
//!
//! Compiling all of uap-core's regexes costs 80–170 ms, which would dominate a Lambda cold
//! start, so each regex is compiled only when a user agent may match it
//! (`enrich::lazy_regexes`). Callers cache results per UA string (see `enrich::client`).
//!
//! Only the first [`MAX_PARSED_UA_BYTES`] of a user agent are parsed: regex time grows with
//! the input, and a flood of long, distinct user agents would otherwise cost milliseconds a
//! record. Bot detection still reads the whole string.

use std::borrow::Cow;
use std::sync::Arc;

use serde::Deserialize;

use super::lazy_regexes::{Form, LazyParser, LazyRegexes};
use super::uap::{BrowserMatcher, BrowserRule, DeviceMatcher, DeviceRule, OsMatcher, OsRule};

/// uap-core's `regexes.yaml`, converted to JSON (faster to load; kept in sync by a test).
const REGEXES_JSON: &str = include_str!("../../../data/uap-core/regexes.json");
/// Each parser's required literals, computed from `regexes.json` (kept in sync by a test).
const PREFILTER_JSON: &str = include_str!("../../../data/uap-core/prefilter.json");

/// Longest prefix of a user agent the regexes see. Real browsers stay far below it (the
/// longest of uap-core's 18,000 test strings has 492 bytes); a 4 KB random user agent costs
/// about 25 times a normal record to parse in full.
pub const MAX_PARSED_UA_BYTES: usize = 512;

/// The three independently built parts of the parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Browser family and version.
    Browser,
    /// Operating system family and version.
    Os,
    /// Device family and brand (the costliest part).
    Device,
}

impl Part {
    /// Every part.
    pub const ALL: [Part; 3] = [Part::Device, Part::Browser, Part::Os];
}

/// Coarse device class, derived (uap-core has none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceType {
    /// Desktop or laptop operating systems.
    Desktop,
    /// Phones.
    Mobile,
    /// Tablets.
    Tablet,
    /// Crawlers and other automated clients uap-core recognises.
    Bot,
    /// TVs, consoles, watches and anything unrecognised.
    Other,
}

impl DeviceType {
    /// The column value.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceType::Desktop => "Desktop",
            DeviceType::Mobile => "Mobile",
            DeviceType::Tablet => "Tablet",
            DeviceType::Bot => "Bot",
            DeviceType::Other => "Other",
        }
    }
}

/// What a user agent string says about the client. Unknown values are `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAgentFacts {
    /// Browser family (`Chrome`).
    pub browser_name: Option<Arc<str>>,
    /// Browser version (`112.0.0`).
    pub browser_version: Option<Arc<str>>,
    /// OS family (`Mac OS X`).
    pub os_name: Option<Arc<str>>,
    /// OS version (`10.15.7`).
    pub os_version: Option<Arc<str>>,
    /// Device brand (`Apple`).
    pub device_vendor: Option<Arc<str>>,
    /// Device class.
    pub device_type: DeviceType,
    /// uap-core classifies the client as a spider.
    pub spider: bool,
}

impl UserAgentFacts {
    /// Whether the UA names a real browser (known family, not a spider).
    pub fn claims_browser(&self) -> bool {
        self.browser_name.is_some() && !self.spider
    }
}

/// The uap-core parser: its parser lists are read when it is built (about 5 ms) and each
/// regex is compiled only when a user agent may match it (see `lazy_regexes`).
pub struct UserAgentParser {
    browser: LazyRegexes<BrowserRule>,
    os: LazyRegexes<OsRule>,
    device: LazyRegexes<DeviceRule>,
}

/// uap-core's parser lists, as `regexes.yaml` holds them.
#[derive(Deserialize)]
struct Lists<B, O, D> {
    user_agent_parsers: Vec<B>,
    os_parsers: Vec<O>,
    device_parsers: Vec<D>,
}

/// Required literals per parser, for each list.
type Literals = Lists<Option<Vec<String>>, Option<Vec<String>>, Option<Vec<String>>>;

impl UserAgentParser {
    /// Reads the parser lists and their required literals; compiles no regex.
    pub fn new() -> UserAgentParser {
        let lists: Lists<BrowserRule, OsRule, DeviceRule> =
            serde_json::from_str(REGEXES_JSON).expect("embedded uap-core regexes are valid JSON");
        let literals: Literals = serde_json::from_str(PREFILTER_JSON)
            .expect("embedded prefilter literals are valid JSON");
        UserAgentParser {
            browser: LazyRegexes::new(lists.user_agent_parsers, literals.user_agent_parsers),
            os: LazyRegexes::new(lists.os_parsers, literals.os_parsers),
            device: LazyRegexes::new(lists.device_parsers, literals.device_parsers),
        }
    }

    /// Compiles every regex of `part` now (steady-state benchmarks; a first batch needs only
    /// a few of them).
    pub fn warm_up(&self, part: Part) {
        match part {
            Part::Browser => self.browser.compile_all(),
            Part::Os => self.os.compile_all(),
            Part::Device => self.device.compile_all(),
        }
    }

    /// Parses a (decoded) user agent string, up to its first [`MAX_PARSED_UA_BYTES`].
    pub fn parse(&self, ua: &str) -> UserAgentFacts {
        let ua = &ua[..ua.floor_char_boundary(MAX_PARSED_UA_BYTES)];
        let form = Form::of(ua);
        let browser = first_match(&self.browser, ua, form, |e| e.extract(ua));
        let os = first_match(&self.os, ua, form, |e| e.extract(ua));
        let device = first_match(&self.device, ua, form, |e| e.extract(ua));
        let browser_name = browser.as_ref().and_then(|b| known(&b.family));
        let os_name = os.as_ref().and_then(|o| known(&o.family));
        let device_family = device
            .as_ref()
            .map(|d| d.family.as_ref())
            .unwrap_or("Other");
        let spider = device_family == "Spider";
        UserAgentFacts {
            browser_version: browser.as_ref().and_then(|b| version(&b.version)),
            os_version: os.as_ref().and_then(|o| version(&o.version)),
            device_vendor: device
                .as_ref()
                .and_then(|d| d.brand.as_deref())
                .and_then(known),
            device_type: device_type(ua, os_name.as_deref(), device_family, spider),
            browser_name,
            os_name,
            spider,
        }
    }
}

impl Default for UserAgentParser {
    fn default() -> Self {
        UserAgentParser::new()
    }
}

/// The first parser of `set`, in list order, whose compiled `form` extracts from `ua`.
fn first_match<'s, P: LazyParser, T>(
    set: &'s LazyRegexes<P>,
    ua: &str,
    form: Form,
    extract: impl Fn(&'s P::Compiled) -> Option<T>,
) -> Option<T> {
    set.candidates(ua)
        .into_iter()
        .find_map(|index| extract(set.compiled(index, form)))
}

impl LazyParser for BrowserRule {
    type Compiled = BrowserMatcher;
    fn regex(&self) -> &str {
        &self.regex
    }
    fn compile(&self, form: Form) -> BrowserMatcher {
        self.matcher(form)
            .expect("uap-core browser regexes compile")
    }
}

impl LazyParser for OsRule {
    type Compiled = OsMatcher;
    fn regex(&self) -> &str {
        &self.regex
    }
    fn compile(&self, form: Form) -> OsMatcher {
        self.matcher(form).expect("uap-core OS regexes compile")
    }
}

impl LazyParser for DeviceRule {
    type Compiled = DeviceMatcher;
    fn regex(&self) -> &str {
        &self.regex
    }
    fn compile(&self, form: Form) -> DeviceMatcher {
        self.matcher(form).expect("uap-core device regexes compile")
    }
}

/// uap-core's "Other" (and empty) means unknown.
fn known(value: &str) -> Option<Arc<str>> {
    let value = value.trim();
    (!value.is_empty() && value != "Other").then(|| Arc::from(value))
}

/// `major.minor.patch`, as far as the parts go.
fn version(parts: &[Option<Cow<'_, str>>; 3]) -> Option<Arc<str>> {
    let present: Vec<&str> = parts
        .iter()
        .map_while(|part| part.as_deref().filter(|p| !p.is_empty()))
        .collect();
    (!present.is_empty()).then(|| Arc::from(present.join(".")))
}

/// Operating systems of phones and other handhelds.
const MOBILE_OSES: &[&str] = &[
    "iOS",
    "Android",
    "Windows Phone",
    "BlackBerry OS",
    "KaiOS",
    "Firefox OS",
    "Symbian OS",
    "Symbian^3",
    "Bada",
    "webOS",
    "Tizen",
    "HarmonyOS",
];

/// Operating systems of desktops and laptops.
const DESKTOP_OSES: &[&str] = &[
    "Windows",
    "Mac OS X",
    "Linux",
    "Ubuntu",
    "Chrome OS",
    "Fedora",
    "Debian",
    "FreeBSD",
    "OpenBSD",
    "NetBSD",
    "Solaris",
    "Mint",
    "Arch Linux",
    "Gentoo",
    "SUSE",
    "Red Hat",
    "CentOS",
    "Kubuntu",
];

/// Device-family markers of tablets.
const TABLET_MARKERS: &[&str] = &[
    "iPad", "Tablet", "Kindle", "PlayBook", "Nexus 7", "Nexus 9", "Nexus 10",
];

/// Derives the device class from what uap-core found and the UA's own tokens.
/// Android without `Mobile` is a tablet (Google's convention for tablet browsers).
pub fn device_type(
    ua: &str,
    os_name: Option<&str>,
    device_family: &str,
    spider: bool,
) -> DeviceType {
    if spider {
        return DeviceType::Bot;
    }
    let os = os_name.unwrap_or_default();
    let is_tablet = TABLET_MARKERS
        .iter()
        .any(|marker| device_family.contains(marker))
        || ua.contains("Tablet")
        || (os == "Android" && !ua.contains("Mobile"));
    let is_mobile = MOBILE_OSES.contains(&os) || ua.contains("Mobi");
    if is_tablet && (is_mobile || os == "Android" || os == "iOS") {
        return DeviceType::Tablet;
    }
    if is_mobile {
        return DeviceType::Mobile;
    }
    if DESKTOP_OSES.contains(&os) || os.starts_with("Windows") {
        return DeviceType::Desktop;
    }
    DeviceType::Other
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    const MAC_CHROME: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Safari/537.36";
    const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    const IPAD: &str = "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1";
    const ANDROID_PHONE: &str = "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Mobile Safari/537.36";
    const ANDROID_TABLET: &str = "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36";
    const GOOGLEBOT: &str =
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
    const PLAYSTATION: &str =
        "Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko)";

    fn parser() -> &'static UserAgentParser {
        static PARSER: OnceLock<UserAgentParser> = OnceLock::new();
        PARSER.get_or_init(UserAgentParser::new)
    }

    #[test]
    fn conventions_sample_is_chrome_112_on_mac_os_x_desktop() {
        let facts = parser().parse(MAC_CHROME);
        assert_eq!(facts.browser_name.as_deref(), Some("Chrome"));
        assert_eq!(facts.browser_version.as_deref(), Some("112.0.0"));
        assert_eq!(facts.os_name.as_deref(), Some("Mac OS X"));
        assert_eq!(facts.os_version.as_deref(), Some("10.15.7"));
        assert_eq!(facts.device_vendor.as_deref(), Some("Apple"));
        assert_eq!(facts.device_type, DeviceType::Desktop);
        assert!(facts.claims_browser());
    }

    #[test]
    fn device_types_are_derived() {
        let cases = [
            (IPHONE, DeviceType::Mobile),
            (IPAD, DeviceType::Tablet),
            (ANDROID_PHONE, DeviceType::Mobile),
            (ANDROID_TABLET, DeviceType::Tablet),
            (GOOGLEBOT, DeviceType::Bot),
            (PLAYSTATION, DeviceType::Other),
            ("python-requests/2.31.0", DeviceType::Other),
        ];
        for (ua, expected) in cases {
            assert_eq!(parser().parse(ua).device_type, expected, "{ua}");
        }
    }

    #[test]
    fn crawlers_are_spiders_and_do_not_claim_a_browser() {
        let facts = parser().parse(GOOGLEBOT);
        assert!(facts.spider);
        assert!(!facts.claims_browser());
    }

    #[test]
    fn only_the_first_bytes_of_a_long_user_agent_are_parsed() {
        let padded_chrome = format!("{MAC_CHROME} {}", "x".repeat(4000));
        assert_eq!(parser().parse(&padded_chrome), parser().parse(MAC_CHROME));
        let late_crawler = format!("{}{GOOGLEBOT}", " ".repeat(MAX_PARSED_UA_BYTES));
        assert!(!parser().parse(&late_crawler).spider);
        let cut_in_a_character = format!("{}é{MAC_CHROME}", "a".repeat(MAX_PARSED_UA_BYTES - 1));
        assert_eq!(parser().parse(&cut_in_a_character).browser_name, None);
    }

    #[test]
    fn unknown_user_agents_are_null_not_other() {
        let facts = parser().parse("");
        assert_eq!(facts.browser_name, None);
        assert_eq!(facts.os_name, None);
        assert_eq!(facts.device_vendor, None);
        assert!(!facts.claims_browser());
    }

    #[test]
    fn versions_stop_at_the_first_missing_part() {
        let parts = |parts: [Option<&'static str>; 3]| parts.map(|part| part.map(Cow::Borrowed));
        assert_eq!(
            version(&parts([Some("1"), None, Some("3")])).as_deref(),
            Some("1")
        );
        assert_eq!(version(&parts([None, None, None])), None);
        assert_eq!(
            version(&parts([Some("17"), Some("5"), None])).as_deref(),
            Some("17.5")
        );
    }

    #[test]
    fn warm_up_from_threads_leaves_a_working_parser() {
        let parser = UserAgentParser::new();
        std::thread::scope(|scope| {
            for part in Part::ALL {
                let parser = &parser;
                scope.spawn(move || parser.warm_up(part));
            }
        });
        let facts = parser.parse(MAC_CHROME);
        assert_eq!(facts.browser_name.as_deref(), Some("Chrome"));
    }

    /// The ASCII user agents of uap-core's suite `name`, every `step`-th one.
    fn ascii_suite(name: &str, step: usize) -> Vec<String> {
        #[derive(Deserialize)]
        struct Suite {
            test_cases: Vec<Case>,
        }
        #[derive(Deserialize)]
        struct Case {
            user_agent_string: String,
        }
        let path = format!(
            "{}/../data/uap-core/tests/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let suite: Suite = serde_yaml::from_slice(&std::fs::read(path).unwrap()).unwrap();
        suite
            .test_cases
            .into_iter()
            .map(|case| case.user_agent_string)
            .filter(|ua| ua.is_ascii())
            .step_by(step)
            .collect()
    }

    /// Every rule of `rules`, compiled in both forms, extracts the same from each of `uas`.
    /// (`extract` says what a rule found, as text.)
    fn forms_agree<R: LazyParser>(
        rules: &[R],
        uas: &[String],
        extract: impl Fn(&R::Compiled, &str) -> Option<String>,
    ) -> usize {
        let mut matches = 0;
        for rule in rules {
            let (ascii, unicode) = (rule.compile(Form::Ascii), rule.compile(Form::Unicode));
            for ua in uas {
                let found = extract(&ascii, ua);
                assert_eq!(found, extract(&unicode, ua), "{} on {ua:?}", rule.regex());
                matches += usize::from(found.is_some());
            }
        }
        matches
    }

    #[test]
    fn both_forms_extract_the_same_from_ascii_user_agents() {
        let lists: Lists<BrowserRule, OsRule, DeviceRule> =
            serde_json::from_str(REGEXES_JSON).unwrap();
        let browsers = ascii_suite("test_ua.yaml", 3);
        let oses = ascii_suite("test_os.yaml", 1);
        let devices = ascii_suite("test_device.yaml", 40);
        let found = [
            forms_agree(&lists.user_agent_parsers, &browsers, |m, ua| {
                m.extract(ua).map(|found| format!("{found:?}"))
            }),
            forms_agree(&lists.os_parsers, &oses, |m, ua| {
                m.extract(ua).map(|found| format!("{found:?}"))
            }),
            forms_agree(&lists.device_parsers, &devices, |m, ua| {
                m.extract(ua).map(|found| format!("{found:?}"))
            }),
        ];
        // Every suite has user agents some rule matches, so the comparison saw groups.
        assert!(found.iter().all(|&n| n > 100), "{found:?}");
    }

    /// The precomputed literals are what the regexes give; `PIXELSTREAM_BLESS=1` rewrites them.
    #[test]
    fn precomputed_literals_match_the_regexes() {
        use crate::enrich::lazy_regexes::required_literals;
        #[derive(Deserialize)]
        struct Pattern {
            regex: String,
        }
        let lists: Lists<Pattern, Pattern, Pattern> = serde_json::from_str(REGEXES_JSON).unwrap();
        let literals = |list: &[Pattern]| -> Vec<Option<Vec<String>>> {
            list.iter().map(|p| required_literals(&p.regex)).collect()
        };
        let computed = serde_json::json!({
            "user_agent_parsers": literals(&lists.user_agent_parsers),
            "os_parsers": literals(&lists.os_parsers),
            "device_parsers": literals(&lists.device_parsers),
        });
        if std::env::var_os("PIXELSTREAM_BLESS").is_some() {
            let path = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../data/uap-core/prefilter.json"
            );
            std::fs::write(path, serde_json::to_string(&computed).unwrap() + "\n").unwrap();
            return;
        }
        let embedded: serde_json::Value = serde_json::from_str(PREFILTER_JSON).unwrap();
        assert!(
            embedded == computed,
            "prefilter.json is stale: run `make golden`"
        );
    }

    /// The JSON the parser loads is `regexes.yaml` converted; `PIXELSTREAM_BLESS=1` rewrites it.
    #[test]
    fn embedded_json_matches_the_vendored_yaml() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/uap-core");
        let yaml = std::fs::read_to_string(format!("{dir}/regexes.yaml")).unwrap();
        let from_yaml: serde_json::Value = serde_yaml::from_str(&yaml).unwrap();
        if std::env::var_os("PIXELSTREAM_BLESS").is_some() {
            let json = serde_json::to_string(&from_yaml).unwrap() + "\n";
            std::fs::write(format!("{dir}/regexes.json"), json).unwrap();
            return;
        }
        let embedded: serde_json::Value = serde_json::from_str(REGEXES_JSON).unwrap();
        assert!(
            embedded == from_yaml,
            "regexes.json is stale: run `make golden`"
        );
    }
}
