//! uap-core's rules (`regexes.yaml`): the three parser lists, and how a matching rule turns
//! its regex's groups into values, following uap-core's specification:
//!
//! - A replacement without `$n` is the value as written.
//! - A replacement with `$n` has each `$n` replaced by group `n` (missing groups are empty),
//!   then is trimmed. A browser family replaces only `$1` and is not trimmed; browser
//!   versions are always used as written.
//! - Without a (non-blank) replacement, the field's own group is the value (group 1 for
//!   families, 2–4 for versions); an empty or missing group means no value (an empty family).
//!   A device brand has no group of its own.
//!
//! Each rule compiles on its own, with `regex-automata`'s meta engine configured as `regex`
//! configures it: `\d` and `\w` mean ASCII digits and word characters (uap-core's regexes
//! are written for ASCII engines, and Unicode classes make automata many times larger), and
//! bounded repeats of 100 or more become unbounded. A rule for ASCII user agents
//! ([`Form::Ascii`]) is compiled without Unicode: its automata are smaller and build in about
//! two thirds of the time, search as fast, and find the same groups in ASCII text.

use std::borrow::Cow;

use regex_automata::meta::{self, BuildError, Regex};
use regex_automata::util::captures::Captures;
use regex_automata::util::syntax;
use regex_automata::{Input, MatchKind};
use serde::Deserialize;

use super::lazy_regexes::Form;

/// A `user_agent_parsers` rule: browser family and version.
#[derive(Debug, Clone, Deserialize)]
pub struct BrowserRule {
    /// The regex as written in `regexes.yaml`.
    pub regex: String,
    family_replacement: Option<String>,
    v1_replacement: Option<String>,
    v2_replacement: Option<String>,
    v3_replacement: Option<String>,
}

/// An `os_parsers` rule: operating system and version.
#[derive(Debug, Clone, Deserialize)]
pub struct OsRule {
    /// The regex as written in `regexes.yaml`.
    pub regex: String,
    os_replacement: Option<String>,
    os_v1_replacement: Option<String>,
    os_v2_replacement: Option<String>,
    os_v3_replacement: Option<String>,
}

/// A `device_parsers` rule: device family and brand.
#[derive(Debug, Clone, Deserialize)]
pub struct DeviceRule {
    /// The regex as written in `regexes.yaml`.
    pub regex: String,
    /// `i` for a case-insensitive regex.
    regex_flag: Option<String>,
    device_replacement: Option<String>,
    brand_replacement: Option<String>,
}

/// What a browser rule found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Browser<'a> {
    /// Family (`Chrome`), possibly empty.
    pub family: Cow<'a, str>,
    /// Major, minor and patch version.
    pub version: [Option<Cow<'a, str>>; 3],
}

/// What an OS rule found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Os<'a> {
    /// Family (`Mac OS X`), possibly empty.
    pub family: Cow<'a, str>,
    /// Major, minor and patch version.
    pub version: [Option<Cow<'a, str>>; 3],
}

/// What a device rule found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device<'a> {
    /// Family (`iPhone`, `Spider`), possibly empty.
    pub family: Cow<'a, str>,
    /// Brand (`Apple`).
    pub brand: Option<Cow<'a, str>>,
}

/// A compiled browser rule.
pub struct BrowserMatcher {
    regex: Regex,
    family: Family,
    version: [Field; 3],
}

/// A compiled OS rule.
pub struct OsMatcher {
    regex: Regex,
    family: Field,
    version: [Field; 3],
}

/// A compiled device rule.
pub struct DeviceMatcher {
    regex: Regex,
    family: Field,
    brand: Field,
}

impl BrowserRule {
    /// Compiles the rule for user agents of `form`.
    pub fn matcher(&self, form: Form) -> Result<BrowserMatcher, Box<BuildError>> {
        let regex = compile(&self.regex, false, form)?;
        let groups = regex.captures_len() - 1;
        let version = |replacement: &Option<String>, group| match replacement {
            Some(text) if !text.is_empty() => Field::Text(text.clone()),
            _ if groups >= group => Field::Group(group),
            _ => Field::Absent,
        };
        Ok(BrowserMatcher {
            family: match &self.family_replacement {
                Some(text) if text.contains("$1") => Family::Template(text.clone()),
                Some(text) if !text.is_empty() => Family::Text(text.clone()),
                _ if groups >= 1 => Family::Group,
                _ => Family::Text(String::new()),
            },
            version: [
                version(&self.v1_replacement, 2),
                version(&self.v2_replacement, 3),
                version(&self.v3_replacement, 4),
            ],
            regex,
        })
    }
}

