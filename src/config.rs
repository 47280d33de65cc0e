//! Pipeline configuration: which fields the log carries and which domains are kept.

use std::fmt;

use crate::enrich::domain::{AllowedDomains, DomainListError};
use crate::fields::{Field, FieldList, FieldListError};

/// Everything the core needs to know, built once (at Lambda init or CLI start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The real-time log's field list.
    pub fields: FieldList,
    /// Domains whose hits are kept.
    pub domains: AllowedDomains,
}

/// Fields without which no hit can be recognised.
const REQUIRED_FIELDS: [Field; 2] = [Field::Timestamp, Field::UriStem];

/// Why a configuration was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// The field list could not be read.
    Fields(FieldListError),
    /// The field list lacks a field the pipeline cannot work without.
    MissingField(Field),
    /// The allowed-domains list could not be read.
    Domains(DomainListError),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Fields(err) => write!(f, "invalid field list: {err}"),
            ConfigError::MissingField(field) => {
                write!(f, "invalid field list: it must include `{field}`")
            }
            ConfigError::Domains(err) => write!(f, "invalid allowed domains: {err}"),
        }
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Builds a configuration from its textual settings: a field list (`default`, `ownstats`
    /// or comma-separated names) and allowed domains (comma-separated, or `*`).
    pub fn from_settings(fields: &str, domains: &str) -> Result<Config, ConfigError> {
        let fields = FieldList::parse(fields).map_err(ConfigError::Fields)?;
        if let Some(missing) = REQUIRED_FIELDS
            .into_iter()
            .find(|field| fields.position(*field).is_none())
        {
            return Err(ConfigError::MissingField(missing));
        }
        let domains = AllowedDomains::parse(domains).map_err(ConfigError::Domains)?;
        Ok(Config { fields, domains })
    }
}

/// Environment variable holding the field list (default: `default`).
pub const FIELDS_VAR: &str = "PIXELSTREAM_FIELDS";
/// Environment variable holding the allowed domains (required).
pub const DOMAINS_VAR: &str = "PIXELSTREAM_ALLOWED_DOMAINS";

/// Why a deployed (Lambda) configuration was rejected; names the variable at fault.
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

impl Config {
    /// Builds the deployed configuration from settings looked up by variable name (the Lambda
    /// passes its environment). Stricter than local use: the allow-list is required and `*` is
    /// refused, because every allowed domain becomes a partition.
    pub fn from_deployment(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, SettingError> {
        let fields = lookup(FIELDS_VAR).unwrap_or_else(|| "default".to_owned());
        let domains = lookup(DOMAINS_VAR).ok_or_else(|| SettingError {
            variable: DOMAINS_VAR,
            problem: "not set; give the comma-separated domains of your sites".into(),
        })?;
        if domains.trim() == "*" {
            return Err(SettingError {
                variable: DOMAINS_VAR,
                problem: "`*` is for local replays only; list your sites' domains".into(),
            });
        }
        Config::from_settings(&fields, &domains).map_err(|err| SettingError {
            variable: match err {
                ConfigError::Domains(_) => DOMAINS_VAR,
                ConfigError::Fields(_) | ConfigError::MissingField(_) => FIELDS_VAR,
            },
            problem: err.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_and_lists_build() {
        let config = Config::from_settings("ownstats", "mydomain.tld").unwrap();
        assert_eq!(config.fields.len(), 12);
        assert!(config.domains.allows("mydomain.tld"));
    }

    #[test]
    fn errors_name_the_setting_and_the_problem() {
        let missing = Config::from_settings("timestamp,asn", "*").unwrap_err();
        assert_eq!(missing, ConfigError::MissingField(Field::UriStem));
        assert_eq!(
            missing.to_string(),
            "invalid field list: it must include `cs-uri-stem`"
        );
        let unknown = Config::from_settings("timestamp,cs-uri-stem,nope", "*").unwrap_err();
        assert_eq!(
            unknown.to_string(),
            "invalid field list: unknown CloudFront real-time log field \"nope\""
        );
        let domains = Config::from_settings("default", "").unwrap_err();
        assert!(matches!(
            domains,
            ConfigError::Domains(DomainListError::Empty)
        ));
    }

    fn deployment(vars: &[(&str, &str)]) -> Result<Config, SettingError> {
        Config::from_deployment(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn deployment_defaults_the_field_list_and_requires_domains() {
        let config = deployment(&[(DOMAINS_VAR, "mydomain.tld")]).unwrap();
        assert_eq!(config.fields, FieldList::default_fields());
        let missing = deployment(&[]).unwrap_err();
        assert_eq!(missing.variable, DOMAINS_VAR);
    }

    #[test]
    fn deployment_refuses_wildcards_and_names_the_bad_variable() {
        let wildcard = deployment(&[(DOMAINS_VAR, "*")]).unwrap_err();
        assert_eq!(wildcard.variable, DOMAINS_VAR);
        let fields = deployment(&[(DOMAINS_VAR, "a.tld"), (FIELDS_VAR, "timestamp,nope")]);
        let err = fields.unwrap_err();
        assert_eq!(err.variable, FIELDS_VAR);
        assert!(
            err.to_string()
                .starts_with("PIXELSTREAM_FIELDS: invalid field list")
        );
    }
}
