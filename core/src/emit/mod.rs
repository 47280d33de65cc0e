//! Emitting: the record schema and its writers, partition keys, what failure output may keep,
//! the batch function's typed answers, and the Firehose wire format over them.

pub mod batch;
pub mod firehose;
pub mod json;
pub mod partition;
pub mod record;
pub mod scrub;
