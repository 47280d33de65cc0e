//! The real Lambda binary against a stand-in Runtime API and moto's SSM: it answers a batch
//! when today's salt exists, fails the invocation (so Firehose retries) when it does not, and
//! refuses to start on invalid configuration.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use common::moto::Moto;
use common::runtime_api::RuntimeApi;
use pixelstream_core::time::{Date, Timestamp};
use pixelstream_edge::aws::ssm::Ssm;
use pixelstream_edge::salts;
use serde_json::Value;

const PREFIX: &str = "/pixelstream/lambda-test/salts";

fn today() -> Date {
    Timestamp(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64,
    )
    .date()
}

/// A Firehose event with the conventions' sample line, stamped now.
fn firehose_event() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let sample = String::from_utf8(common::read("fixtures/lines/ownstats.tsv")).unwrap();
    let first = sample
        .lines()
        .next()
        .unwrap()
        .replacen("1682084241.469", &format!("{now}.000"), 1);
    serde_json::json!({
        "invocationId": "invocation-1",
        "records": [{"recordId": "r1", "data": BASE64.encode(format!("{first}\n"))}],
    })
    .to_string()
}

fn start_lambda(moto: &Moto, api: &RuntimeApi, domains: Option<&str>) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pixelstream-lambda"));
    command
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", &api.address)
        .env("AWS_LAMBDA_FUNCTION_NAME", "pixelstream")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1769")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
        .env("PIXELSTREAM_FIELDS", "ownstats")
        .env("PIXELSTREAM_SALT_PREFIX", PREFIX)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for name in [
        "AWS_REGION",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_ENDPOINT_URL",
    ] {
        command.env(name, moto.env(name).unwrap());
    }
    if let Some(domains) = domains {
        command.env("PIXELSTREAM_ALLOWED_DOMAINS", domains);
    }
    command.spawn().expect("the Lambda binary starts")
}

fn stop(mut child: Child) -> String {
    let _ = child.kill();
    let output = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

#[test]
fn answers_the_batch_with_keyed_ids_when_todays_salt_exists() {
    let moto = Moto::start();
    let ssm = Ssm::from_lookup(|name| moto.env(name)).unwrap();
    salts::rotate(&ssm, PREFIX, today()).unwrap();
    let api = RuntimeApi::serve(firehose_event());
    let lambda = start_lambda(&moto, &api, Some("mydomain.tld"));
    let answer = api
        .answer(Duration::from_secs(60))
        .expect("the function answers");
    let logs = stop(lambda);
    assert_eq!(answer.kind, "response", "{}\n{logs}", answer.body);
    let response: Value = serde_json::from_str(&answer.body).unwrap();
    let record = &response["records"][0];
    assert_eq!(record["recordId"], "r1");
    assert_eq!(record["result"], "Ok");
    let data: Value =
        serde_json::from_slice(&BASE64.decode(record["data"].as_str().unwrap()).unwrap()).unwrap();
    assert!(data["daily_visitor_id"].is_string());
    assert!(
        logs.contains("batch transformed"),
        "one summary line per batch: {logs}"
    );
    assert!(
        !logs.contains("2003:e1:bf1f:7c00:8eb:18f8:a1fb:9dad"),
        "no address in logs"
    );
}

#[test]
fn fails_the_invocation_when_todays_salt_is_missing() {
    let moto = Moto::start();
    let api = RuntimeApi::serve(firehose_event());
    let lambda = start_lambda(&moto, &api, Some("mydomain.tld"));
    let answer = api
        .answer(Duration::from_secs(60))
        .expect("the function answers");
    let logs = stop(lambda);
    assert_eq!(answer.kind, "error", "{}", answer.body);
    assert!(answer.body.contains("does not exist"), "{}", answer.body);
    let error: Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(error["errorType"], "SaltUnavailable", "{}", answer.body);
    assert!(logs.contains("no salt"), "{logs}");
}

#[test]
fn refuses_to_start_without_allowed_domains() {
    let moto = Moto::start();
    let api = RuntimeApi::serve(firehose_event());
    let mut lambda = start_lambda(&moto, &api, None);
    let status = lambda.wait().unwrap();
    let logs = stop(lambda);
    assert!(!status.success());
    assert!(logs.contains("PIXELSTREAM_ALLOWED_DOMAINS"), "{logs}");
    assert!(
        api.answer(Duration::from_millis(200)).is_none(),
        "no invocation was taken"
    );
}
