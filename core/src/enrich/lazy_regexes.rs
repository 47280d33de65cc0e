//! uap-core's parsers compiled on demand. Compiling all ~1,200 regexes up front costs
//! 80–170 ms, which would dominate a Lambda cold start; a batch only needs the few that can
//! match its user agents. Each parser gets a set of literals of which every match must
//! contain one (read from the regex's syntax tree); one Aho-Corasick scan of a user agent
//! yields the candidate parsers, and only those are compiled (once), in list order, until
//! the first match. Parsers without such literals are always candidates, so the first match
//! is the same as with all regexes compiled.
//!
//! A parser has two compiled forms (see [`Form`]): nearly every user agent is ASCII, and
//! regexes for ASCII text compile in about two thirds of the time.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use regex_syntax::hir::{Hir, HirKind};

/// Which compiled form of a parser an input needs. On ASCII text a regex matches the same
/// spans whether it was compiled for Unicode or for ASCII (classes, `.`, case folding and
/// word boundaries differ only in characters ASCII text does not have), so ASCII inputs use
/// the form that is cheaper to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// For ASCII inputs only.
    Ascii,
    /// For any input.
    Unicode,
}

impl Form {
    /// The form `input` needs.
    pub fn of(input: &str) -> Form {
        if input.is_ascii() {
            Form::Ascii
        } else {
            Form::Unicode
        }
    }
}

/// One uap-core parser of a part (browser, OS or device), compiled on its own.
pub trait LazyParser: Send + Sync {
    /// The compiled form.
    type Compiled: Send + Sync;
    /// The parser's regex as written in `regexes.yaml`.
    fn regex(&self) -> &str;
    /// Compiles this one parser for inputs of `form`.
    fn compile(&self, form: Form) -> Self::Compiled;
}

/// A parser and its compiled forms, each built on first need.
struct Slot<P: LazyParser> {
    parser: P,
    ascii: OnceLock<P::Compiled>,
    unicode: OnceLock<P::Compiled>,
}

/// A part's parsers, in priority order, each compiled on first need.
pub struct LazyRegexes<P: LazyParser> {
    slots: Vec<Slot<P>>,
    prefilter: AhoCorasick,
    /// Parser index of each prefilter literal.
    literal_owner: Vec<usize>,
    /// Parsers without required literals: candidates for every input.
    always: Vec<usize>,
}

impl<P: LazyParser> LazyRegexes<P> {
    /// Indexes `parsers` by their required literals (from [`required_literals`], precomputed
    /// at build time: reading ~1,200 syntax trees would cost ~10 ms of a cold start) and
    /// compiles nothing.
    pub fn new(parsers: Vec<P>, required: Vec<Option<Vec<String>>>) -> LazyRegexes<P> {
        assert_eq!(parsers.len(), required.len(), "one literal set per parser");
        let mut literals = Vec::new();
        let mut literal_owner = Vec::new();
        let mut always = Vec::new();
        for (index, set) in required.into_iter().enumerate() {
            match set {
                Some(set) => {
                    literal_owner.extend(std::iter::repeat_n(index, set.len()));
                    literals.extend(set);
                }
                None => always.push(index),
            }
        }
        // A contiguous NFA builds in a fraction of a DFA's time, and scans fast enough here.
        // The literals are lower case and inputs are lowered before the scan: a
        // case-insensitive automaton has a transition per case and takes twice as long to
        // build.
        let prefilter = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(&literals)
            .expect("uap-core literals build an Aho-Corasick automaton");
        LazyRegexes {
            slots: parsers
                .into_iter()
                .map(|parser| Slot {
                    parser,
                    ascii: OnceLock::new(),
                    unicode: OnceLock::new(),
                })
                .collect(),
            prefilter,
            literal_owner,
            always,
        }
    }

    /// Indices of the parsers that may match `input`, ascending.
    pub fn candidates(&self, input: &str) -> Vec<usize> {
        let lowered = input.to_ascii_lowercase();
        let mut candidates = self.always.clone();
        candidates.extend(
            self.prefilter
                .find_overlapping_iter(&lowered)
                .map(|found| self.literal_owner[found.pattern().as_usize()]),
        );
        candidates.sort_unstable();
        candidates.dedup();
        candidates
    }

    /// The compiled parser `index` for inputs of `form`, compiling it now if needed.
    pub fn compiled(&self, index: usize, form: Form) -> &P::Compiled {
        let slot = &self.slots[index];
        let cell = match form {
            Form::Ascii => &slot.ascii,
            Form::Unicode => &slot.unicode,
        };
        cell.get_or_init(|| slot.parser.compile(form))
    }

    /// Compiles every parser in both forms (steady-state benchmarks).
    pub fn compile_all(&self) {
        for index in 0..self.slots.len() {
            self.compiled(index, Form::Ascii);
            self.compiled(index, Form::Unicode);
        }
    }
}

