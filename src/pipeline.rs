//! One log line in, one outcome out: parse → decode the tracker query → enrich → record.

use std::borrow::Cow;
use std::fmt;

use crate::config::Config;
use crate::decode::{header_value, tracker_value, truncate};
use crate::enrich::bot::HitEvidence;
use crate::enrich::client::{ClientFacts, Clients};
use crate::enrich::geo::{self, EdgeLocations};
use crate::enrich::ids::{self, Salts};
use crate::enrich::user_agent::Part;
use crate::enrich::{device, domain, edge, referrer, request, timing, utm::Utm};
use crate::fields::Field;
use crate::json;
use crate::logline::LogLine;
use crate::query::TrackerQuery;
use crate::record::Record;
use crate::scrub;
use crate::time::{Date, Timestamp};
use crate::url::UrlParts;

/// Path of the JavaScript tracker's pixel.
pub const PIXEL_PATH: &str = "/hello.gif";
/// Path of the `<noscript>` pixel.
pub const NOSCRIPT_PIXEL_PATH: &str = "/noscript.gif";

/// Longest page URL or path kept.
pub const MAX_URL_BYTES: usize = 2048;
/// Longest event name kept.
pub const MAX_EVENT_NAME_BYTES: usize = 128;
/// Longest event properties kept; longer ones are dropped whole (a cut JSON is useless).
pub const MAX_EVENT_DATA_BYTES: usize = 4096;

/// What a hit is: the `event_type` partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventType {
    /// A page view (`t=pv`, or the noscript pixel).
    Pageview,
    /// A custom event (`t=tr` or `t=ev`).
    Event,
}

impl EventType {
    /// The partition value.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Pageview => "pageview",
            EventType::Event => "event",
        }
    }
}

/// The dynamic partition keys of a kept record; every value is validated, never raw input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionKeys<'a> {
    /// An allowed, normalized host name.
    pub domain_name: Cow<'a, str>,
    /// `pageview` or `event`.
    pub event_type: EventType,
    /// The server-side (UTC) arrival date.
    pub event_date: Date,
}

impl PartitionKeys<'_> {
    /// Appends `{"domain_name":…,"event_type":…,"event_date":…}`.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"domain_name\":");
        json::write_str(out, &self.domain_name);
        out.extend_from_slice(b",\"event_type\":\"");
        out.extend_from_slice(self.event_type.as_str().as_bytes());
        out.extend_from_slice(b"\",\"event_date\":\"");
        out.extend_from_slice(self.event_date.to_string().as_bytes());
        out.extend_from_slice(b"\"}");
    }
}

/// A kept hit: its record and where it goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Row<'a> {
    /// Partition keys.
    pub keys: PartitionKeys<'a>,
    /// The enriched record.
    pub record: Record<'a>,
    /// Enrichment gaps worth counting (the record is kept either way).
    pub notes: Vec<Note>,
}

/// An enrichment that could not be made for a kept record; counted per batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Note {
    /// The edge location's prefix is not in the edge-location table.
    UnknownEdgeLocation,
    /// No salt for the hit's day (a late replay after the salt was deleted): ids are null.
    NoSaltForDate,
}

impl Note {
    /// The note as it appears in counts.
    pub fn as_str(self) -> &'static str {
        match self {
            Note::UnknownEdgeLocation => "unknown_edge_location",
            Note::NoSaltForDate => "no_salt_for_date",
        }
    }
}

/// Why a line was deliberately filtered out (`Dropped`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DropReason {
    /// The request is not for a pixel (favicon, the tracker script, probes…).
    NotPixelPath,
    /// A `/hello.gif` hit without `t`.
    MissingEventType,
    /// A `t` other than `pv`, `tr` or `ev`.
    UnknownEventType,
    /// A custom event without a name.
    EventWithoutName,
    /// No host name in `hn`, the page URL or the referer header.
    MissingDomain,
    /// A host name that is not a valid DNS name.
    InvalidDomain,
    /// A valid host name that is not in the allow-list.
    DomainNotAllowed,
}

impl DropReason {
    /// The reason as it appears in outputs and counts.
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::NotPixelPath => "not_pixel_path",
            DropReason::MissingEventType => "missing_event_type",
            DropReason::UnknownEventType => "unknown_event_type",
            DropReason::EventWithoutName => "event_without_name",
            DropReason::MissingDomain => "missing_domain",
            DropReason::InvalidDomain => "invalid_domain",
            DropReason::DomainNotAllowed => "domain_not_allowed",
        }
    }
}