impl OsRule {
    /// Compiles the rule for user agents of `form`.
    pub fn matcher(&self, form: Form) -> Result<OsMatcher, Box<BuildError>> {
        let regex = compile(&self.regex, false, form)?;
        let groups = regex.captures_len() - 1;
        Ok(OsMatcher {
            family: Field::new(&self.os_replacement, groups, 1),
            version: [
                Field::new(&self.os_v1_replacement, groups, 2),
                Field::new(&self.os_v2_replacement, groups, 3),
                Field::new(&self.os_v3_replacement, groups, 4),
            ],
            regex,
        })
    }
}

impl DeviceRule {
    /// Compiles the rule for user agents of `form`.
    pub fn matcher(&self, form: Form) -> Result<DeviceMatcher, Box<BuildError>> {
        let case_insensitive = self.regex_flag.as_deref() == Some("i");
        let regex = compile(&self.regex, case_insensitive, form)?;
        let groups = regex.captures_len() - 1;
        Ok(DeviceMatcher {
            family: Field::new(&self.device_replacement, groups, 1),
            // A brand comes only from its replacement, never from a group of its own.
            brand: Field::new(&self.brand_replacement, 0, 1),
            regex,
        })
    }
}

impl BrowserMatcher {
    /// The browser, when the rule matches `ua`.
    pub fn extract<'a>(&'a self, ua: &'a str) -> Option<Browser<'a>> {
        let groups = Groups::of(&self.regex, ua)?;
        Some(Browser {
            family: self.family.resolve(&groups),
            version: self.version.each_ref().map(|field| field.optional(&groups)),
        })
    }
}

impl OsMatcher {
    /// The operating system, when the rule matches `ua`.
    pub fn extract<'a>(&'a self, ua: &'a str) -> Option<Os<'a>> {
        let groups = Groups::of(&self.regex, ua)?;
        Some(Os {
            family: self.family.value(&groups),
            version: self.version.each_ref().map(|field| field.optional(&groups)),
        })
    }
}

impl DeviceMatcher {
    /// The device, when the rule matches `ua`.
    pub fn extract<'a>(&'a self, ua: &'a str) -> Option<Device<'a>> {
        let groups = Groups::of(&self.regex, ua)?;
        Some(Device {
            family: self.family.value(&groups),
            brand: self.brand.optional(&groups),
        })
    }
}

/// The groups of a rule's first match in a user agent.
struct Groups<'a> {
    captures: Captures,
    ua: &'a str,
}

impl<'a> Groups<'a> {
    /// The groups of `regex`'s first match in `ua`, if it matches.
    fn of(regex: &Regex, ua: &'a str) -> Option<Groups<'a>> {
        let mut captures = regex.create_captures();
        regex.captures(Input::new(ua), &mut captures);
        captures.is_match().then_some(Groups { captures, ua })
    }

    /// Group `index`'s text, when it took part in the match.
    fn get(&self, index: usize) -> Option<&'a str> {
        let span = self.captures.get_group(index)?;
        self.ua.get(span.range())
    }

    /// `template` with `$n` replaced by group `n` (missing groups are empty), as `regex`'s
    /// `Captures::expand` does.
    fn expand(&self, template: &str, out: &mut String) {
        self.captures
            .interpolate_string_into(self.ua, template, out);
    }
}

/// Where a field's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Field {
    /// A replacement without `$n`: the text as written.
    Text(String),
    /// A replacement with `$n`: expanded, then trimmed.
    Template(String),
    /// No replacement: this group.
    Group(usize),
    /// No replacement and no such group.
    Absent,
}

impl Field {
    /// The field of a rule whose regex has `groups` groups: `replacement` when it is not
    /// blank, else group `own_group`.
    fn new(replacement: &Option<String>, groups: usize, own_group: usize) -> Field {
        match replacement {
            Some(text) if !text.trim().is_empty() && has_group_reference(text) => {
                Field::Template(text.clone())
            }
            Some(text) if !text.trim().is_empty() => Field::Text(text.clone()),
            _ if groups >= own_group => Field::Group(own_group),
            _ => Field::Absent,
        }
    }

    /// The value, empty when there is none.
    fn value<'a>(&'a self, groups: &Groups<'a>) -> Cow<'a, str> {
        match self {
            Field::Template(template) => Cow::Owned(expand(template, groups)),
            _ => self.optional(groups).unwrap_or_default(),
        }
    }

