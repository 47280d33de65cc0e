//! Enrichments: each module derives one group of columns as a function of the parsed
//! [`Hit`](crate::parse::hit::Hit) and its own dependencies (`fn(&Hit, &Deps) -> Columns`).
//! The pipeline only assembles the groups, so no enrichment can read another's half-done work.

pub mod acquisition;
pub mod bot;
pub mod channel;
pub mod click_id;
pub mod client;
pub mod device;
pub mod edge;
pub mod event;
pub mod geo;
pub mod ids;
pub mod lazy_regexes;
pub mod page;
pub mod referrer;
pub mod request;
pub mod timing;
pub mod uap;
pub mod user_agent;
pub mod utm;
