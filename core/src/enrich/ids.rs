//! Privacy-safe identifiers. Visitor and page-view ids are keyed with a secret salt per UTC
//! day (HMAC-SHA256), never a plain hash: without the salt nobody can recompute them, and once
//! the salt is deleted nobody ever can.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use std::sync::{Mutex, PoisonError};

use super::page::PageColumns;
use crate::outcome::{Note, Notes};
use crate::parse::fields::Field;
use crate::parse::hit::Hit;
use crate::time::{Date, Timestamp};

type HmacSha256 = Hmac<Sha256>;

/// Bytes of a digest kept in an id (96 bits: 16 base64url characters).
const ID_BYTES: usize = 12;

/// Characters of an id.
const ID_CHARS: usize = 16;

/// A keyed or hashed id: 96 bits of a digest as 16 base64url characters, held inline (no
/// allocation per id).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Id([u8; ID_CHARS]);

impl Id {
    /// The id of a digest: its first [`ID_BYTES`] bytes, base64url without padding.
    fn of_digest(digest: &[u8]) -> Id {
        let mut text = [0; ID_CHARS];
        let written = URL_SAFE_NO_PAD
            .encode_slice(&digest[..ID_BYTES], &mut text)
            .unwrap_or_default();
        debug_assert_eq!(written, ID_CHARS);
        Id(text)
    }

    /// The id's text.
    pub fn as_str(&self) -> &str {
        // base64url is ASCII, so this never falls back.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl std::ops::Deref for Id {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for Id {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq<&str> for Id {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// One day's secret salt, with the HMAC key schedule done once.
#[derive(Clone)]
pub struct DailyKey {
    mac: HmacSha256,
}

impl std::fmt::Debug for DailyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DailyKey(<secret>)")
    }
}

impl DailyKey {
    /// Keys hashes with `salt` (any length; 32 random bytes in practice).
    pub fn new(salt: &[u8]) -> DailyKey {
        DailyKey {
            mac: HmacSha256::new_from_slice(salt).expect("HMAC accepts keys of any length"),
        }
    }

    /// A keyed id of `parts`, each length-prefixed so different splits never collide.
    fn id(&self, parts: &[&[u8]]) -> Id {
        let mut mac = self.mac.clone();
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        Id::of_digest(&mac.finalize().into_bytes())
    }

    /// The visitor of a day on a site: domain, client address and user agent, keyed.
    pub fn visitor_id(&self, domain: &str, client_ip: &[u8], user_agent: &[u8]) -> Id {
        self.id(&[b"visitor", domain.as_bytes(), client_ip, user_agent])
    }

    /// One visitor's view of one page on the day.
    pub fn daily_page_view_id(&self, visitor_id: &Id, path: &str) -> Id {
        self.id(&[b"page", visitor_id.as_bytes(), path.as_bytes()])
    }

    /// A hit without a request id: the whole log line, keyed (it holds the address).
    pub fn line_id(&self, line: &[u8]) -> Id {
        self.id(&[b"line", line])
    }
}

/// A hit with CloudFront's `x-edge-request-id`: a plain hash of that id, which is unique per
/// request, holds nothing personal and stays the same on replays, salt or no salt.
pub fn request_id(edge_request_id: &[u8]) -> Id {
    Id::of_digest(&Sha256::digest(edge_request_id))
}

/// The daily keys a pipeline may use.
#[derive(Debug)]
pub struct Salts {
    source: SaltSource,
    /// Keys already known, per day (derived keys are computed once per day).
    keys: Mutex<Vec<(Date, DailyKey)>>,
}

#[derive(Debug)]
enum SaltSource {
    /// Salts fetched for specific days (the Lambda: today's and yesterday's).
    Days,
    /// One secret from which each day's salt is derived (local replays and tests).
    Derived(DailyKey),
}

impl Salts {
    /// Salts for specific days; other days have none.
    pub fn for_days(days: impl IntoIterator<Item = (Date, Vec<u8>)>) -> Salts {
        let keys = days
            .into_iter()
            .map(|(date, salt)| (date, DailyKey::new(&salt)))
            .collect();
        Salts {
            source: SaltSource::Days,
            keys: Mutex::new(keys),
        }
    }

    /// Every day's salt derived from one secret (HMAC of the date).
    pub fn derived_from(secret: &[u8]) -> Salts {
        Salts {
            source: SaltSource::Derived(DailyKey::new(secret)),
            keys: Mutex::new(Vec::new()),
        }
    }

    /// The key of `date`, if its salt is known.
    pub fn key(&self, date: Date) -> Option<DailyKey> {
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, key)) = keys.iter().find(|(day, _)| *day == date) {
            return Some(key.clone());
        }
        let SaltSource::Derived(secret) = &self.source else {
            return None;
        };
        let mut mac = secret.mac.clone();
        mac.update(date.to_string().as_bytes());
        let key = DailyKey::new(&mac.finalize().into_bytes());
        keys.push((date, key.clone()));
        Some(key)
    }
}

/// The id columns of a hit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdColumns {
    /// Replay-stable id of the hit.
    pub page_view_id: Option<Id>,
    /// The visitor's view of the page that day.
    pub daily_page_view_id: Option<Id>,
    /// Keyed, daily visitor id.
    pub daily_visitor_id: Option<Id>,
    /// The visitor's id under yesterday's salt, just after midnight.
    pub previous_daily_visitor_id: Option<Id>,
}

