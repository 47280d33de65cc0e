//! A small SSM Parameter Store client (JSON protocol over HTTPS, SigV4-signed).

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::sigv4::{self, Credentials, Request};
use crate::env;
use pixelstream_core::time::Timestamp;

/// Why an SSM call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SsmError {
    /// No answer (network, TLS, time-out).
    Transport(String),
    /// SSM answered with an error.
    Service {
        /// HTTP status.
        status: u16,
        /// AWS error code (`ParameterAlreadyExists`, `AccessDeniedException`, …).
        code: String,
        /// AWS error message.
        message: String,
    },
    /// The answer was not what the API promises.
    Response(String),
}

impl fmt::Display for SsmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SsmError::Transport(err) => write!(f, "SSM unreachable: {err}"),
            SsmError::Service {
                status,
                code,
                message,
            } => {
                write!(f, "SSM error {status} {code}: {message}")
            }
            SsmError::Response(err) => write!(f, "unexpected SSM response: {err}"),
        }
    }
}

impl std::error::Error for SsmError {}

/// An SSM client for one region and endpoint.
pub struct Ssm {
    endpoint: String,
    host: String,
    region: String,
    credentials: Credentials,
    agent: ureq::Agent,
}

/// SSM's batch limit for `GetParameters` and `DeleteParameters`.
const MAX_NAMES_PER_CALL: usize = 10;

impl Ssm {
    /// A client for `endpoint` (`https://ssm.<region>.amazonaws.com`, or a local emulator).
    pub fn new(endpoint: &str, region: &str, credentials: Credentials) -> Ssm {
        let endpoint = endpoint.trim_end_matches('/').to_owned();
        let host = endpoint
            .split_once("://")
            .map_or(endpoint.as_str(), |(_, rest)| rest)
            .split('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        Ssm {
            endpoint,
            host,
            region: region.to_owned(),
            credentials,
            agent: ureq::AgentBuilder::new()
                .timeout(Duration::from_secs(10))
                .build(),
        }
    }

