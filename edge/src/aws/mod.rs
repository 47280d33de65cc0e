//! AWS over HTTPS without the SDK: SigV4 signing and the few SSM Parameter Store calls the
//! salt lifecycle needs. A few hundred lines keep the Lambda binary small and its build fast.

pub mod sigv4;
pub mod ssm;
