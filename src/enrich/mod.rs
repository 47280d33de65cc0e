//! Enrichments, one module per group of derived columns. Each is a pure function of the
//! parsed log line and the configuration.

pub mod device;
pub mod domain;
pub mod edge;
pub mod referrer;
pub mod request;
pub mod timing;
pub mod utm;