/// Why a record could not be processed (`ProcessingFailed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FailReason {
    /// The record holds no line at all.
    EmptyLine,
    /// The column count differs from the configured field list.
    FieldCountMismatch,
    /// `timestamp` is missing or not epoch seconds in 2000–2099.
    InvalidTimestamp,
    /// The Firehose record's `data` is not base64.
    InvalidBase64,
    /// The response would have exceeded Lambda's 6 MB limit (see `firehose`).
    ResponseSizeLimit,
}

impl FailReason {
    /// The reason as it appears in outputs and counts.
    pub fn as_str(self) -> &'static str {
        match self {
            FailReason::EmptyLine => "empty_line",
            FailReason::FieldCountMismatch => "field_count_mismatch",
            FailReason::InvalidTimestamp => "invalid_timestamp",
            FailReason::InvalidBase64 => "invalid_base64",
            FailReason::ResponseSizeLimit => "response_size_limit",
        }
    }
}

/// A processing failure: a reason to count and a detail for the error output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What went wrong, as a countable category.
    pub reason: FailReason,
    /// Which field and why, in words. Never echoes a client address.
    pub detail: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.reason.as_str(), self.detail)
    }
}

/// The result for one log line.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome<'a> {
    /// Kept: a record and its partition.
    Ok(Box<Row<'a>>),
    /// Deliberately filtered out.
    Dropped(DropReason),
    /// Could not be processed.
    Failed(Failure),
}

/// Which pixel a request was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pixel {
    Script,
    NoScript,
}

/// The pure core: a configuration and the enrichment data, applied line by line.
pub struct Pipeline {
    config: Config,
    clients: Clients,
    edges: EdgeLocations,
}

impl Pipeline {
    /// Prepares the pipeline for `config`: loads the embedded lists (a few ms); user-agent
    /// regexes compile on first need.
    pub fn new(config: Config) -> Pipeline {
        Pipeline {
            config,
            clients: Clients::new(),
            edges: EdgeLocations::embedded(),
        }
    }

    /// Compiles every regex of one part of the user-agent parser now (steady-state
    /// benchmarks; the shells let regexes compile on demand, which keeps cold starts short).
    pub fn warm_up(&self, part: Part) {
        self.clients.warm_up(part);
    }

    /// The configuration in use.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Turns one log line (a trailing newline is ignored) into its outcome; ids are keyed with
    /// `salts`.
    pub fn process_line<'a>(&'a self, line: &'a [u8], salts: &Salts) -> Outcome<'a> {
        match self.row(line, salts) {
            Ok(row) => Outcome::Ok(Box::new(row)),
            Err(Rejection::Dropped(reason)) => Outcome::Dropped(reason),
            Err(Rejection::Failed(failure)) => Outcome::Failed(failure),
        }
    }

    fn row<'a>(&'a self, line: &'a [u8], salts: &Salts) -> Result<Row<'a>, Rejection> {
        let line = trim_line_end(line);
        if line.is_empty() {
            return Err(failed(
                FailReason::EmptyLine,
                "the record holds no log line".into(),
            ));
        }
        let log = LogLine::split(line, &self.config.fields)
            .map_err(|err| failed(FailReason::FieldCountMismatch, err.to_string()))?;
        let arrival = log
            .get(Field::Timestamp)
            .and_then(Timestamp::parse_epoch_seconds)
            .ok_or_else(|| {
                failed(
                    FailReason::InvalidTimestamp,
                    "timestamp: not epoch seconds (up to 3 decimals) between 2000 and 2099".into(),
                )
            })?;
        let (pixel, stem_query) = pixel_of(log.get(Field::UriStem))?;
        let query = log.get(Field::UriQuery).or(stem_query).unwrap_or_default();
        let tracker = TrackerQuery::parse(query);
        let event_type = match pixel {
            Pixel::NoScript => EventType::Pageview,
            Pixel::Script => event_type_of(tracker.t)?,
        };
        let header_referer = log.get(Field::Referer).map(header_value);
        let page_url = match pixel {
            Pixel::Script => tracker.u.map(tracker_value),
            Pixel::NoScript => tracker.u.map(tracker_value).or(header_referer.clone()),
        };
        let page = page_url.as_deref().and_then(UrlParts::parse);
        let domain_name = self.domain_of(&tracker, page, header_referer.as_deref())?;

        let mut record = Record::default();
        let mut notes = Vec::new();
        if event_type == EventType::Event {
            fill_event(&mut record, &tracker)?;
        }
        fill_time(&mut record, arrival, tracker.ts);
        fill_page(&mut record, &tracker, page);
        fill_referrer(&mut record, pixel, &tracker, &domain_name);
        fill_device(&mut record, &tracker);
        fill_request(&mut record, &log);
        self.fill_geography(&mut record, &log, &mut notes);
        self.fill_client(&mut record, &log, &tracker, pixel, event_type);
        let visitor = Visitor {
            domain: &domain_name,
            client_ip: log.get(Field::ClientIp),
            user_agent: log.get(Field::UserAgent).or(tracker.ua),
        };
        fill_ids(
            &mut record,
            &log,
            line,
            &visitor,
            arrival,
            salts,
            &mut notes,
        );
        let utm = Utm::extract(page.and_then(|p| p.query), &tracker);
        record.utm_source = utm.source.map(Cow::Owned);
        record.utm_medium = utm.medium.map(Cow::Owned);
        record.utm_campaign = utm.campaign.map(Cow::Owned);
        record.utm_content = utm.content.map(Cow::Owned);
        record.utm_term = utm.term.map(Cow::Owned);
        keep_address_out(&mut record, visitor.client_ip);

        Ok(Row {
            keys: PartitionKeys {
                domain_name,
                event_type,
                event_date: arrival.date(),
            },
            record,
            notes,
        })
    }

