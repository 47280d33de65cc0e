//! Enrichments, one module per group of derived columns. Each is a pure function of the
//! parsed log line and the configuration.

pub mod bot;
pub mod client;
pub mod device;
pub mod domain;
pub mod edge;
pub mod geo;
pub mod ids;
pub mod lazy_regexes;
pub mod referrer;
pub mod request;
pub mod timing;
pub mod user_agent;
pub mod utm;
