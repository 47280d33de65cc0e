//! The pure core of pixelstream: CloudFront real-time log lines to enriched records and typed
//! batch answers. It reads no clock, environment, network or file; configuration and data
//! are passed in.
//!
//! The folders follow the data: [`parse`] turns a line into an immutable hit, [`enrich`]
//! derives one group of columns per module from it, [`pipeline`] assembles them into a record
//! with its partition keys, and [`emit`] holds the schema, the batch function's typed
//! answers and the Firehose wire format over them. [`outcome`] names what a line can come
//! to.

pub mod cache;
pub mod config;
pub mod emit;
pub mod enrich;
pub mod outcome;
pub mod parse;
pub mod pipeline;
pub mod time;

pub use config::Config;
pub use emit::batch::{
    BatchAnswers, BatchRecord, BatchSummary, answer_batch, answer_lines, answer_lines_with,
};
pub use emit::firehose::{FirehoseEvent, FirehoseResponse, transform, transform_into};
pub use outcome::Outcome;
pub use pipeline::Pipeline;