    /// Edge location from the `x-edge-location` prefix; viewer country from `c-country`.
    fn fill_geography(&self, record: &mut Record<'_>, log: &LogLine<'_>, notes: &mut Vec<Note>) {
        if let Some(id) = record.edge_id.as_deref() {
            match self.edges.lookup(id) {
                Some(edge) => {
                    record.edge_city = Some(Cow::Borrowed(edge.city));
                    record.edge_state = edge.state.map(Cow::Borrowed);
                    record.edge_country = Some(Cow::Borrowed(edge.country));
                    record.edge_country_code = Some(Cow::Borrowed(edge.country_code));
                    record.edge_latitude = Some(edge.latitude);
                    record.edge_longitude = Some(edge.longitude);
                }
                None => notes.push(Note::UnknownEdgeLocation),
            }
        }
        let viewer = log
            .get(Field::Country)
            .and_then(|raw| std::str::from_utf8(raw).ok())
            .and_then(geo::country);
        if let Some((code, name)) = viewer {
            record.viewer_country_code = Some(Cow::Borrowed(code));
            record.viewer_country = Some(Cow::Borrowed(name));
        }
    }

    /// Browser, OS and device from the user agent (the header, else the tracker's copy), and
    /// the bot verdict with its reasons.
    fn fill_client(
        &self,
        record: &mut Record<'_>,
        log: &LogLine<'_>,
        tracker: &TrackerQuery<'_>,
        pixel: Pixel,
        event_type: EventType,
    ) {
        let tracker_ua = tracker.ua.map(tracker_value);
        let client: Option<std::sync::Arc<ClientFacts>> = match log.get(Field::UserAgent) {
            Some(raw) => Some(self.clients.from_header(raw)),
            None => tracker_ua
                .as_deref()
                .map(|ua| self.clients.from_decoded(ua)),
        };
        let header_ua = log
            .get(Field::UserAgent)
            .and(client.as_ref())
            .map(|c| &*c.decoded);
        let evidence = HitEvidence {
            user_agent: header_ua,
            tracker_user_agent: tracker_ua.as_deref(),
            asn: record.request_asn,
            // Only the tracker's page views carry screen, language and time zone; its events
            // and the noscript pixel never do, so only page views can lack them suspiciously.
            script_pixel: pixel == Pixel::Script && event_type == EventType::Pageview,
            claims_browser: client
                .as_ref()
                .is_some_and(|c| c.user_agent.claims_browser()),
            has_screen: record.device_outer_resolution.is_some(),
            has_language: record.browser_language.is_some(),
            has_timezone: record.browser_timezone.is_some(),
        };
        let mut reasons = self.clients.bots().hit_reasons(&evidence);
        if let Some(client) = &client {
            let ua = &client.user_agent;
            record.browser_name = shared(&ua.browser_name);
            record.browser_version = shared(&ua.browser_version);
            record.browser_os_name = shared(&ua.os_name);
            record.browser_os_version = shared(&ua.os_version);
            record.device_vendor = shared(&ua.device_vendor);
            record.device_type = Some(Cow::Borrowed(ua.device_type.as_str()));
            reasons = reasons.union(client.reasons);
        }
        record.request_is_bot = Some(i32::from(reasons.is_bot()));
        record.bot_reasons = reasons;
    }
    /// The site's host name from `hn`, else the page URL, else the referer header; validated
    /// and checked against the allow-list.
    fn domain_of<'a>(
        &self,
        tracker: &TrackerQuery<'a>,
        page: Option<UrlParts<'_>>,
        header_referer: Option<&str>,
    ) -> Result<Cow<'a, str>, Rejection> {
        let candidate: Cow<'a, str> = match tracker.hn.map(tracker_value) {
            Some(hn) => hn,
            None => page
                .map(|p| p.host)
                .or_else(|| header_referer.and_then(UrlParts::parse).map(|p| p.host))
                .map(|host| Cow::Owned(host.to_owned()))
                .ok_or(Rejection::Dropped(DropReason::MissingDomain))?,
        };
        let normalized = match candidate {
            Cow::Borrowed(raw) => domain::normalize_hostname(raw),
            Cow::Owned(raw) => domain::normalize_hostname(&raw).map(|n| Cow::Owned(n.into_owned())),
        }
        .ok_or(Rejection::Dropped(DropReason::InvalidDomain))?;
        if !self.config.domains.allows(&normalized) {
            return Err(Rejection::Dropped(DropReason::DomainNotAllowed));
        }
        Ok(normalized)
    }
}

