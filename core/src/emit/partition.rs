//! The dynamic partition keys of a kept record, built only from validated values.

use std::borrow::Cow;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::json;
use crate::outcome::EventType;
use crate::parse::hit::Hit;
use crate::time::Date;

/// Where a kept record goes: `domain_name=…/event_type=…/event_date=…`. Every value is
/// validated, never raw input, so the partitions are bounded by the allow-list.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PartitionKeys<'a> {
    /// An allowed, normalized host name.
    pub domain_name: Cow<'a, str>,
    /// `pageview` or `event`.
    pub event_type: EventType,
    /// The server-side (UTC) arrival date.
    pub event_date: Date,
}

impl<'a> PartitionKeys<'a> {
    /// The keys of a parsed hit.
    pub fn of(hit: &Hit<'a>) -> PartitionKeys<'a> {
        PartitionKeys {
            domain_name: hit.domain_name.clone(),
            event_type: hit.event_type,
            event_date: hit.arrival.date(),
        }
    }

    /// The keys, owning their domain.
    pub fn into_owned(self) -> PartitionKeys<'static> {
        PartitionKeys {
            domain_name: Cow::Owned(self.domain_name.into_owned()),
            event_type: self.event_type,
            event_date: self.event_date,
        }
    }

    /// The Hive-style folder of the partition, as the stack's S3 prefix spells it.
    pub fn path(&self) -> PathBuf {
        PathBuf::from(format!(
            "domain_name={}/event_type={}/event_date={}",
            self.domain_name,
            self.event_type.as_str(),
            self.event_date
        ))
    }

    /// Appends `{"domain_name":…,"event_type":…,"event_date":…}`.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"domain_name\":");
        json::write_str(out, &self.domain_name);
        out.extend_from_slice(b",\"event_type\":\"");
        out.extend_from_slice(self.event_type.as_str().as_bytes());
        out.extend_from_slice(b"\",\"event_date\":\"");
        self.event_date.write_to(out);
        out.extend_from_slice(b"\"}");
    }

    /// Bytes [`PartitionKeys::write_json`] appends, at most (escapes counted double).
    pub fn json_len_bound(&self) -> usize {
        const FIXED: usize = r#"{"domain_name":"","event_type":"","event_date":""}"#.len();
        FIXED + 2 * self.domain_name.len() + self.event_type.as_str().len() + DATE_LEN
    }
}

/// `yyyy-MM-dd`.
const DATE_LEN: usize = 10;

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> PartitionKeys<'static> {
        PartitionKeys {
            domain_name: Cow::Borrowed("shop.example.com"),
            event_type: EventType::Event,
            event_date: Date::parse("2023-04-21").unwrap(),
        }
    }

    #[test]
    fn path_and_json_spell_the_stack_prefix() {
        assert_eq!(
            keys().path(),
            PathBuf::from("domain_name=shop.example.com/event_type=event/event_date=2023-04-21")
        );
        let mut json = Vec::new();
        keys().write_json(&mut json);
        assert_eq!(
            String::from_utf8(json.clone()).unwrap(),
            r#"{"domain_name":"shop.example.com","event_type":"event","event_date":"2023-04-21"}"#
        );
        assert!(json.len() <= keys().json_len_bound());
    }
}