/// First minutes of a UTC day in which hits also get yesterday's visitor id.
pub const MIDNIGHT_OVERLAP_MS: i64 = 30 * 60 * 1000;

/// Keyed ids for a hit on `page`: `daily_visitor_id` and `daily_page_view_id` with the day's
/// salt, `previous_daily_visitor_id` just after midnight, and a replay-stable `page_view_id`
/// (from `x-edge-request-id`, else the keyed line). Without the day's salt the keyed ids are
/// null and the gap is noted.
pub fn columns(hit: &Hit<'_>, salts: &Salts, page: &PageColumns<'_>) -> (IdColumns, Notes) {
    let key = salts.key(hit.arrival.date());
    let page_view_id = match (hit.field(Field::EdgeRequestId), &key) {
        (Some(request_id), _) => Some(self::request_id(request_id)),
        (None, Some(key)) => Some(key.line_id(hit.line)),
        (None, None) => None,
    };
    let mut ids = IdColumns {
        page_view_id,
        ..IdColumns::default()
    };
    let Some(key) = key else {
        return (ids, Notes::when(true, Note::NoSaltForDate));
    };
    let Some(client_ip) = hit.field(Field::ClientIp) else {
        return (ids, Notes::default());
    };
    let domain = &*hit.domain_name;
    let user_agent = hit
        .field(Field::UserAgent)
        .or(hit.tracker.ua)
        .unwrap_or_default();
    let visitor_id = key.visitor_id(domain, client_ip, user_agent);
    let path = page.request_path.as_deref().unwrap_or_default();
    ids.daily_page_view_id = Some(key.daily_page_view_id(&visitor_id, path));
    if hit.arrival.ms_of_day() < MIDNIGHT_OVERLAP_MS {
        let yesterday = Timestamp(hit.arrival.0 - MIDNIGHT_OVERLAP_MS - 1).date();
        ids.previous_daily_visitor_id = salts
            .key(yesterday)
            .map(|key| key.visitor_id(domain, client_ip, user_agent));
    }
    ids.daily_visitor_id = Some(visitor_id);
    (ids, Notes::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Date = Date {
        year: 2025,
        month: 6,
        day: 14,
    };
    const NEXT_DAY: Date = Date {
        year: 2025,
        month: 6,
        day: 15,
    };

    fn key(salt: &[u8]) -> DailyKey {
        DailyKey::new(salt)
    }

    // The expected ids below were computed outside this code, with Python's `hmac` and
    // `hashlib`: HMAC-SHA256 over the parts, each prefixed with its length as a big-endian
    // u64, cut to 12 bytes, base64url without padding.

    #[test]
    fn visitor_id_is_the_documented_hmac() {
        let id = key(b"salt").visitor_id("mydomain.tld", b"1.2.3.4", b"UA");
        assert_eq!(id, "_RUulO4DoA0V615F");
    }

    #[test]
    fn salt_domain_address_and_agent_all_change_the_id() {
        let base = key(b"salt").visitor_id("mydomain.tld", b"1.2.3.4", b"UA");
        assert_ne!(
            base,
            key(b"other").visitor_id("mydomain.tld", b"1.2.3.4", b"UA")
        );
        assert_ne!(
            base,
            key(b"salt").visitor_id("shop.example.com", b"1.2.3.4", b"UA")
        );
        assert_ne!(
            base,
            key(b"salt").visitor_id("mydomain.tld", b"1.2.3.5", b"UA")
        );
        assert_ne!(
            base,
            key(b"salt").visitor_id("mydomain.tld", b"1.2.3.4", b"UA2")
        );
    }

    #[test]
    fn parts_are_length_prefixed() {
        let a = key(b"s").visitor_id("ab", b"c", b"");
        let b = key(b"s").visitor_id("a", b"bc", b"");
        assert_ne!(a, b);
    }

    #[test]
    fn ids_are_not_plain_hashes() {
        let plain = Id::of_digest(&Sha256::digest(b"mydomain.tld1.2.3.4UA"));
        assert_ne!(
            key(b"").visitor_id("mydomain.tld", b"1.2.3.4", b"UA"),
            plain
        );
    }

    #[test]
    fn request_ids_are_a_plain_sha256_and_distinct() {
        assert_eq!(request_id(b"abc=="), "4aZcPY_0GDidR7_7");
        assert_ne!(request_id(b"abc=="), request_id(b"abd=="));
    }

    #[test]
    fn derived_salts_differ_per_day_and_secret() {
        let salts = Salts::derived_from(b"secret");
        let visitor = |salts: &Salts, day| salts.key(day).unwrap().visitor_id("a.io", b"ip", b"ua");
        // The day's salt is HMAC-SHA256(secret, "2025-06-14").
        assert_eq!(visitor(&salts, DAY), "-Zt-1LDY7EOSHSJs");
        assert_ne!(visitor(&salts, DAY), visitor(&salts, NEXT_DAY));
        assert_ne!(
            visitor(&salts, DAY),
            visitor(&Salts::derived_from(b"other"), DAY)
        );
    }

    #[test]
    fn fetched_salts_know_only_their_days() {
        let salts = Salts::for_days([(DAY, b"today".to_vec())]);
        assert!(salts.key(DAY).is_some());
        assert!(salts.key(NEXT_DAY).is_none());
        assert_eq!(
            format!("{:?}", salts.key(DAY).unwrap()),
            "DailyKey(<secret>)"
        );
    }
}
