//! The salt lifecycle in SSM Parameter Store: one random secret per UTC day, created a day
//! ahead, deleted once it is more than 48 hours old; the transformation fetches today's and
//! yesterday's.
//!
//! Parameters are SecureStrings named `<prefix>/<yyyy-MM-dd>` holding 32 random bytes in hex.
//! Local replays have no SSM: [`local`] derives every day's salt from one secret instead.

use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use crate::aws::ssm::{Ssm, SsmError};
use pixelstream_core::enrich::ids::Salts;
use pixelstream_core::time::Date;

/// Random bytes per salt.
pub const SALT_BYTES: usize = 32;

/// The parameter holding the salt of `date`.
pub fn parameter_name(prefix: &str, date: Date) -> String {
    format!("{}/{date}", prefix.trim_end_matches('/'))
}

/// The day a salt parameter is for, if `name` is one under `prefix`.
pub fn date_of(prefix: &str, name: &str) -> Option<Date> {
    let day = name
        .strip_prefix(prefix.trim_end_matches('/'))?
        .strip_prefix('/')?;
    Date::parse(day)
}

/// What a rotation run does.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RotationPlan {
    /// Days whose salt must be created (today's and tomorrow's, when missing).
    pub create: Vec<Date>,
    /// Parameters to delete: salts of days before yesterday (older than 48 hours).
    pub delete: Vec<String>,
}

/// Plans a rotation on `today` given the parameter names under `prefix`. Names that are not
/// salts are left alone.
pub fn plan_rotation(today: Date, existing: &[String], prefix: &str) -> RotationPlan {
    let existing_days: Vec<(Date, &String)> = existing
        .iter()
        .filter_map(|name| date_of(prefix, name).map(|day| (day, name)))
        .collect();
    let oldest_kept = today.add_days(-1);
    RotationPlan {
        create: [today, today.add_days(1)]
            .into_iter()
            .filter(|day| !existing_days.iter().any(|(d, _)| d == day))
            .collect(),
        delete: existing_days
            .iter()
            .filter(|(day, _)| *day < oldest_kept)
            .map(|(_, name)| (*name).clone())
            .collect(),
    }
}

/// Runs a rotation: creates missing salts with fresh randomness, deletes expired ones.
pub fn rotate(ssm: &Ssm, prefix: &str, today: Date) -> Result<RotationPlan, SaltError> {
    let existing = ssm.names_under(prefix.trim_end_matches('/'))?;
    let plan = plan_rotation(today, &existing, prefix);
    for day in &plan.create {
        let mut salt = [0u8; SALT_BYTES];
        getrandom::fill(&mut salt).map_err(|e| SaltError::Randomness(e.to_string()))?;
        ssm.create_secure_string(&parameter_name(prefix, *day), &hex(&salt))?;
    }
    ssm.delete_parameters(&plan.delete)?;
    Ok(plan)
}

/// Fetches today's salt (required) and yesterday's (used when present) for the transformation.
pub fn fetch(ssm: &Ssm, prefix: &str, today: Date) -> Result<Salts, SaltError> {
    let days = [today, today.add_days(-1)];
    let names: Vec<String> = days
        .iter()
        .map(|day| parameter_name(prefix, *day))
        .collect();
    let found = ssm.get_parameters(&names)?;
    let mut salts = Vec::new();
    for (name, value) in found {
        let day = date_of(prefix, &name).ok_or_else(|| SaltError::Malformed(name.clone()))?;
        let salt = unhex(&value).ok_or_else(|| SaltError::Malformed(name.clone()))?;
        salts.push((day, salt));
    }
    if !salts.iter().any(|(day, _)| *day == today) {
        return Err(SaltError::Missing(parameter_name(prefix, today)));
    }
    Ok(Salts::for_days(salts))
}

/// Today's and yesterday's salts, fetched from SSM once per UTC day (the transformation's cache).
pub struct SaltCache {
    ssm: Ssm,
    prefix: String,
    fetched: Mutex<Option<(Date, Arc<Salts>)>>,
}

impl SaltCache {
    /// A cache of the salts under `prefix`; nothing is fetched until [`SaltCache::for_day`].
    pub fn new(ssm: Ssm, prefix: String) -> SaltCache {
        SaltCache {
            ssm,
            prefix,
            fetched: Mutex::new(None),
        }
    }

    /// The salts for `today` (the caller's clock): cached, or fetched when the day changed.
    pub fn for_day(&self, today: Date) -> Result<Arc<Salts>, SaltError> {
        let mut fetched = self.fetched.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, salts)) = fetched.as_ref().filter(|(day, _)| *day == today) {
            return Ok(Arc::clone(salts));
        }
        let salts = Arc::new(fetch(&self.ssm, &self.prefix, today)?);
        *fetched = Some((today, Arc::clone(&salts)));
        Ok(salts)
    }
}

