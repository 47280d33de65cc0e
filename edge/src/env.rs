//! Every environment variable pixelstream reads, named once. The shells look them up through
//! [`settings`](crate::settings) and [`Credentials`](crate::aws::sigv4::Credentials); nothing
//! else reads the environment.

/// Comma-separated host names whose hits are kept (Lambda; required, `*` refused).
pub const ALLOWED_DOMAINS: &str = "PIXELSTREAM_ALLOWED_DOMAINS";
/// The real-time log's field list: `default`, `ownstats` or comma-separated names.
pub const FIELDS: &str = "PIXELSTREAM_FIELDS";
/// SSM path of the daily salts (Lambda; required).
pub const SALT_PREFIX: &str = "PIXELSTREAM_SALT_PREFIX";
/// `transform` (default) or `rotate-salts` (Lambda).
pub const MODE: &str = "PIXELSTREAM_MODE";
/// CloudWatch namespace of the Lambda's embedded metrics.
pub const METRICS_NAMESPACE: &str = "PIXELSTREAM_METRICS_NAMESPACE";
/// Stack name, the `Stack` dimension of the Lambda's embedded metrics.
pub const STACK: &str = "PIXELSTREAM_STACK";
/// Secret from which a local replay derives each day's salt (CLI).
pub const SALT: &str = "PIXELSTREAM_SALT";

/// AWS region (set by Lambda).
pub const AWS_REGION: &str = "AWS_REGION";
/// AWS region, the older name.
pub const AWS_DEFAULT_REGION: &str = "AWS_DEFAULT_REGION";
/// Access key id of the function's role (set by Lambda).
pub const AWS_ACCESS_KEY_ID: &str = "AWS_ACCESS_KEY_ID";
/// Secret access key of the function's role (set by Lambda).
pub const AWS_SECRET_ACCESS_KEY: &str = "AWS_SECRET_ACCESS_KEY";
/// Session token of the function's role (set by Lambda).
pub const AWS_SESSION_TOKEN: &str = "AWS_SESSION_TOKEN";
/// SSM endpoint override (local emulators).
pub const AWS_ENDPOINT_URL_SSM: &str = "AWS_ENDPOINT_URL_SSM";
/// Endpoint override for every service (local emulators).
pub const AWS_ENDPOINT_URL: &str = "AWS_ENDPOINT_URL";
