//! False positives of the UA-only bot signals (named lists, generic layers, the parser's
//! spider family) on people: uap-core's mainstream browsers (`test_ua.yaml`) and every
//! non-spider user agent of `test_device.yaml` (feature phones, TVs, consoles, in-app
//! browsers). Run with `-- --nocapture` to see the figures.

mod common;

use std::collections::BTreeMap;

use common::uap::{Case, suite};
use pixelstream_core::enrich::client::Clients;

/// uap-core's family for bots (in `test_device.yaml`).
const SPIDER: &str = "Spider";

/// `test_ua.yaml` families of mainstream browsers and their mobile and in-app variants.
const MAINSTREAM_FAMILIES: [&str; 41] = [
    "Chrome",
    "Chrome Mobile",
    "Chrome Mobile WebView",
    "Chromium",
    "Firefox",
    "Firefox Beta",
    "Firefox Mobile",
    "Firefox iOS",
    "Safari",
    "Mobile Safari",
    "Mobile Safari UI/WKWebView",
    "Edge",
    "Edge Mobile",
    "IE",
    "IE Mobile",
    "Opera",
    "Opera Mini",
    "Opera Mobile",
    "Opera Tablet",
    "Opera Coast",
    "Samsung Internet",
    "UC Browser",
    "Yandex Browser",
    "Android",
    "Amazon Silk",
    "Vivaldi",
    "Brave",
    "Whale",
    "QQ Browser",
    "QQ Browser Mobile",
    "Baidu Browser",
    "Coc Coc",
    "Pale Moon",
    "Waterfox",
    "Maxthon",
    "MiuiBrowser",
    "Puffin",
    "Seznam prohlížeč",
    "Sleipnir",
    "Dolphin",
    "Konqueror",
];

/// A bot that uap-core files under a browser family: Google's page-preview renderer
/// (`... (KHTML, like Gecko; Google Web Preview) Chrome/27.0 ...`, family "Chrome").
const BOT_IN_A_BROWSER_FAMILY: &str = "Google Web Preview";

/// The user agents of `cases` that the UA-only signals flag.
fn flagged<'c>(clients: &Clients, cases: &[&'c Case]) -> Vec<&'c str> {
    cases
        .iter()
        .map(|case| case.user_agent_string.as_str())
        .filter(|ua| clients.from_decoded(ua).reasons.is_bot())
        .collect()
}

/// How many of `user_agents` carry each reason (a UA may carry several).
fn reason_counts(clients: &Clients, user_agents: &[&str]) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for ua in user_agents {
        for reason in clients.from_decoded(ua).reasons.iter() {
            *counts.entry(reason.as_str()).or_insert(0) += 1;
        }
    }
    counts
}

fn percent(part: usize, whole: usize) -> f64 {
    part as f64 * 100.0 / whole as f64
}

/// Acceptance: at most 1% of the non-spider device user agents are flagged.
#[test]
fn device_suite_people_are_rarely_flagged() {
    let cases = suite("test_device.yaml");
    let people: Vec<&Case> = cases
        .iter()
        .filter(|case| case.family.as_deref() != Some(SPIDER))
        .collect();
    assert!(people.len() > 15_000, "{} device cases", people.len());
    let clients = Clients::new();
    let flagged = flagged(&clients, &people);
    eprintln!(
        "test_device.yaml non-spider UAs flagged: {}/{} = {:.2}%, by reason: {:?}",
        flagged.len(),
        people.len(),
        percent(flagged.len(), people.len()),
        reason_counts(&clients, &flagged)
    );
    assert!(
        flagged.len() * 100 <= people.len(),
        "{}/{} flagged: {flagged:#?}",
        flagged.len(),
        people.len()
    );
}

/// Acceptance: at most 0.5% of the mainstream browser user agents are flagged.
#[test]
fn mainstream_browsers_are_rarely_flagged() {
    let cases = suite("test_ua.yaml");
    let browsers: Vec<&Case> = cases
        .iter()
        .filter(|case| {
            case.family
                .as_deref()
                .is_some_and(|family| MAINSTREAM_FAMILIES.contains(&family))
        })
        .collect();
    let (bots, people): (Vec<&Case>, Vec<&Case>) = browsers
        .into_iter()
        .partition(|case| case.user_agent_string.contains(BOT_IN_A_BROWSER_FAMILY));
    assert!(people.len() > 150, "{} mainstream cases", people.len());
    let clients = Clients::new();
    let flagged = flagged(&clients, &people);
    eprintln!(
        "test_ua.yaml mainstream browser UAs flagged: {}/{} = {:.2}% (left out as bots: {})",
        flagged.len(),
        people.len(),
        percent(flagged.len(), people.len()),
        bots.len()
    );
    assert_eq!(bots.len(), 1, "the preview renderer is in the suite once");
    assert!(
        clients
            .from_decoded(&bots[0].user_agent_string)
            .reasons
            .is_bot()
    );
    assert!(
        flagged.len() * 200 <= people.len(),
        "{}/{} flagged: {flagged:#?}",
        flagged.len(),
        people.len()
    );
}
