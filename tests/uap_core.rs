//! uap-core's own test suites (vendored under `data/uap-core/tests/`) run through
//! pixelstream's user-agent code: browser and OS family and device brand must agree on ≥ 99%
//! of the cases. Every disagreeing case is printed by name (its user agent, what uap-core
//! expects, what we said), so a regression points at the user agents it broke.

mod common;

use common::uap::{Case, suite};
use pixelstream_core::enrich::user_agent::UserAgentParser;

/// The share of agreeing cases a suite must reach.
const BAR: f64 = 0.99;

/// uap-core's "Other" and an empty value both mean unknown.
fn normalize(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty() && *v != "Other")
        .map(str::to_owned)
}

/// Runs `suite_name`, prints each disagreeing case and the agreement, and fails below [`BAR`].
fn check_suite(
    suite_name: &str,
    min_cases: usize,
    expected: impl Fn(&Case) -> Option<&str>,
    ours: impl Fn(&str) -> Option<String>,
) {
    let cases = suite(suite_name);
    assert!(
        cases.len() > min_cases,
        "{suite_name}: {} cases",
        cases.len()
    );
    let disagreeing: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let want = normalize(expected(case));
            let got = ours(&case.user_agent_string);
            (want != got).then(|| {
                format!(
                    "  {:?}: uap-core {want:?}, pixelstream {got:?}",
                    case.user_agent_string
                )
            })
        })
        .collect();
    let share = 1.0 - disagreeing.len() as f64 / cases.len() as f64;
    for line in &disagreeing {
        eprintln!("{suite_name} disagrees on{line}");
    }
    eprintln!(
        "{suite_name}: {:.2}% of {} cases agree ({} disagree)",
        share * 100.0,
        cases.len(),
        disagreeing.len()
    );
    assert!(
        share >= BAR,
        "{suite_name}: {:.2}% agreement is below {:.0}%; the disagreeing cases:\n{}",
        share * 100.0,
        BAR * 100.0,
        disagreeing.join("\n")
    );
}

#[test]
fn browser_families_agree_with_uap_core() {
    let parser = UserAgentParser::new();
    check_suite(
        "test_ua.yaml",
        1000,
        |c| c.family.as_deref(),
        |ua| parser.parse(ua).browser_name.map(|n| n.to_string()),
    );
}

#[test]
fn os_families_agree_with_uap_core() {
    let parser = UserAgentParser::new();
    check_suite(
        "test_os.yaml",
        400,
        |c| c.family.as_deref(),
        |ua| parser.parse(ua).os_name.map(|n| n.to_string()),
    );
}

#[test]
fn device_brands_agree_with_uap_core() {
    let parser = UserAgentParser::new();
    check_suite(
        "test_device.yaml",
        10_000,
        |c| c.brand.as_deref(),
        |ua| parser.parse(ua).device_vendor.map(|n| n.to_string()),
    );
}
