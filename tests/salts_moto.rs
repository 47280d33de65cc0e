//! The salt lifecycle against a real local SSM endpoint (moto server): creation ahead of the
//! day, deletion after 48 hours, and what the transformation gets (or refuses) from it.

mod common;

use common::moto::Moto;
use pixelstream_core::time::Date;
use std::time::Duration;

use pixelstream_edge::aws::ssm::{RetryPolicy, Ssm};
use pixelstream_edge::salts::{self, SaltError, parameter_name};

const TODAY: &str = "2025-06-14";

fn today() -> Date {
    Date::parse(TODAY).unwrap()
}

/// A client of moto. Its attempts may take long: moto loads a service on its first request,
/// which can take seconds on a busy machine, and a create retried after a time-out would find
/// its own parameter.
fn ssm(moto: &Moto) -> Ssm {
    Ssm::from_lookup(|name| moto.env(name))
        .expect("moto environment is complete")
        .with_retry(RetryPolicy {
            attempt_timeout: Duration::from_secs(60),
            ..RetryPolicy::default()
        })
}

fn stored_days(ssm: &Ssm, prefix: &str) -> Vec<String> {
    let mut days: Vec<String> = ssm
        .names_under(prefix)
        .unwrap()
        .iter()
        .filter_map(|name| salts::date_of(prefix, name))
        .map(|day| day.to_string())
        .collect();
    days.sort();
    days
}

#[test]
fn rotation_creates_today_and_tomorrow_ahead_and_is_idempotent() {
    let moto = Moto::start();
    let ssm = ssm(&moto);
    let prefix = "/pixelstream/ahead/salts";
    let first = salts::rotate(&ssm, prefix, today()).unwrap();
    assert_eq!(first.create.len(), 2);
    assert_eq!(stored_days(&ssm, prefix), ["2025-06-14", "2025-06-15"]);
    let second = salts::rotate(&ssm, prefix, today()).unwrap();
    assert!(second.create.is_empty() && second.delete.is_empty());
    let values = ssm
        .get_parameters(&[
            parameter_name(prefix, today()),
            parameter_name(prefix, today().add_days(1)),
        ])
        .unwrap();
    assert_eq!(values.len(), 2);
    assert_ne!(
        values[0].1, values[1].1,
        "each day gets its own random salt"
    );
    assert_eq!(values[0].1.len(), 64, "32 random bytes in hex");
}

#[test]
fn rotation_deletes_salts_older_than_48_hours() {
    let moto = Moto::start();
    let ssm = ssm(&moto);
    let prefix = "/pixelstream/expiry/salts";
    for days_ago in 1..=4 {
        let name = parameter_name(prefix, today().add_days(-days_ago));
        assert!(ssm.create_secure_string(&name, &"ab".repeat(32)).unwrap());
    }
    let plan = salts::rotate(&ssm, prefix, today()).unwrap();
    assert_eq!(plan.delete.len(), 3);
    assert_eq!(
        stored_days(&ssm, prefix),
        ["2025-06-13", "2025-06-14", "2025-06-15"]
    );
}

#[test]
fn transformation_gets_todays_and_yesterdays_salts() {
    let moto = Moto::start();
    let ssm = ssm(&moto);
    let prefix = "/pixelstream/fetch/salts";
    salts::rotate(&ssm, prefix, today().add_days(-1)).unwrap();
    let fetched = salts::fetch(&ssm, prefix, today()).unwrap();
    let today_key = fetched.key(today()).expect("today's salt");
    let yesterday_key = fetched.key(today().add_days(-1)).expect("yesterday's salt");
    assert!(fetched.key(today().add_days(-2)).is_none());
    assert_ne!(
        today_key.visitor_id("a.io", b"1.2.3.4", b"ua"),
        yesterday_key.visitor_id("a.io", b"1.2.3.4", b"ua")
    );
}

#[test]
fn transformation_refuses_to_run_without_todays_salt() {
    let moto = Moto::start();
    let ssm = ssm(&moto);
    let prefix = "/pixelstream/missing/salts";
    let err = salts::fetch(&ssm, prefix, today()).unwrap_err();
    assert_eq!(err, SaltError::Missing(parameter_name(prefix, today())));
}

#[test]
fn unreachable_parameter_store_is_an_error_not_a_default() {
    let moto = Moto::start();
    let endpoint = moto.endpoint.clone();
    drop(moto);
    let ssm = Ssm::from_lookup(|name| match name {
        "AWS_ENDPOINT_URL" => Some(endpoint.clone()),
        "AWS_REGION" => Some("eu-central-1".into()),
        "AWS_ACCESS_KEY_ID" | "AWS_SECRET_ACCESS_KEY" => Some("testing".into()),
        _ => None,
    })
    .unwrap();
    let err = salts::fetch(&ssm, "/pixelstream/down/salts", today()).unwrap_err();
    assert!(matches!(err, SaltError::Ssm(_)), "{err:?}");
}
