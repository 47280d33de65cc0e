//! AWS at the edge, for the shells only (the core never does I/O): SigV4-signed calls to SSM
//! Parameter Store, and the salt lifecycle built on them. A few hundred lines instead of the
//! AWS SDK keep the Lambda binary small and its build fast.

pub mod salts;
pub mod sigv4;
pub mod ssm;
