//! uap-core's own test suites (vendored under `data/uap-core/tests/`) run through
//! pixelstream's user-agent code: browser and OS family must agree on ≥ 99% of the cases.

mod common;

use common::uap::{Case, suite};
use pixelstream_core::enrich::user_agent::UserAgentParser;

/// Share of cases where `ours` equals the expected value, with uap-core's "Other" as unknown.
fn agreement(
    cases: &[Case],
    expected: impl Fn(&Case) -> Option<&str>,
    ours: impl Fn(&str) -> Option<String>,
) -> f64 {
    let normalize = |value: Option<&str>| {
        value
            .map(str::trim)
            .filter(|v| !v.is_empty() && *v != "Other")
            .map(str::to_owned)
    };
    let agreeing = cases
        .iter()
        .filter(|case| normalize(expected(case)) == ours(&case.user_agent_string))
        .count();
    agreeing as f64 / cases.len() as f64
}

#[test]
fn browser_families_agree_with_uap_core() {
    let parser = UserAgentParser::new();
    let cases = suite("test_ua.yaml");
    assert!(cases.len() > 1000);
    let share = agreement(
        &cases,
        |c| c.family.as_deref(),
        |ua| parser.parse(ua).browser_name.map(|n| n.to_string()),
    );
    eprintln!(
        "browser family agreement: {:.2}% of {} cases",
        share * 100.0,
        cases.len()
    );
    assert!(share >= 0.99, "{share}");
}

#[test]
fn os_families_agree_with_uap_core() {
    let parser = UserAgentParser::new();
    let cases = suite("test_os.yaml");
    assert!(cases.len() > 400);
    let share = agreement(
        &cases,
        |c| c.family.as_deref(),
        |ua| parser.parse(ua).os_name.map(|n| n.to_string()),
    );
    eprintln!(
        "OS family agreement: {:.2}% of {} cases",
        share * 100.0,
        cases.len()
    );
    assert!(share >= 0.99, "{share}");
}

#[test]
fn device_brands_agree_with_uap_core() {
    let parser = UserAgentParser::new();
    let cases = suite("test_device.yaml");
    assert!(cases.len() > 10_000);
    let share = agreement(
        &cases,
        |c| c.brand.as_deref(),
        |ua| parser.parse(ua).device_vendor.map(|n| n.to_string()),
    );
    eprintln!(
        "device brand agreement: {:.2}% of {} cases",
        share * 100.0,
        cases.len()
    );
    assert!(share >= 0.99, "{share}");
}
