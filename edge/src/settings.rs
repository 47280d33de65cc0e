//! The Lambda's settings, read from its environment once at init and validated into built
//! objects; an error names the variable at fault.

use std::fmt;

use pixelstream_core::Config;
use pixelstream_core::config::ConfigError;

use crate::env;

/// Why a deployed (Lambda) setting was rejected; names the variable at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingError {
    /// The environment variable at fault.
    pub variable: &'static str,
    /// What is wrong with it.
    pub problem: String,
}

impl fmt::Display for SettingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.variable, self.problem)
    }
}

impl std::error::Error for SettingError {}

/// What the Lambda binary runs as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The Firehose transformation.
    Transform,
    /// The scheduled salt rotation.
    RotateSalts,
}

/// Where the transformation's embedded metrics go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsTarget {
    /// CloudWatch namespace.
    pub namespace: String,
    /// Value of the `Stack` dimension.
    pub stack: String,
}

/// Everything the Lambda reads from its environment besides AWS credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LambdaSettings {
    /// Transformation or rotation.
    pub mode: Mode,
    /// SSM path of the daily salts.
    pub salt_prefix: String,
    /// Embedded-metrics target of the transformation.
    pub metrics: MetricsTarget,
}

/// Reads the Lambda's settings through `lookup` (the environment, or a test's table).
pub fn lambda(lookup: impl Fn(&str) -> Option<String>) -> Result<LambdaSettings, SettingError> {
    let salt_prefix = lookup(env::SALT_PREFIX).ok_or_else(|| SettingError {
        variable: env::SALT_PREFIX,
        problem: "not set".into(),
    })?;
    let mode = match lookup(env::MODE).as_deref().unwrap_or("transform") {
        "transform" => Mode::Transform,
        "rotate-salts" => Mode::RotateSalts,
        other => {
            return Err(SettingError {
                variable: env::MODE,
                problem: format!("unknown mode {other:?} (transform or rotate-salts)"),
            });
        }
    };
    let metrics = MetricsTarget {
        namespace: lookup(env::METRICS_NAMESPACE).unwrap_or_else(|| "pixelstream".to_owned()),
        stack: lookup(env::STACK).unwrap_or_else(|| "pixelstream".to_owned()),
    };
    Ok(LambdaSettings {
        mode,
        salt_prefix,
        metrics,
    })
}

/// Builds the deployed configuration through `lookup`. Stricter than local use: the
/// allow-list is required and `*` is refused, because every allowed domain becomes a partition.
pub fn deployment_config(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, SettingError> {
    let fields = lookup(env::FIELDS).unwrap_or_else(|| "default".to_owned());
    let domains = lookup(env::ALLOWED_DOMAINS).ok_or_else(|| SettingError {
        variable: env::ALLOWED_DOMAINS,
        problem: "not set; give the comma-separated domains of your sites".into(),
    })?;
    if domains.trim() == "*" {
        return Err(SettingError {
            variable: env::ALLOWED_DOMAINS,
            problem: "`*` is for local replays only; list your sites' domains".into(),
        });
    }
    Config::from_settings(&fields, &domains).map_err(|err| SettingError {
        variable: match err {
            ConfigError::Domains(_) => env::ALLOWED_DOMAINS,
            ConfigError::Fields(_) | ConfigError::MissingField(_) => env::FIELDS,
        },
        problem: err.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pixelstream_core::parse::fields::FieldList;

    fn table(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn deployment_defaults_the_field_list_and_requires_domains() {
        let config = deployment_config(table(&[(env::ALLOWED_DOMAINS, "mydomain.tld")])).unwrap();
        assert_eq!(config.fields, FieldList::default_fields());
        let missing = deployment_config(table(&[])).unwrap_err();
        assert_eq!(missing.variable, env::ALLOWED_DOMAINS);
    }

    #[test]
    fn deployment_refuses_wildcards_and_names_the_bad_variable() {
        let wildcard = deployment_config(table(&[(env::ALLOWED_DOMAINS, "*")])).unwrap_err();
        assert_eq!(wildcard.variable, env::ALLOWED_DOMAINS);
        let err = deployment_config(table(&[
            (env::ALLOWED_DOMAINS, "a.tld"),
            (env::FIELDS, "timestamp,nope"),
        ]))
        .unwrap_err();
        assert_eq!(err.variable, env::FIELDS);
        assert!(
            err.to_string()
                .starts_with("PIXELSTREAM_FIELDS: invalid field list")
        );
    }

    #[test]
    fn lambda_settings_need_a_prefix_and_a_known_mode() {
        assert_eq!(lambda(table(&[])).unwrap_err().variable, env::SALT_PREFIX);
        let rotate = lambda(table(&[
            (env::SALT_PREFIX, "/p"),
            (env::MODE, "rotate-salts"),
        ]));
        assert_eq!(rotate.unwrap().mode, Mode::RotateSalts);
        let unknown = lambda(table(&[(env::SALT_PREFIX, "/p"), (env::MODE, "x")]));
        assert_eq!(unknown.unwrap_err().variable, env::MODE);
        let metrics = lambda(table(&[(env::SALT_PREFIX, "/p"), (env::STACK, "shop")]))
            .unwrap()
            .metrics;
        assert_eq!(
            (metrics.namespace.as_str(), metrics.stack.as_str()),
            ("pixelstream", "shop")
        );
    }
}