/// What identifies a visitor on a site for a day (raw bytes as logged).
struct Visitor<'v> {
    domain: &'v str,
    client_ip: Option<&'v [u8]>,
    user_agent: Option<&'v [u8]>,
}

/// First minutes of a UTC day in which hits also get yesterday's visitor id.
const MIDNIGHT_OVERLAP_MS: i64 = 30 * 60 * 1000;

/// Keyed ids: `daily_visitor_id` and `daily_page_view_id` with the day's salt,
/// `previous_daily_visitor_id` just after midnight, and a replay-stable `page_view_id`.
fn fill_ids(
    record: &mut Record<'_>,
    log: &LogLine<'_>,
    line: &[u8],
    visitor: &Visitor<'_>,
    arrival: Timestamp,
    salts: &Salts,
    notes: &mut Vec<Note>,
) {
    let key = salts.key(arrival.date());
    record.page_view_id = match (log.get(Field::EdgeRequestId), &key) {
        (Some(request_id), _) => Some(Cow::Owned(ids::request_id(request_id))),
        (None, Some(key)) => Some(Cow::Owned(key.line_id(trim_line_end(line)))),
        (None, None) => None,
    };
    let Some(key) = key else {
        notes.push(Note::NoSaltForDate);
        return;
    };
    let Some(client_ip) = visitor.client_ip else {
        return;
    };
    let user_agent = visitor.user_agent.unwrap_or_default();
    let visitor_id = key.visitor_id(visitor.domain, client_ip, user_agent);
    let path = record.request_path.as_deref().unwrap_or_default();
    record.daily_page_view_id = Some(Cow::Owned(key.daily_page_view_id(&visitor_id, path)));
    record.daily_visitor_id = Some(Cow::Owned(visitor_id));
    if arrival.ms_of_day() < MIDNIGHT_OVERLAP_MS {
        let yesterday = Timestamp(arrival.0 - MIDNIGHT_OVERLAP_MS - 1).date();
        record.previous_daily_visitor_id = salts
            .key(yesterday)
            .map(|key| Cow::Owned(key.visitor_id(visitor.domain, client_ip, user_agent)));
    }
}

/// Replaces the client's own address wherever the client wrote it into a value (a path, a
/// referrer, an event) by its /24 or /48 network: the address never leaves the pipeline.
fn keep_address_out(record: &mut Record<'_>, client_ip: Option<&[u8]>) {
    let Some(logged) = client_ip.and_then(|ip| std::str::from_utf8(ip).ok()) else {
        return;
    };
    let Ok(address) = logged.parse::<std::net::IpAddr>() else {
        return;
    };
    let network = scrub::network_of(address);
    record.replace_text(logged, &network);
    let canonical = address.to_string();
    if canonical != logged {
        record.replace_text(&canonical, &network);
    }
}

