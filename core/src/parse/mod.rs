//! Parsing: a raw log line split by the configured field list, the tracker's query read, and
//! the whole turned into an immutable [`hit::Hit`] (or a typed reason why not).

pub mod decode;
pub mod domain;
pub mod fields;
pub mod hit;
pub mod logline;
pub mod query;
pub mod url;