    /// A client from the standard environment: `AWS_REGION`, credentials, and optionally
    /// `AWS_ENDPOINT_URL_SSM` / `AWS_ENDPOINT_URL` (for local emulators).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Ssm, String> {
        let region = lookup(env::AWS_REGION)
            .or_else(|| lookup(env::AWS_DEFAULT_REGION))
            .ok_or("AWS_REGION is not set")?;
        let credentials = Credentials::from_lookup(&lookup).ok_or("AWS credentials are not set")?;
        let endpoint = lookup(env::AWS_ENDPOINT_URL_SSM)
            .or_else(|| lookup(env::AWS_ENDPOINT_URL))
            .unwrap_or_else(|| format!("https://ssm.{region}.amazonaws.com"));
        Ok(Ssm::new(&endpoint, &region, credentials))
    }

    /// Decrypted values of the parameters that exist among `names`.
    pub fn get_parameters(&self, names: &[String]) -> Result<Vec<(String, String)>, SsmError> {
        let mut found = Vec::new();
        for chunk in names.chunks(MAX_NAMES_PER_CALL) {
            let answer = self.call(
                "GetParameters",
                &json!({"Names": chunk, "WithDecryption": true}),
            )?;
            for parameter in array(&answer, "Parameters")? {
                found.push((text(parameter, "Name")?, text(parameter, "Value")?));
            }
        }
        Ok(found)
    }

    /// Creates a SecureString parameter; `Ok(false)` when it already exists (never overwrites).
    pub fn create_secure_string(&self, name: &str, value: &str) -> Result<bool, SsmError> {
        let request =
            json!({"Name": name, "Value": value, "Type": "SecureString", "Overwrite": false});
        match self.call("PutParameter", &request) {
            Ok(_) => Ok(true),
            Err(SsmError::Service { code, .. }) if code.ends_with("ParameterAlreadyExists") => {
                Ok(false)
            }
            Err(err) => Err(err),
        }
    }

    /// Deletes parameters (missing ones are ignored).
    pub fn delete_parameters(&self, names: &[String]) -> Result<(), SsmError> {
        for chunk in names.chunks(MAX_NAMES_PER_CALL) {
            self.call("DeleteParameters", &json!({"Names": chunk}))?;
        }
        Ok(())
    }

    /// Names of every parameter under `path` (one level).
    pub fn names_under(&self, path: &str) -> Result<Vec<String>, SsmError> {
        let mut names = Vec::new();
        let mut next_token: Option<String> = None;
        loop {
            let mut request = json!({"Path": path, "WithDecryption": false, "MaxResults": 10});
            if let Some(token) = &next_token {
                request["NextToken"] = json!(token);
            }
            let answer = self.call("GetParametersByPath", &request)?;
            for parameter in array(&answer, "Parameters")? {
                names.push(text(parameter, "Name")?);
            }
            next_token = answer["NextToken"].as_str().map(str::to_owned);
            if next_token.is_none() {
                return Ok(names);
            }
        }
    }

    fn call(&self, action: &str, body: &Value) -> Result<Value, SsmError> {
        let body = serde_json::to_vec(body).map_err(|e| SsmError::Response(e.to_string()))?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|e| SsmError::Transport(e.to_string()))?;
        let amz_date = sigv4::amz_date(Timestamp(now.as_millis() as i64));
        let target = format!("AmazonSSM.{action}");
        let mut headers = vec![
            ("content-type", "application/x-amz-json-1.1"),
            ("host", self.host.as_str()),
            ("x-amz-date", amz_date.as_str()),
            ("x-amz-target", target.as_str()),
        ];
        if let Some(token) = &self.credentials.session_token {
            headers.push(("x-amz-security-token", token.as_str()));
        }
        let request = Request {
            method: "POST",
            path: "/",
            query: "",
            headers: &headers,
            body: &body,
        };
        let authorization =
            sigv4::authorization(&self.credentials, &self.region, "ssm", &amz_date, &request);
        let mut call = self.agent.post(&format!("{}/", self.endpoint));
        for (name, value) in headers.iter().filter(|(name, _)| *name != "host") {
            call = call.set(name, value);
        }
        match call.set("authorization", &authorization).send_bytes(&body) {
            Ok(response) => response
                .into_json::<Value>()
                .map_err(|e| SsmError::Response(e.to_string())),
            Err(ureq::Error::Status(status, response)) => {
                let answer: Value = response.into_json().unwrap_or(Value::Null);
                Err(SsmError::Service {
                    status,
                    code: answer["__type"].as_str().unwrap_or("Unknown").to_owned(),
                    message: answer["message"]
                        .as_str()
                        .or(answer["Message"].as_str())
                        .unwrap_or_default()
                        .to_owned(),
                })
            }
            Err(err) => Err(SsmError::Transport(err.to_string())),
        }
    }
}

fn array<'v>(answer: &'v Value, key: &str) -> Result<&'v Vec<Value>, SsmError> {
    answer[key]
        .as_array()
        .ok_or_else(|| SsmError::Response(format!("no {key} array")))
}

fn text(value: &Value, key: &str) -> Result<String, SsmError> {
    value[key]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| SsmError::Response(format!("no {key} string")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_host_is_taken_from_the_url() {
        let credentials = Credentials {
            access_key_id: "a".into(),
            secret_access_key: "b".into(),
            session_token: None,
        };
        let ssm = Ssm::new("http://127.0.0.1:5000/", "eu-central-1", credentials);
        assert_eq!(ssm.host, "127.0.0.1:5000");
        assert_eq!(ssm.endpoint, "http://127.0.0.1:5000");
    }

    #[test]
    fn environment_gives_the_regional_endpoint_unless_overridden() {
        let env = |overrides: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                let base = [
                    ("AWS_REGION", "eu-west-1"),
                    ("AWS_ACCESS_KEY_ID", "a"),
                    ("AWS_SECRET_ACCESS_KEY", "b"),
                ];
                overrides
                    .iter()
                    .chain(base.iter())
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            Ssm::from_lookup(env(&[])).unwrap().endpoint,
            "https://ssm.eu-west-1.amazonaws.com"
        );
        let local = Ssm::from_lookup(env(&[("AWS_ENDPOINT_URL", "http://127.0.0.1:1")])).unwrap();
        assert_eq!(local.endpoint, "http://127.0.0.1:1");
        assert!(Ssm::from_lookup(|_| None).is_err());
    }
}
