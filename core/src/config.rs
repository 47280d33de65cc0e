//! Pipeline configuration: which fields the log carries and which domains are kept.

use std::fmt;

use crate::parse::domain::{AllowedDomains, DomainListError};
use crate::parse::fields::{Field, FieldList, FieldListError};

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
}