/// A local replay's salts and whether they came from a fresh random secret.
pub struct LocalSalts {
    /// Every day's salt, derived from the secret.
    pub salts: Salts,
    /// No secret was given: ids of this run match no other run.
    pub random: bool,
}

/// Salts for a local replay: from `secret`, else from the bytes of `secret_file` (a trailing
/// newline ignored), else from 32 random bytes.
pub fn local(secret: Option<&str>, secret_file: Option<&Path>) -> Result<LocalSalts, String> {
    let derived = |secret: &[u8]| LocalSalts {
        salts: Salts::derived_from(secret),
        random: false,
    };
    if let Some(secret) = secret {
        return Ok(derived(secret.as_bytes()));
    }
    if let Some(path) = secret_file {
        let secret =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let secret = secret.strip_suffix(b"\n").unwrap_or(&secret);
        if secret.is_empty() {
            return Err(format!("{} holds no salt", path.display()));
        }
        return Ok(derived(secret));
    }
    let mut secret = [0u8; SALT_BYTES];
    getrandom::fill(&mut secret).map_err(|e| format!("cannot get a random salt: {e}"))?;
    Ok(LocalSalts {
        random: true,
        ..derived(&secret)
    })
}

/// Why salts could not be had. The transformation then fails the invocation (Firehose retries)
/// rather than emit ids without a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaltError {
    /// Parameter Store failed.
    Ssm(SsmError),
    /// Today's salt does not exist (the rotation function has not run).
    Missing(String),
    /// A salt parameter does not hold hex of at least 16 bytes.
    Malformed(String),
    /// The system gave no randomness.
    Randomness(String),
}

impl From<SsmError> for SaltError {
    fn from(err: SsmError) -> Self {
        SaltError::Ssm(err)
    }
}

impl fmt::Display for SaltError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SaltError::Ssm(err) => write!(f, "{err}"),
            SaltError::Missing(name) => write!(f, "salt {name} does not exist"),
            SaltError::Malformed(name) => write!(f, "salt {name} is not hex of 16+ bytes"),
            SaltError::Randomness(err) => write!(f, "no randomness for a new salt: {err}"),
        }
    }
}

impl std::error::Error for SaltError {}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if text.len() < 32 || !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PREFIX: &str = "/pixelstream/test/salts";

    fn day(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    fn names(days: &[&str]) -> Vec<String> {
        days.iter()
            .map(|d| parameter_name(PREFIX, day(d)))
            .collect()
    }

    #[test]
    fn names_round_trip() {
        let name = parameter_name("/p/salts/", day("2025-06-14"));
        assert_eq!(name, "/p/salts/2025-06-14");
        assert_eq!(date_of("/p/salts", &name), Some(day("2025-06-14")));
        assert_eq!(date_of("/p/salts", "/p/salts/notes"), None);
        assert_eq!(date_of("/p/salts", "/other/2025-06-14"), None);
    }

    #[test]
    fn first_run_creates_today_and_tomorrow() {
        let plan = plan_rotation(day("2025-06-14"), &[], PREFIX);
        assert_eq!(plan.create, [day("2025-06-14"), day("2025-06-15")]);
        assert!(plan.delete.is_empty());
    }

    #[test]
    fn salts_older_than_48_hours_are_deleted_yesterday_is_kept() {
        let existing = names(&[
            "2025-06-10",
            "2025-06-12",
            "2025-06-13",
            "2025-06-14",
            "2025-06-15",
        ]);
        let plan = plan_rotation(day("2025-06-14"), &existing, PREFIX);
        assert!(plan.create.is_empty());
        assert_eq!(plan.delete, names(&["2025-06-10", "2025-06-12"]));
    }

    #[test]
    fn other_parameters_are_left_alone() {
        let existing = vec![
            format!("{PREFIX}/README"),
            "/elsewhere/2020-01-01".to_owned(),
        ];
        let plan = plan_rotation(day("2025-06-14"), &existing, PREFIX);
        assert!(plan.delete.is_empty());
    }

    #[test]
    fn hex_round_trips_and_rejects_short_or_odd_values() {
        let bytes: Vec<u8> = (0..32).collect();
        assert_eq!(unhex(&hex(&bytes)), Some(bytes));
        assert_eq!(unhex("abcd"), None);
        assert_eq!(unhex(&"z".repeat(64)), None);
        assert_eq!(unhex(&"a".repeat(65)), None);
    }
}