/// Literals (lower-cased) of which every match of `pattern` contains one, or `None` when no
/// such set is known. Case flags are ignored on purpose: the prefilter matches ASCII
/// case-insensitively, so it finds the literal whatever case the regex accepts.
pub fn required_literals(pattern: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .ok()?;
    let literals = literals_of(&hir)?;
    let usable = literals.iter().all(|l| l.len() >= 2);
    usable.then(|| {
        literals
            .into_iter()
            .map(|l| l.to_ascii_lowercase())
            .map(lossy)
            .collect()
    })
}

fn lossy(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Alternatives of which one occurs in every match of `hir`.
fn literals_of(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    match hir.kind() {
        HirKind::Literal(literal) => Some(vec![literal.0.to_vec()]),
        HirKind::Capture(capture) => literals_of(&capture.sub),
        HirKind::Repetition(repetition) if repetition.min >= 1 => literals_of(&repetition.sub),
        HirKind::Concat(parts) => parts
            .iter()
            .filter_map(literals_of)
            .max_by_key(|set| selectivity(set)),
        HirKind::Alternation(branches) => {
            let mut all = Vec::new();
            for branch in branches {
                all.extend(literals_of(branch)?);
            }
            Some(all)
        }
        _ => None,
    }
}

/// Fragments nearly every browser user agent contains: literals inside them select nothing.
const UBIQUITOUS: &[&[u8]] = &[
    b"mozilla/5.0 (",
    b") applewebkit/",
    b" (khtml, like gecko) ",
    b" safari/",
    b" chrome/",
    b" mobile",
    b"(linux; android ",
    b"; wv)",
    b"(windows nt ",
    b"(macintosh; intel mac os x ",
    b" like mac os x)",
    b" version/",
    b" gecko/",
    b" firefox/",
];

/// How well a literal set narrows the candidates: its shortest literal's length, or 0 when a
/// literal is part of what almost every user agent contains.
fn selectivity(set: &[Vec<u8>]) -> (bool, usize) {
    let common = set.iter().any(|literal| {
        let literal = literal.to_ascii_lowercase();
        UBIQUITOUS.iter().any(|fragment| {
            fragment
                .windows(literal.len().max(1))
                .any(|w| w == literal.as_slice())
        })
    });
    (!common, set.iter().map(Vec::len).min().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literals(pattern: &str) -> Option<Vec<String>> {
        required_literals(pattern)
    }

    #[test]
    fn literals_are_required_ones_only() {
        assert_eq!(literals(r"(Chrome)/(\d+)"), Some(vec!["chrome".into()]));
        assert_eq!(
            literals(r"(?:Firefox|FxiOS)/(\d+)"),
            Some(vec!["firefox".into(), "fxios".into()])
        );
        assert_eq!(literals(r"(?:Bot)?Spider"), Some(vec!["spider".into()]));
        assert_eq!(literals(r"(?:Bot)?(?:x)?"), None);
        assert_eq!(literals(r"(?:Bot|\d)"), None, "a branch without a literal");
        assert_eq!(
            literals(r"(a|b)c"),
            None,
            "one-byte literals are too weak to filter on"
        );
    }

    #[test]
    fn only_ascii_inputs_take_the_ascii_form() {
        assert_eq!(Form::of("Mozilla/5.0 (X11; Linux x86_64)"), Form::Ascii);
        assert_eq!(Form::of(""), Form::Ascii);
        assert_eq!(
            Form::of("Mozilla/5.0 (Linux; U; Android 4.0; ru-ru; Планшет)"),
            Form::Unicode
        );
    }

    #[test]
    fn unparsable_patterns_are_always_candidates() {
        assert_eq!(literals("(unclosed"), None);
    }

    /// A stand-in part compiled with plain `regex`, the same for both forms.
    struct Fake(&'static str);

    impl LazyParser for Fake {
        type Compiled = regex::Regex;
        fn regex(&self) -> &str {
            self.0
        }
        fn compile(&self, _: Form) -> regex::Regex {
            regex::Regex::new(self.0).unwrap()
        }
    }

    #[test]
    fn candidates_keep_list_order_and_include_literal_free_parsers() {
        let parsers = vec![
            Fake("Googlebot"),
            Fake(r"\d+x\d+"),
            Fake("Chrome/"),
            Fake("Safari"),
        ];
        let required = parsers
            .iter()
            .map(|p| required_literals(p.regex()))
            .collect();
        let set = LazyRegexes::new(parsers, required);
        assert_eq!(set.candidates("Mozilla Chrome/1 Safari/2"), [1, 2, 3]);
        assert_eq!(set.candidates("GOOGLEBOT"), [0, 1]);
        assert!(set.compiled(2, Form::Ascii).is_match("Chrome/"));
        assert!(set.slots[2].unicode.get().is_none(), "forms compile apart");
        set.compile_all();
        assert!(
            set.slots
                .iter()
                .all(|slot| slot.ascii.get().is_some() && slot.unicode.get().is_some())
        );
    }
}
