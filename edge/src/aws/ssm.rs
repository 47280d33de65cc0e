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

impl SsmError {
    /// Whether another attempt may succeed: throttling, a server error or no answer at all.
    /// Everything else (denied access, a bad request, an unreadable answer) fails at once.
    pub fn is_retryable(&self) -> bool {
        match self {
            SsmError::Transport(_) => true,
            SsmError::Service { status, code, .. } => {
                *status >= 500
                    || *status == 429
                    || code.ends_with("ThrottlingException")
                    || code.ends_with("TooManyUpdates")
            }
            SsmError::Response(_) => false,
        }
    }
}

/// How SSM calls are retried: each attempt has a time limit, and a retryable failure
/// ([`SsmError::is_retryable`]) is tried again after an exponential back-off with jitter. The
/// defaults, 4 attempts of at most 2 s with 0.1 + 0.2 + 0.4 s of back-off, end well inside
/// the transformation's smallest timeout (10 s); the invocation then fails and Firehose
/// retries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per call, the first included.
    pub attempts: u32,
    /// Back-off before the second attempt, doubled before each further one (half of it is
    /// random jitter).
    pub first_backoff: Duration,
    /// Time limit of one attempt: connecting, sending and reading the answer.
    pub attempt_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            attempts: 3,
            first_backoff: Duration::from_millis(100),
            attempt_timeout: Duration::from_secs(3),
        }
    }
}

impl RetryPolicy {
    /// The pause before attempt `attempt` (2, 3, …): half the doubled back-off, plus a random
    /// share of the other half so that many functions throttled together do not retry in step.
    fn backoff(&self, attempt: u32) -> Duration {
        let full = self.first_backoff * 2u32.saturating_pow(attempt.saturating_sub(2));
        let mut random = [0u8; 4];
        let share = match getrandom::fill(&mut random) {
            Ok(()) => f64::from(u32::from_le_bytes(random)) / f64::from(u32::MAX),
            Err(_) => 0.5,
        };
        full / 2 + (full / 2).mul_f64(share)
    }
}

