//! One log line in, one outcome out: parse into a [`Hit`], derive every column group from it,
//! assemble the record with its partition keys.

use std::panic;
use std::thread::{self, ScopedJoinHandle};

use crate::config::Config;
use crate::emit::partition::PartitionKeys;
use crate::emit::record::Record;
use crate::emit::scrub::keep_address_out;
use crate::enrich::acquisition::AcquisitionColumns;
use crate::enrich::bot::BotDetector;
use crate::enrich::client::{ClientColumns, Clients};
use crate::enrich::device::DeviceColumns;
use crate::enrich::event::EventColumns;
use crate::enrich::geo::{EdgeLocations, GeoColumns};
use crate::enrich::ids::{IdColumns, Salts};
use crate::enrich::page::PageColumns;
use crate::enrich::referrer::ReferrerColumns;
use crate::enrich::request::RequestColumns;
use crate::enrich::timing::TimeColumns;
use crate::enrich::user_agent::{Part, UserAgentParser};
use crate::enrich::utm::UtmColumns;
use crate::enrich::{
    acquisition, client, device, event, geo, ids, page, referrer, request, timing, utm,
};
use crate::outcome::{Outcome, Rejection, Row};
use crate::parse::fields::Field;
use crate::parse::hit::Hit;

/// The pure core: a configuration and the enrichment data, applied line by line.
pub struct Pipeline {
    config: Config,
    clients: Clients,
    edges: EdgeLocations,
}

impl Pipeline {
    /// Prepares the pipeline for `config`: loads the embedded lists (a few ms each; the bot
    /// lists and the edge table are read on threads of their own while the UA parser's lists
    /// load, so a cold start waits only for the longest); user-agent regexes compile on first
    /// need.
    pub fn new(config: Config) -> Pipeline {
        let (parser, bots, edges) = thread::scope(|scope| {
            let bots = scope.spawn(BotDetector::embedded);
            let edges = scope.spawn(EdgeLocations::embedded);
            let parser = UserAgentParser::new();
            (parser, joined(bots), joined(edges))
        });
        Pipeline {
            config,
            clients: Clients::from_parts(parser, bots),
            edges,
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
    /// `salts`. This is the per-record code of the Lambda and of every CLI output.
    pub fn process_line<'a>(&'a self, line: &'a [u8], salts: &Salts) -> Outcome<'a> {
        match Hit::parse(line, &self.config) {
            Ok(hit) => Outcome::Ok(Box::new(self.enrich(&hit, salts))),
            Err(Rejection::Dropped(reason)) => Outcome::Dropped(reason),
            Err(Rejection::Failed(failure)) => Outcome::Failed(failure),
        }
    }

    /// Derives every column group of `hit` and assembles them into its record. Each group is
    /// a function of the hit and of the groups it names, so the order cannot be wrong.
    fn enrich<'a>(&'a self, hit: &Hit<'a>, salts: &Salts) -> Row<'a> {
        let TimeColumns {
            event_year,
            event_month,
            event_day,
            event_timestamp,
            arrival_timestamp,
            arrival_delay_ms,
        } = timing::columns(hit);
        let (geo, edge_notes) = geo::columns(hit, &self.edges);
        let GeoColumns {
            edge_id,
            edge_city,
            edge_state,
            edge_country,
            edge_country_code,
            edge_latitude,
            edge_longitude,
            viewer_country_code,
            viewer_country,
        } = geo;
        let referrers = referrer::columns(hit);
        let utms = utm::columns(hit);
        let AcquisitionColumns {
            referrer_source,
            referrer_medium,
            channel,
            click_id_param,
        } = acquisition::columns(hit, &referrers, &utms);
        let ReferrerColumns {
            referrer,
            referrer_domain_name,
        } = referrers;
        let device = device::columns(hit);
        let ClientColumns {
            browser_name,
            browser_version,
            browser_os_name,
            browser_os_version,
            device_type,
            device_vendor,
            request_is_bot,
            bot_reasons,
        } = client::columns(hit, &self.clients, &device);
        let DeviceColumns {
            device_outer_resolution,
            device_inner_resolution,
            device_color_depth,
            device_cores,
            device_memory,
            device_platform,
            browser_language,
            browser_timezone,
        } = device;
        let UtmColumns {
            utm_source,
            utm_campaign,
            utm_medium,
            utm_content,
            utm_term,
        } = utms;
        let page = page::columns(hit);
        let (ids, id_notes) = ids::columns(hit, salts, &page);
        let IdColumns {
            page_view_id,
            daily_page_view_id,
            daily_visitor_id,
            previous_daily_visitor_id,
        } = ids;
        let PageColumns {
            request_url,
            request_path,
        } = page;
        let RequestColumns {
            request_bytes,
            request_status_code,
            request_cache_status,
            request_delivery_time_ms,
            request_asn,
        } = request::columns(hit);
        let EventColumns {
            event_name,
            event_data,
        } = event::columns(hit);
        let mut record = Record {
            event_year,
            event_month,
            event_day,
            event_timestamp,
            arrival_timestamp,
            arrival_delay_ms,
            edge_id,
            edge_city,
            edge_state,
            edge_country,
            edge_country_code,
            edge_latitude,
            edge_longitude,
            viewer_country_code,
            viewer_country,
            referrer,
            referrer_domain_name,
            referrer_source,
            referrer_medium,
            channel,
            browser_name,
            browser_version,
            browser_os_name,
            browser_os_version,
            browser_timezone,
            browser_language,
            device_type,
            device_vendor,
            device_outer_resolution,
            device_inner_resolution,
            device_color_depth,
            device_platform,
            device_memory,
            device_cores,
            utm_source,
            utm_campaign,
            utm_medium,
            utm_content,
            utm_term,
            click_id_param,
            request_url,
            request_path,
            request_bytes,
            request_status_code,
            request_cache_status,
            request_delivery_time_ms,
            request_asn,
            request_is_bot,
            bot_reasons,
            event_name,
            event_data,
            page_view_id,
            daily_page_view_id,
            daily_visitor_id,
            previous_daily_visitor_id,
        };
        keep_address_out(&mut record, hit.field(Field::ClientIp));
        Row {
            keys: PartitionKeys::of(hit),
            record,
            notes: edge_notes.union(id_notes),
        }
    }
}

/// What a scoped thread returned; its panic, if it panicked.
pub(crate) fn joined<T>(thread: ScopedJoinHandle<'_, T>) -> T {
    thread
        .join()
        .unwrap_or_else(|panic| panic::resume_unwind(panic))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::{DropReason, EventType, FailReason};
    use crate::time::Timestamp;

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
        // Requests WAF blocked (403) or a rate rule answered (429) are logged, not served.
        for status in ["403", "429", "400"] {
            assert_eq!(
                dropped(&p, &sample_with(2, status)),
                DropReason::RequestRefused
            );
        }
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
    fn served_and_origin_error_statuses_stay_hits() {
        let p = pipeline("mydomain.tld");
        for status in ["200", "304", "500", "-"] {
            let line = sample_with(2, status);
            let row = ok(&p, &line);
            assert_eq!(row.keys.domain_name, "mydomain.tld", "{status}");
        }
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