/// A cached, shared text as a record value.
fn shared(value: &Option<std::sync::Arc<str>>) -> Option<Cow<'static, str>> {
    value.as_deref().map(|text| Cow::Owned(text.to_owned()))
}

/// A line that yields no row.
enum Rejection {
    Dropped(DropReason),
    Failed(Failure),
}

fn failed(reason: FailReason, detail: String) -> Rejection {
    Rejection::Failed(Failure { reason, detail })
}

/// The line without its trailing `\n` or `\r\n`.
pub fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Which pixel `cs-uri-stem` asks for, and the query if the stem carries one.
fn pixel_of(stem: Option<&[u8]>) -> Result<(Pixel, Option<&[u8]>), Rejection> {
    let stem = stem.unwrap_or_default();
    let (path, query) = match memchr::memchr(b'?', stem) {
        Some(at) => (&stem[..at], Some(&stem[at + 1..])),
        None => (stem, None),
    };
    let pixel = match path {
        p if p == PIXEL_PATH.as_bytes() => Pixel::Script,
        p if p == NOSCRIPT_PIXEL_PATH.as_bytes() => Pixel::NoScript,
        _ => return Err(Rejection::Dropped(DropReason::NotPixelPath)),
    };
    Ok((pixel, query.filter(|q| !q.is_empty())))
}

fn event_type_of(t: Option<&[u8]>) -> Result<EventType, Rejection> {
    match t {
        Some(b"pv") => Ok(EventType::Pageview),
        Some(b"tr" | b"ev") => Ok(EventType::Event),
        Some(_) => Err(Rejection::Dropped(DropReason::UnknownEventType)),
        None => Err(Rejection::Dropped(DropReason::MissingEventType)),
    }
}

fn fill_event<'a>(record: &mut Record<'a>, tracker: &TrackerQuery<'a>) -> Result<(), Rejection> {
    let name = tracker
        .en
        .map(tracker_value)
        .filter(|name| !name.trim().is_empty())
        .ok_or(Rejection::Dropped(DropReason::EventWithoutName))?;
    record.event_name = Some(truncate(name, MAX_EVENT_NAME_BYTES));
    record.event_data = tracker
        .pr
        .map(tracker_value)
        .filter(|data| data.len() <= MAX_EVENT_DATA_BYTES);
    Ok(())
}

fn fill_time(record: &mut Record<'_>, arrival: Timestamp, client_ts: Option<&[u8]>) {
    let date = arrival.date();
    let time = timing::event_time(arrival, client_ts);
    record.event_year = Some(date.year);
    record.event_month = Some(i32::from(date.month));
    record.event_day = Some(i32::from(date.day));
    record.event_timestamp = Some(time.event);
    record.arrival_timestamp = Some(arrival);
    record.arrival_delay_ms = Some(time.delay_ms);
}

fn fill_page<'a>(record: &mut Record<'a>, tracker: &TrackerQuery<'a>, page: Option<UrlParts<'_>>) {
    record.request_url = page.map(|p| truncate(Cow::Owned(p.without_query()), MAX_URL_BYTES));
    let path = match tracker.pa.map(tracker_value) {
        Some(pa) => Some(pa),
        None => page.map(|p| Cow::Owned(if p.path.is_empty() { "/" } else { p.path }.to_owned())),
    };
    record.request_path = path.map(|path| truncate(strip_query(path), MAX_URL_BYTES));
}

/// A path without `?query` or `#fragment`.
fn strip_query(path: Cow<'_, str>) -> Cow<'_, str> {
    match path.find(['?', '#']) {
        None => path,
        Some(end) => match path {
            Cow::Borrowed(p) => Cow::Borrowed(&p[..end]),
            Cow::Owned(mut p) => {
                p.truncate(end);
                Cow::Owned(p)
            }
        },
    }
}

fn fill_referrer(record: &mut Record<'_>, pixel: Pixel, tracker: &TrackerQuery<'_>, site: &str) {
    // The noscript pixel's referer header is the page itself, so it has no referrer.
    if pixel == Pixel::NoScript {
        return;
    }
    let external = tracker
        .r
        .map(tracker_value)
        .and_then(|r| referrer::external_referrer(&r, site));
    if let Some(found) = external {
        record.referrer = Some(Cow::Owned(found.url));
        record.referrer_domain_name = Some(Cow::Owned(found.domain_name));
    }
}

fn fill_device<'a>(record: &mut Record<'a>, tracker: &TrackerQuery<'a>) {
    record.device_outer_resolution = device::resolution(tracker.w, tracker.h).map(Cow::Owned);
    record.device_inner_resolution = device::resolution(tracker.iw, tracker.ih).map(Cow::Owned);
    record.device_color_depth = device::small_count(tracker.d, 64);
    record.device_cores = device::small_count(tracker.c, 1024);
    record.device_memory = device::memory_gb(tracker.m);
    record.device_platform = device::label(tracker.p);
    record.browser_language = device::label(tracker.l);
    record.browser_timezone = device::label(tracker.tz);
}

