//! pixelstream's edges: everything the pure core (`pixelstream-core`) must not do. The
//! environment the shells read ([`env`], [`settings`]), AWS calls ([`aws`]), the Lambda's
//! embedded metrics ([`metrics`]) and where each
//! day's salt comes from ([`salts`]: SSM in AWS, a secret locally).

pub mod aws;
pub mod env;
pub mod metrics;
pub mod salts;
pub mod settings;
