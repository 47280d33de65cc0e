//! AWS Signature Version 4 for JSON-protocol POST requests.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use pixelstream_core::time::Timestamp;

use crate::env;

type HmacSha256 = Hmac<Sha256>;

/// AWS credentials (in Lambda: from the function's environment).
#[derive(Clone)]
pub struct Credentials {
    /// `AWS_ACCESS_KEY_ID`.
    pub access_key_id: String,
    /// `AWS_SECRET_ACCESS_KEY`.
    pub secret_access_key: String,
    /// `AWS_SESSION_TOKEN`, for temporary credentials.
    pub session_token: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({}, ***)", self.access_key_id)
    }
}

impl Credentials {
    /// Reads the standard environment variables through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Option<Credentials> {
        Some(Credentials {
            access_key_id: lookup(env::AWS_ACCESS_KEY_ID)?,
            secret_access_key: lookup(env::AWS_SECRET_ACCESS_KEY)?,
            session_token: lookup(env::AWS_SESSION_TOKEN).filter(|t| !t.is_empty()),
        })
    }
}

/// What is signed: a request's method, path, query, headers (lower-case names) and body.
pub struct Request<'a> {
    /// `GET`, `POST`, …
    pub method: &'a str,
    /// Absolute path (`/`).
    pub path: &'a str,
    /// Canonical query string (already sorted and encoded; empty for JSON APIs).
    pub query: &'a str,
    /// Headers to sign, lower-case names; must include `host` and `x-amz-date`.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body.
    pub body: &'a [u8],
}

/// `yyyyMMddTHHmmssZ` for `x-amz-date`.
pub fn amz_date(now: Timestamp) -> String {
    let date = now.date();
    let secs = now.ms_of_day() / 1000;
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        date.year,
        date.month,
        date.day,
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// The `Authorization` header value for `request`, signed at `amz_date` for `region`/`service`.
pub fn authorization(
    credentials: &Credentials,
    region: &str,
    service: &str,
    amz_date: &str,
    request: &Request<'_>,
) -> String {
    let mut headers: Vec<(&str, &str)> = request.headers.to_vec();
    headers.sort_unstable();
    let canonical_headers: String = headers
        .iter()
        .map(|(name, value)| format!("{name}:{}\n", value.trim()))
        .collect();
    let signed_headers = headers
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(";");
    let canonical_request = format!(
        "{}\n{}\n{}\n{canonical_headers}\n{signed_headers}\n{}",
        request.method,
        request.path,
        request.query,
        hex(&Sha256::digest(request.body))
    );
    let day = &amz_date[..8];
    let scope = format!("{day}/{region}/{service}/aws4_request");
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );
    let key = signing_key(&credentials.secret_access_key, day, region, service);
    let signature = hex(&hmac(&key, string_to_sign.as_bytes()));
    format!(
        "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
        credentials.access_key_id
    )
}

fn signing_key(secret: &str, day: &str, region: &str, service: &str) -> Vec<u8> {
    let date_key = hmac(format!("AWS4{secret}").as_bytes(), day.as_bytes());
    let region_key = hmac(&date_key, region.as_bytes());
    let service_key = hmac(&region_key, service.as_bytes());
    hmac(&service_key, b"aws4_request")
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of AWS's Signature Version 4 documentation (IAM ListUsers).
    #[test]
    fn signs_the_aws_documentation_example() {
        let credentials = Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
        };
        let key = signing_key(
            &credentials.secret_access_key,
            "20150830",
            "us-east-1",
            "iam",
        );
        assert_eq!(
            hex(&key),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
        );
        let headers = [
            (
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            ),
            ("host", "iam.amazonaws.com"),
            ("x-amz-date", "20150830T123600Z"),
        ];
        let request = Request {
            method: "GET",
            path: "/",
            query: "Action=ListUsers&Version=2010-05-08",
            headers: &headers,
            body: b"",
        };
        let header = authorization(
            &credentials,
            "us-east-1",
            "iam",
            "20150830T123600Z",
            &request,
        );
        assert_eq!(
            header,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, \
             Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
        );
    }

    #[test]
    fn amz_dates_are_basic_iso_8601() {
        assert_eq!(amz_date(Timestamp(1_440_938_160_000)), "20150830T123600Z");
    }

    #[test]
    fn credentials_need_both_keys_and_hide_the_secret() {
        let lookup = |name: &str| match name {
            "AWS_ACCESS_KEY_ID" => Some("AKID".to_owned()),
            "AWS_SECRET_ACCESS_KEY" => Some("secret".to_owned()),
            _ => None,
        };
        let credentials = Credentials::from_lookup(lookup).unwrap();
        assert_eq!(credentials.session_token, None);
        assert_eq!(format!("{credentials:?}"), "Credentials(AKID, ***)");
        assert!(Credentials::from_lookup(|_| None).is_none());
    }
}