    /// The value, `None` when it is missing or empty.
    fn optional<'a>(&'a self, groups: &Groups<'a>) -> Option<Cow<'a, str>> {
        match self {
            Field::Text(text) => Some(Cow::Borrowed(text)),
            Field::Template(template) => Some(expand(template, groups))
                .filter(|value| !value.is_empty())
                .map(Cow::Owned),
            Field::Group(group) => non_empty_group(groups, *group).map(Cow::Borrowed),
            Field::Absent => None,
        }
    }
}

/// Where a browser family comes from: like [`Field`], but a template replaces only `$1`
/// and is not trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Family {
    Text(String),
    Template(String),
    Group,
}

impl Family {
    fn resolve<'a>(&'a self, groups: &Groups<'a>) -> Cow<'a, str> {
        let first = || non_empty_group(groups, 1).unwrap_or_default();
        match self {
            Family::Text(text) => Cow::Borrowed(text),
            Family::Template(template) => Cow::Owned(template.replace("$1", first())),
            Family::Group => Cow::Borrowed(first()),
        }
    }
}

fn non_empty_group<'a>(groups: &Groups<'a>, group: usize) -> Option<&'a str> {
    groups.get(group).filter(|text| !text.is_empty())
}

/// Whether `text` refers to a group (`$` and a digit).
fn has_group_reference(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|pair| pair[0] == b'$' && pair[1].is_ascii_digit())
}

/// `template` with its group references replaced, trimmed.
fn expand(template: &str, groups: &Groups<'_>) -> String {
    let mut expanded = String::new();
    groups.expand(template, &mut expanded);
    match expanded.trim() {
        trimmed if trimmed.len() == expanded.len() => expanded,
        trimmed => trimmed.to_owned(),
    }
}

/// Compiles a uap-core regex for user agents of `form` (see the module docs for the two
/// rewrites). A pattern that is not ASCII itself, or does not build without Unicode, gets
/// its Unicode form for ASCII user agents too.
fn compile(pattern: &str, case_insensitive: bool, form: Form) -> Result<Regex, Box<BuildError>> {
    let pattern = ascii_classes(pattern);
    let build = |unicode: bool| {
        meta::Builder::new()
            .configure(regex_config().utf8_empty(unicode))
            .syntax(
                syntax::Config::new()
                    .case_insensitive(case_insensitive)
                    .unicode(unicode)
                    .utf8(unicode),
            )
            .build(&pattern)
            .map_err(Box::new)
    };
    if form == Form::Ascii
        && pattern.is_ascii()
        && let Ok(regex) = build(false)
    {
        return Ok(regex);
    }
    build(true)
}

/// The meta engine's configuration as `regex::Regex` sets it, without the full DFA: most of
/// these regexes run on a handful of user agents (the facts are cached), and building a full
/// DFA for each of the small ones cost a cold start more than the lazy DFA saves afterwards.
/// The lazy DFA stays: without it a cold start compiles about a quarter less, but every user
/// agent not yet cached takes more than twice as long to parse.
fn regex_config() -> meta::Config {
    meta::Config::new()
        .match_kind(MatchKind::LeftmostFirst)
        .nfa_size_limit(Some(10 << 20))
        .hybrid_cache_capacity(2 << 20)
        .dfa(false)
}