fn fill_request<'a>(record: &mut Record<'a>, log: &LogLine<'a>) {
    record.edge_id = log.get(Field::EdgeLocation).and_then(edge::edge_id);
    record.request_status_code = log.get(Field::Status).and_then(request::status_code);
    record.request_bytes = log.get(Field::RequestBytes).and_then(request::integer);
    record.request_delivery_time_ms = log
        .get(Field::TimeTaken)
        .and_then(request::delivery_time_ms);
    record.request_cache_status = log
        .get(Field::EdgeResultType)
        .and_then(request::cache_status)
        .map(Cow::Borrowed);
    record.request_asn = log.get(Field::Asn).and_then(request::asn);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sample line of the conventions (ownstats fields).
    const SAMPLE: &str = "1682084241.469\t2003:e1:bf1f:7c00:8eb:18f8:a1fb:9dad\t304\t/hello.gif\t789\tHAM50-P2\t0.001\tMozilla/5.0%20(Macintosh;%20Intel%20Mac%20OS%20X%2010_15_7)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/112.0.0.0%20Safari/537.36\t-\tt=pv&ts=1682083804768&u=https%253A%252F%252Fmydomain.tld%252F&hn=mydomain.tld&pa=%252F&iw=1292&ih=926&ti=My%2520Domain&w=3440&h=1440&d=24&l=de-DE&p=MacIntel&m=8&c=8&tz=Europe%252FBerlin\tHit\t3320";

    fn pipeline(domains: &str) -> Pipeline {
        Pipeline::new(Config::from_settings("ownstats", domains).unwrap())
    }

    /// The sample line with one tab-separated column replaced.
    fn sample_with(column: usize, value: &str) -> String {
        let mut columns: Vec<&str> = SAMPLE.split('\t').collect();
        columns[column] = value;
        columns.join("\t")
    }

    fn salts() -> Salts {
        Salts::derived_from(b"test salt")
    }

    fn ok<'a>(pipeline: &'a Pipeline, line: &'a str) -> Row<'a> {
        match pipeline.process_line(line.as_bytes(), &salts()) {
            Outcome::Ok(row) => *row,
            other => panic!("expected Ok, got {other:?}"),
        }
    }

    fn dropped(pipeline: &Pipeline, line: &str) -> DropReason {
        match pipeline.process_line(line.as_bytes(), &salts()) {
            Outcome::Dropped(reason) => reason,
            other => panic!("expected Dropped, got {other:?}"),
        }
    }

    fn failed_reason(pipeline: &Pipeline, line: &[u8]) -> FailReason {
        match pipeline.process_line(line, &salts()) {
            Outcome::Failed(failure) => failure.reason,
            other => panic!("expected ProcessingFailed, got {other:?}"),
        }
    }

    #[test]
    fn sample_line_gives_the_documented_highlights() {
        let p = pipeline("mydomain.tld");
        let row = ok(&p, SAMPLE);
        assert_eq!(row.keys.domain_name, "mydomain.tld");
        assert_eq!(row.keys.event_type, EventType::Pageview);
        assert_eq!(row.keys.event_date.to_string(), "2023-04-21");
        let r = &row.record;
        assert_eq!(r.request_path.as_deref(), Some("/"));
        assert_eq!(r.request_url.as_deref(), Some("https://mydomain.tld/"));
        assert_eq!(r.edge_id.as_deref(), Some("HAM"));
        assert_eq!(r.request_asn, Some(3320));
        assert_eq!(r.request_status_code, Some(304));
        assert_eq!(r.request_bytes, Some(789));
        assert_eq!(r.request_delivery_time_ms, Some(1));
        assert_eq!(r.request_cache_status.as_deref(), Some("Hit"));
        assert_eq!(
            (r.event_year, r.event_month, r.event_day),
            (Some(2023), Some(4), Some(21))
        );
        assert_eq!(r.arrival_timestamp, Some(Timestamp(1_682_084_241_469)));
        assert_eq!(r.event_timestamp, Some(Timestamp(1_682_083_804_768)));
        assert_eq!(r.arrival_delay_ms, Some(436_701));
        assert_eq!(r.device_outer_resolution.as_deref(), Some("3440x1440"));
        assert_eq!(r.device_inner_resolution.as_deref(), Some("1292x926"));
        assert_eq!(r.device_color_depth, Some(24));
        assert_eq!(r.device_memory, Some(8.0));
        assert_eq!(r.device_cores, Some(8));
        assert_eq!(r.device_platform.as_deref(), Some("MacIntel"));
        assert_eq!(r.browser_language.as_deref(), Some("de-DE"));
        assert_eq!(r.browser_timezone.as_deref(), Some("Europe/Berlin"));
        assert_eq!(r.referrer, None);
        assert_eq!(r.utm_source, None);
    }

    #[test]
    fn events_carry_name_and_data() {
        let p = pipeline("*");
        let line = sample_with(
            9,
            "t=tr&hn=mydomain.tld&pa=%252Fpricing&en=signup%2520click&pr=%257B%2522plan%2522%253A%2522pro%2522%257D",
        );
        let row = ok(&p, &line);
        assert_eq!(row.keys.event_type, EventType::Event);
        assert_eq!(row.record.event_name.as_deref(), Some("signup click"));
        assert_eq!(row.record.event_data.as_deref(), Some("{\"plan\":\"pro\"}"));
        assert_eq!(row.record.request_path.as_deref(), Some("/pricing"));
        let line = sample_with(9, "t=ev&hn=mydomain.tld&en=x");
        assert_eq!(ok(&p, &line).keys.event_type, EventType::Event);
    }

    #[test]
    fn referrer_and_utm_come_out_decoded() {
        let p = pipeline("*");
        let line = sample_with(
            9,
            "t=pv&hn=mydomain.tld&u=https%253A%252F%252Fmydomain.tld%252Fabout%253Futm_source%253Dnewsletter%2526utm_campaign%253Dspring%25252520sale%2526utm_term%253Dself%252Bhosted&r=https%253A%252F%252Fnews.ycombinator.com%252Fitem%253Fid%253D1",
        );
        let row = ok(&p, &line);
        let r = &row.record;
        assert_eq!(r.request_url.as_deref(), Some("https://mydomain.tld/about"));
        assert_eq!(r.request_path.as_deref(), Some("/about"));
        assert_eq!(
            r.referrer.as_deref(),
            Some("https://news.ycombinator.com/item")
        );
        assert_eq!(
            r.referrer_domain_name.as_deref(),
            Some("news.ycombinator.com")
        );
        assert_eq!(r.utm_source.as_deref(), Some("newsletter"));
        assert_eq!(r.utm_campaign.as_deref(), Some("spring sale"));
        assert_eq!(r.utm_term.as_deref(), Some("self hosted"));
    }

    #[test]
    fn self_referrals_leave_referrer_null() {
        let p = pipeline("*");
        let line = sample_with(
            9,
            "t=pv&hn=mydomain.tld&r=https%253A%252F%252Fwww.mydomain.tld%252Fblog",
        );
        let row = ok(&p, &line);
        assert_eq!(row.record.referrer, None);
        assert_eq!(row.record.referrer_domain_name, None);
    }

    #[test]
    fn noscript_pixel_builds_a_page_view_from_the_referer_header() {
        let mut columns: Vec<&str> = SAMPLE.split('\t').collect();
        columns[3] = "/noscript.gif";
        columns[8] = "https://Shop.Example.com/products/42?utm_source=mail";
        columns[9] = "-";
        let line = columns.join("\t");
        let p = pipeline("shop.example.com");
        let row = ok(&p, &line);
        assert_eq!(row.keys.domain_name, "shop.example.com");
        assert_eq!(row.keys.event_type, EventType::Pageview);
        assert_eq!(row.record.request_path.as_deref(), Some("/products/42"));
        assert_eq!(
            row.record.request_url.as_deref(),
            Some("https://Shop.Example.com/products/42")
        );
        assert_eq!(row.record.utm_source.as_deref(), Some("mail"));
        assert_eq!(row.record.referrer, None);
    }

    #[test]
    fn query_may_ride_on_the_uri_stem() {
        let mut columns: Vec<&str> = SAMPLE.split('\t').collect();
        columns[3] = "/hello.gif?t=pv&hn=blog.example.org&pa=%252Fpost";
        columns[9] = "-";
        let line = columns.join("\t");
        let p = pipeline("*");
        let row = ok(&p, &line);
        assert_eq!(row.keys.domain_name, "blog.example.org");
        assert_eq!(row.record.request_path.as_deref(), Some("/post"));
    }

    #[test]
    fn implausible_client_time_falls_back_to_server_time() {
        let p = pipeline("*");
        let line = sample_with(9, "t=pv&hn=mydomain.tld&ts=1000");
        let row = ok(&p, &line);
        assert_eq!(row.record.event_timestamp, row.record.arrival_timestamp);
        assert_eq!(row.record.arrival_delay_ms, Some(0));
    }

    #[test]
    fn partition_date_is_server_time_even_when_the_client_says_otherwise() {
        let p = pipeline("*");
        let line = sample_with(0, "1682035199.999");
        let row = ok(&p, &line);
        assert_eq!(row.keys.event_date.to_string(), "2023-04-20");
    }

    #[test]
    fn deliberate_filters_have_reasons() {
        let p = pipeline("mydomain.tld");
        assert_eq!(
            dropped(&p, &sample_with(3, "/favicon.ico")),
            DropReason::NotPixelPath
        );
        assert_eq!(
            dropped(&p, &sample_with(3, "/tracker.js")),
            DropReason::NotPixelPath
        );
        assert_eq!(dropped(&p, &sample_with(3, "-")), DropReason::NotPixelPath);
        assert_eq!(
            dropped(&p, &sample_with(9, "hn=mydomain.tld")),
            DropReason::MissingEventType
        );
        assert_eq!(
            dropped(&p, &sample_with(9, "t=xx&hn=mydomain.tld")),
            DropReason::UnknownEventType
        );
        assert_eq!(
            dropped(&p, &sample_with(9, "t=tr&hn=mydomain.tld")),
            DropReason::EventWithoutName
        );
        assert_eq!(
            dropped(&p, &sample_with(9, "t=pv")),
            DropReason::MissingDomain
        );
        assert_eq!(
            dropped(&p, &sample_with(9, "t=pv&hn=bad%2520host")),
            DropReason::InvalidDomain
        );
        assert_eq!(
            dropped(&p, &sample_with(9, "t=pv&hn=other.tld")),
            DropReason::DomainNotAllowed
        );
    }

    #[test]
    fn domain_falls_back_to_the_page_url_host() {
        let p = pipeline("*");
        let line = sample_with(9, "t=pv&u=https%253A%252F%252FMyDomain.tld%252Fx");
        let row = ok(&p, &line);
        assert_eq!(row.keys.domain_name, "mydomain.tld");
    }

    #[test]
    fn broken_lines_fail_with_reasons() {
        let p = pipeline("*");
        assert_eq!(failed_reason(&p, b""), FailReason::EmptyLine);
        assert_eq!(failed_reason(&p, b"\n"), FailReason::EmptyLine);
        assert_eq!(failed_reason(&p, b"a\tb"), FailReason::FieldCountMismatch);
        let bad_time = sample_with(0, "yesterday");
        assert_eq!(
            failed_reason(&p, bad_time.as_bytes()),
            FailReason::InvalidTimestamp
        );
        let no_time = sample_with(0, "-");
        assert_eq!(
            failed_reason(&p, no_time.as_bytes()),
            FailReason::InvalidTimestamp
        );
    }

    #[test]
    fn failure_details_never_echo_the_line() {
        let line = sample_with(0, "1.2.3.4");
        match pipeline("*").process_line(line.as_bytes(), &salts()) {
            Outcome::Failed(failure) => assert!(!failure.detail.contains("1.2.3.4")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn crlf_line_ends_are_ignored() {
        let p = pipeline("*");
        let line = format!("{SAMPLE}\r\n");
        let row = ok(&p, &line);
        assert_eq!(row.record.request_asn, Some(3320));
    }

    #[test]
    fn hostile_values_do_not_escape_their_columns() {
        let p = pipeline("*");
        let line = sample_with(
            9,
            "t=tr&hn=mydomain.tld&en=%2522%257D%252C%2522x%2522%253A1&pa=%252F%250A",
        );
        let row = ok(&p, &line);
        let mut json = Vec::new();
        row.record.write_json(&mut json);
        let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(value["event_name"], "\"},\"x\":1");
        assert_eq!(value["request_path"], "/\n");
        assert!(value.get("x").is_none());
    }
}
