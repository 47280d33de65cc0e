//! uap-core's own test suites (vendored under `data/uap-core/tests/`).

use serde::Deserialize;

#[derive(Deserialize)]
struct Suite {
    test_cases: Vec<Case>,
}

/// One case of a suite: a user agent and what uap-core expects of it.
#[derive(Deserialize)]
pub struct Case {
    /// The user agent.
    pub user_agent_string: String,
    /// The expected browser, OS or device family.
    pub family: Option<String>,
    /// The expected device brand (`test_device.yaml`).
    pub brand: Option<String>,
}

/// The cases of suite `name` (e.g. `test_ua.yaml`).
pub fn suite(name: &str) -> Vec<Case> {
    let yaml = super::read(&format!("data/uap-core/tests/{name}"));
    serde_yaml::from_slice::<Suite>(&yaml)
        .expect("uap-core suite parses")
        .test_cases
}