/// An SSM client for one region and endpoint.
pub struct Ssm {
    endpoint: String,
    host: String,
    region: String,
    credentials: Credentials,
    agent: ureq::Agent,
    retry: RetryPolicy,
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
            agent: agent(RetryPolicy::default()),
            retry: RetryPolicy::default(),
        }
    }

    /// The client with another retry policy.
    pub fn with_retry(self, retry: RetryPolicy) -> Ssm {
        Ssm {
            agent: agent(retry),
            retry,
            ..self
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

    /// One action, retried as the [`RetryPolicy`] says; the last failure when all attempts
    /// fail.
    fn call(&self, action: &str, body: &Value) -> Result<Value, SsmError> {
        let mut attempt = 1;
        loop {
            match self.attempt(action, body) {
                Err(err) if err.is_retryable() && attempt < self.retry.attempts => {
                    attempt += 1;
                    std::thread::sleep(self.retry.backoff(attempt));
                }
                answer => return answer,
            }
        }
    }

    /// One signed request (signed anew each attempt: the signature holds the time).
    fn attempt(&self, action: &str, body: &Value) -> Result<Value, SsmError> {
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

/// An HTTP agent whose requests end after the policy's attempt time limit.
fn agent(retry: RetryPolicy) -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(retry.attempt_timeout)
        .build()
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

    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::thread::{self, JoinHandle};

    /// What the stand-in SSM does with one request.
    #[derive(Clone, Copy)]
    enum Reply {
        /// Answers with this status and body.
        With(u16, &'static str),
        /// Reads the request and never answers (the connection is held for a second).
        Silence,
    }

    const THROTTLED: Reply = Reply::With(
        400,
        r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
    );
    const UNAVAILABLE: Reply = Reply::With(503, r#"{"__type":"ServiceUnavailable"}"#);
    const DENIED: Reply = Reply::With(
        400,
        r#"{"__type":"AccessDeniedException","message":"not allowed"}"#,
    );
    const SALTS: Reply = Reply::With(
        200,
        r#"{"Parameters":[{"Name":"/p/2025-06-14","Value":"00ff"}],"InvalidParameters":[]}"#,
    );

    /// A stand-in SSM endpoint answering one request per scripted reply, in order; the thread
    /// returns how many requests it saw.
    fn stand_in(replies: Vec<Reply>) -> (String, JoinHandle<usize>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let server = thread::spawn(move || {
            let mut held = Vec::new();
            for reply in &replies {
                let (stream, _) = listener.accept().unwrap();
                read_request(&stream);
                match *reply {
                    Reply::With(status, body) => answer(stream, status, body),
                    Reply::Silence => held.push(thread::spawn(move || {
                        thread::sleep(Duration::from_secs(1));
                        drop(stream);
                    })),
                }
            }
            held.into_iter().for_each(|h| h.join().unwrap());
            replies.len()
        });
        (endpoint, server)
    }

    fn read_request(stream: &TcpStream) {
        let mut reader = BufReader::new(stream);
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap();
            }
            if line == "\r\n" || line.is_empty() {
                break;
            }
        }
        reader.read_exact(&mut vec![0; length]).unwrap();
    }

    fn answer(mut stream: TcpStream, status: u16, body: &str) {
        let head = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/x-amz-json-1.1\r\n\
             content-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body.as_bytes()).unwrap();
    }

    /// A client of `endpoint` with quick retries: 3 attempts, 300 ms each.
    fn client(endpoint: &str) -> Ssm {
        let credentials = Credentials {
            access_key_id: "a".into(),
            secret_access_key: "b".into(),
            session_token: None,
        };
        Ssm::new(endpoint, "eu-central-1", credentials).with_retry(RetryPolicy {
            attempts: 3,
            first_backoff: Duration::from_millis(5),
            attempt_timeout: Duration::from_millis(300),
        })
    }

    fn get(ssm: &Ssm) -> Result<Vec<(String, String)>, SsmError> {
        ssm.get_parameters(&["/p/2025-06-14".to_owned()])
    }

    #[test]
    fn throttling_and_server_errors_are_retried_until_an_answer() {
        let (endpoint, server) = stand_in(vec![THROTTLED, UNAVAILABLE, SALTS]);
        let found = get(&client(&endpoint)).unwrap();
        assert_eq!(found, [("/p/2025-06-14".to_owned(), "00ff".to_owned())]);
        assert_eq!(server.join().unwrap(), 3);
    }

    #[test]
    fn a_silent_endpoint_times_out_and_is_retried() {
        let (endpoint, server) = stand_in(vec![Reply::Silence, SALTS]);
        assert_eq!(get(&client(&endpoint)).unwrap().len(), 1);
        assert_eq!(server.join().unwrap(), 2);
    }

    #[test]
    fn retries_are_bounded_and_the_last_failure_is_reported() {
        let (endpoint, server) = stand_in(vec![THROTTLED, Reply::Silence, THROTTLED]);
        let err = get(&client(&endpoint)).unwrap_err();
        assert_eq!(
            err,
            SsmError::Service {
                status: 400,
                code: "ThrottlingException".into(),
                message: "Rate exceeded".into(),
            }
        );
        // Exactly the policy's 3 attempts reached the endpoint.
        assert_eq!(server.join().unwrap(), 3);
    }

    #[test]
    fn a_silent_endpoint_on_every_attempt_is_a_transport_failure() {
        let (endpoint, server) = stand_in(vec![Reply::Silence; 3]);
        let err = get(&client(&endpoint)).unwrap_err();
        assert!(matches!(err, SsmError::Transport(_)), "{err:?}");
        assert_eq!(server.join().unwrap(), 3);
    }

    #[test]
    fn denied_access_is_not_retried() {
        let (endpoint, server) = stand_in(vec![DENIED]);
        let err = get(&client(&endpoint)).unwrap_err();
        assert!(!err.is_retryable());
        assert!(err.to_string().contains("AccessDeniedException"), "{err}");
        assert_eq!(server.join().unwrap(), 1);
    }

    #[test]
    fn backoff_doubles_and_keeps_half_of_it_fixed() {
        let policy = RetryPolicy {
            attempts: 4,
            first_backoff: Duration::from_millis(100),
            attempt_timeout: Duration::from_secs(1),
        };
        for (attempt, full_ms) in [(2, 100), (3, 200), (4, 400)] {
            let pause = policy.backoff(attempt);
            assert!(pause >= Duration::from_millis(full_ms / 2), "{pause:?}");
            assert!(pause <= Duration::from_millis(full_ms), "{pause:?}");
        }
    }

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
