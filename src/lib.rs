//! pixelstream: privacy-first web analytics from CloudFront real-time logs.
//!
//! A pure core turns log lines into enriched records with partition keys:
//! [`fields`] and [`logline`] split a line by the configured field list, [`query`] reads the
//! tracker protocol, [`enrich`] derives columns (one module per enrichment), [`record`] is the
//! output schema, and [`pipeline`] ties them together per line. [`firehose`] applies the core
//! to a Firehose transformation batch; the Lambda and the CLI are thin shells around it.
//! The core reads no clock, environment, network or file.

pub mod aws;
pub mod cache;
pub mod config;
pub mod decode;
pub mod enrich;
pub mod fields;
pub mod firehose;
pub mod json;
pub mod logline;
pub mod pipeline;
pub mod query;
pub mod record;
pub mod scrub;
pub mod time;
pub mod url;

pub use config::Config;
pub use firehose::{BatchSummary, FirehoseEvent, FirehoseResponse, transform};
pub use pipeline::{Outcome, Pipeline};
