//! A log line parsed once into an immutable [`Hit`]: its fields, the decoded tracker query,
//! which pixel and event type it is, and the validated domain. Everything after parsing is
//! a function of the hit.

use std::borrow::Cow;

use super::decode::{header_value, tracker_value};
use super::domain;
use super::fields::Field;
use super::logline::LogLine;
use super::query::TrackerQuery;
use super::url::UrlParts;
use crate::config::Config;
use crate::outcome::{DropReason, EventType, FailReason, Failure, Rejection};
use crate::time::Timestamp;

/// Path of the JavaScript tracker's pixel.
pub const PIXEL_PATH: &str = "/hello.gif";
/// Path of the `<noscript>` pixel.
pub const NOSCRIPT_PIXEL_PATH: &str = "/noscript.gif";

/// Which pixel a request was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pixel {
    /// `/hello.gif`: the JS tracker ran and sent its query.
    Script,
    /// `/noscript.gif`: an `<img>` without JS; the page is the referer header.
    NoScript,
}

/// One recognised pixel hit for an allowed domain. Immutable: enrichments only read it.
#[derive(Debug)]
pub struct Hit<'a> {
    /// The line without its line end.
    pub line: &'a [u8],
    /// The line split by the configured field list.
    pub log: LogLine<'a>,
    /// When CloudFront served the request (server clock).
    pub arrival: Timestamp,
    /// Which pixel was requested.
    pub pixel: Pixel,
    /// Page view or custom event.
    pub event_type: EventType,
    /// The tracker's query keys, still raw.
    pub tracker: TrackerQuery<'a>,
    /// The page URL, decoded: the tracker's `u`, or for the noscript pixel the referer header.
    pub page_url: Option<Cow<'a, str>>,
    /// The validated, allowed, lower-cased host name: the `domain_name` partition.
    pub domain_name: Cow<'a, str>,
    /// A custom event's decoded, non-blank name (`None` for page views).
    pub event_name: Option<Cow<'a, str>>,
}

impl<'a> Hit<'a> {
    /// Parses `line` (a trailing newline is ignored) under `config`: a hit, or why not.
    pub fn parse(line: &'a [u8], config: &'a Config) -> Result<Hit<'a>, Rejection> {
        let line = trim_line_end(line);
        if line.is_empty() {
            return Err(Failure::new(FailReason::EmptyLine, "the record holds no log line").into());
        }
        let log = LogLine::split(line, &config.fields)
            .map_err(|err| Failure::new(FailReason::FieldCountMismatch, err.to_string()))?;
        let arrival = log
            .get(Field::Timestamp)
            .and_then(Timestamp::parse_epoch_seconds)
            .ok_or_else(|| {
                Failure::new(
                    FailReason::InvalidTimestamp,
                    "timestamp: not epoch seconds (up to 3 decimals) between 2000 and 2099",
                )
            })?;
        let (pixel, stem_query) = pixel_of(log.get(Field::UriStem))?;
        if was_refused(log.get(Field::Status)) {
            return Err(DropReason::RequestRefused.into());
        }
        let query = log.get(Field::UriQuery).or(stem_query).unwrap_or_default();
        let tracker = TrackerQuery::parse(query);
        let event_type = match pixel {
            Pixel::NoScript => EventType::Pageview,
            Pixel::Script => event_type_of(tracker.t)?,
        };
        let event_name = match event_type {
            EventType::Pageview => None,
            EventType::Event => Some(event_name_of(&tracker)?),
        };
        let header_referer = log.get(Field::Referer).map(header_value);
        let page_url = match pixel {
            Pixel::Script => tracker.u.map(tracker_value),
            Pixel::NoScript => tracker
                .u
                .map(tracker_value)
                .or_else(|| header_referer.clone()),
        };
        let page_host = page_url
            .as_deref()
            .and_then(UrlParts::parse)
            .map(|p| p.host);
        let referer_host = header_referer
            .as_deref()
            .and_then(UrlParts::parse)
            .map(|p| p.host);
        let domain_name = domain_of(config, &tracker, page_host.or(referer_host))?;
        Ok(Hit {
            line,
            log,
            arrival,
            pixel,
            event_type,
            tracker,
            page_url,
            domain_name,
            event_name,
        })
    }

    /// The page URL split into its parts, when it is an absolute URL.
    pub fn page(&self) -> Option<UrlParts<'_>> {
        self.page_url.as_deref().and_then(UrlParts::parse)
    }

    /// The raw value of a log field (`None` when absent or `-`).
    pub fn field(&self, field: Field) -> Option<&'a [u8]> {
        self.log.get(field)
    }
}

/// The line without its trailing `\n` or `\r\n`.
pub fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Which pixel `cs-uri-stem` asks for, and the query if the stem carries one.
fn pixel_of(stem: Option<&[u8]>) -> Result<(Pixel, Option<&[u8]>), DropReason> {
    let stem = stem.unwrap_or_default();
    let (path, query) = match memchr::memchr(b'?', stem) {
        Some(at) => (&stem[..at], Some(&stem[at + 1..])),
        None => (stem, None),
    };
    let pixel = match path {
        p if p == PIXEL_PATH.as_bytes() => Pixel::Script,
        p if p == NOSCRIPT_PIXEL_PATH.as_bytes() => Pixel::NoScript,
        _ => return Err(DropReason::NotPixelPath),
    };
    Ok((pixel, query.filter(|q| !q.is_empty())))
}

/// Whether CloudFront refused the request (`sc-status` 4xx): a WAF block (403, or a rate
/// rule's custom code), a geo restriction or a bad request. The viewer never got the pixel,
/// so it is no visit, and a flood that WAF blocks must not reach the table.
fn was_refused(status: Option<&[u8]>) -> bool {
    matches!(status, Some([b'4', d1, d2]) if d1.is_ascii_digit() && d2.is_ascii_digit())
}

fn event_type_of(t: Option<&[u8]>) -> Result<EventType, DropReason> {
    match t {
        Some(b"pv") => Ok(EventType::Pageview),
        Some(b"tr" | b"ev") => Ok(EventType::Event),
        Some(_) => Err(DropReason::UnknownEventType),
        None => Err(DropReason::MissingEventType),
    }
}

fn event_name_of<'a>(tracker: &TrackerQuery<'a>) -> Result<Cow<'a, str>, DropReason> {
    tracker
        .en
        .map(tracker_value)
        .filter(|name| !name.trim().is_empty())
        .ok_or(DropReason::EventWithoutName)
}

/// The site's host name from `hn`, else the page URL's (or referer's) host; validated and
/// checked against the allow-list.
fn domain_of<'a>(
    config: &Config,
    tracker: &TrackerQuery<'a>,
    url_host: Option<&str>,
) -> Result<Cow<'a, str>, DropReason> {
    let normalized = match tracker.hn.map(tracker_value) {
        Some(Cow::Borrowed(hn)) => domain::normalize_hostname(hn),
        Some(Cow::Owned(hn)) => owned(domain::normalize_hostname(&hn)),
        None => owned(domain::normalize_hostname(
            url_host.ok_or(DropReason::MissingDomain)?,
        )),
    }
    .ok_or(DropReason::InvalidDomain)?;
    if !config.domains.allows(&normalized) {
        return Err(DropReason::DomainNotAllowed);
    }
    Ok(normalized)
}

/// A host name that outlives what it was read from.
fn owned<'b>(name: Option<Cow<'_, str>>) -> Option<Cow<'b, str>> {
    name.map(|name| Cow::Owned(name.into_owned()))
}