/// `pattern` with `\d`, `\D`, `\w` and `\W` spelled as ASCII classes, and `{0,n}` / `{1,n}`
/// outside classes, for `n` of three or more digits, as `*` / `+`.
fn ascii_classes(pattern: &str) -> Cow<'_, str> {
    if !pattern.contains(['\\', '{']) {
        return Cow::Borrowed(pattern);
    }
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.char_indices().peekable();
    let mut class_depth = 0usize;
    while let Some((index, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, 'd')) => out.push_str("[0-9]"),
                Some((_, 'D')) => out.push_str("[^0-9]"),
                Some((_, 'w')) => out.push_str("[A-Za-z0-9_]"),
                Some((_, 'W')) => out.push_str("[^A-Za-z0-9_]"),
                Some((_, escaped)) => {
                    out.push('\\');
                    out.push(escaped);
                }
                None => out.push('\\'),
            },
            '[' => {
                class_depth += 1;
                out.push(c);
            }
            ']' => {
                class_depth = class_depth.saturating_sub(1);
                out.push(c);
            }
            '{' if class_depth == 0 && index > 0 => match long_repeat(&pattern[index..]) {
                Some((star, skip)) => {
                    out.push(star);
                    for _ in 1..skip {
                        chars.next();
                    }
                }
                None => out.push(c),
            },
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// For `{0,n}` / `{1,n}` at the start of `rest` with `n` of three or more digits: `*` / `+`
/// and the repeat's length in characters.
fn long_repeat(rest: &str) -> Option<(char, usize)> {
    let inner = rest.strip_prefix('{')?;
    let end = inner.find('}')?;
    let (min, max) = inner[..end].split_once(',')?;
    let unbounded = match min {
        "0" => '*',
        "1" => '+',
        _ => return None,
    };
    (max.len() >= 3 && max.bytes().all(|b| b.is_ascii_digit())).then_some((unbounded, end + 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn browser(rule: &str) -> BrowserRule {
        serde_json::from_str(rule).unwrap()
    }

    #[test]
    fn classes_become_ascii_and_long_repeats_unbounded() {
        assert_eq!(ascii_classes(r"(\d+)\.(\w+)"), "([0-9]+)\\.([A-Za-z0-9_]+)");
        assert_eq!(ascii_classes(r"[\d.]\D\W"), "[[0-9].][^0-9][^A-Za-z0-9_]");
        assert_eq!(ascii_classes(r"a.{0,100}b.{1,250}c"), "a.*b.+c");
        assert_eq!(ascii_classes(r"a.{0,99}b.{2,300}c"), "a.{0,99}b.{2,300}c");
        assert_eq!(
            ascii_classes(r"\\d\{0,100}"),
            r"\\d\{0,100}",
            "escapes stay escapes"
        );
        assert_eq!(ascii_classes("plain"), "plain");
    }

    #[test]
    fn browser_fields_follow_the_replacement_rules() {
        let rule = browser(r#"{"regex": "(Fire)(fox)/(\\d+)\\.(\\d+)()"}"#);
        let matcher = rule.matcher(Form::Ascii).unwrap();
        let found = matcher.extract("Mozilla Firefox/126.0").unwrap();
        assert_eq!(found.family, "Fire", "group 1 without a replacement");
        assert_eq!(
            found.version,
            [Some("fox".into()), Some("126".into()), Some("0".into())]
        );
        let templated = browser(
            r#"{"regex": "(\\w+)Bot/(\\d+)", "family_replacement": " $1 Crawler ",
                "v1_replacement": "9", "v3_replacement": ""}"#,
        );
        let matcher = templated.matcher(Form::Ascii).unwrap();
        let found = matcher.extract("FooBot/12").unwrap();
        assert_eq!(found.family, " Foo Crawler ", "families are not trimmed");
        assert_eq!(found.version, [Some("9".into()), None, None]);
        assert!(matcher.extract("Chrome/1").is_none());
    }

    #[test]
    fn os_and_device_templates_are_expanded_and_trimmed() {
        let os: OsRule = serde_json::from_str(
            r#"{"regex": "(Win)dows NT (\\d+)\\.(\\d+)", "os_replacement": "Windows",
                "os_v1_replacement": "$2 ", "os_v2_replacement": " "}"#,
        )
        .unwrap();
        let matcher = os.matcher(Form::Ascii).unwrap();
        let found = matcher.extract("Windows NT 10.0").unwrap();
        assert_eq!(found.family, "Windows");
        assert_eq!(
            found.version,
            [Some("10".into()), Some("0".into()), None],
            "a blank replacement falls back to the group"
        );
        let device: DeviceRule = serde_json::from_str(
            r#"{"regex": "; *(sm-[a-z0-9]+)", "regex_flag": "i",
                "device_replacement": "Samsung $1", "brand_replacement": "Samsung"}"#,
        )
        .unwrap();
        let matcher = device.matcher(Form::Ascii).unwrap();
        let found = matcher.extract("(Linux; SM-G991B)").unwrap();
        assert_eq!(found.family, "Samsung SM-G991B");
        assert_eq!(found.brand.as_deref(), Some("Samsung"));
        let brandless: DeviceRule =
            serde_json::from_str(r#"{"regex": "(Kindle)", "brand_replacement": "$2"}"#).unwrap();
        let matcher = brandless.matcher(Form::Ascii).unwrap();
        let found = matcher.extract("Kindle").unwrap();
        assert_eq!(found.brand, None, "an empty expansion is no brand");
    }
}
