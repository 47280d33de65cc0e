//! The Lambda: the Firehose transformation (default) or, with `PIXELSTREAM_MODE=rotate-salts`,
//! the scheduled salt rotation. Settings are read and validated once at init; every
//! invocation logs one summary line and one embedded-metrics line (counts only: never a
//! record, never an address).

use std::num::NonZeroUsize;
use std::thread;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use lambda_runtime::{Diagnostic, Error, LambdaEvent, run, service_fn, tracing};
use pixelstream_core::time::{Date, Timestamp};
use pixelstream_core::{FirehoseEvent, Pipeline, transform};
use pixelstream_edge::aws::ssm::Ssm;
use pixelstream_edge::metrics::{BatchCost, emf_document};
use pixelstream_edge::salts::{self, SaltCache};
use pixelstream_edge::settings::{self, LambdaSettings, MetricsTarget, Mode};
use serde_json::value::RawValue;

/// Building uap-core's regexes is allocation-heavy; mimalloc makes cold starts shorter.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    tracing::init_default_subscriber();
    let env = |name: &str| std::env::var(name).ok();
    let settings = settings::lambda(env).map_err(|err| refuse(&err.to_string()))?;
    let ssm = Ssm::from_lookup(env).map_err(|err| refuse(&err))?;
    match settings.mode {
        Mode::Transform => transformation(ssm, settings).await,
        Mode::RotateSalts => rotation(ssm, settings.salt_prefix).await,
    }
}

/// Logs why the function refuses to start and turns it into the init error.
fn refuse(problem: &str) -> Error {
    tracing::error!(problem, "invalid configuration; refusing to start");
    problem.into()
}

async fn transformation(ssm: Ssm, settings: LambdaSettings) -> Result<(), Error> {
    let config = settings::deployment_config(|name| std::env::var(name).ok())
        .map_err(|err| refuse(&err.to_string()))?;
    tracing::info!(fields = %config.fields.to_spec(), "pixelstream transformation ready");
    let pipeline = &Pipeline::new(config);
    let salts = &SaltCache::new(ssm, settings.salt_prefix);
    let metrics = &settings.metrics;
    // 1,769 MB of memory is one full vCPU; above it Lambda gives a function more.
    let workers = thread::available_parallelism().unwrap_or(NonZeroUsize::MIN);
    run(service_fn(
        move |event: LambdaEvent<FirehoseEvent>| async move {
            handle(pipeline, salts, metrics, workers, event.payload)
        },
    ))
    .await
}

/// Transforms one batch and logs its counts and metrics. Without today's salt the invocation
/// fails (`SaltUnavailable`), so Firehose retries it instead of receiving ids without a key.
fn handle(
    pipeline: &Pipeline,
    salts: &SaltCache,
    metrics: &MetricsTarget,
    workers: NonZeroUsize,
    event: FirehoseEvent,
) -> Result<Box<RawValue>, Diagnostic> {
    let started = Instant::now();
    let salts = salts.for_day(now().date()).map_err(|err| {
        tracing::error!(error = %err, "no salt; failing the invocation so Firehose retries");
        failure("SaltUnavailable", &err)
    })?;
    let invocation_id = event.invocation_id.clone();
    let (response, summary) = transform(pipeline, event, &salts, workers);
    let body =
        RawValue::from_string(response).map_err(|err| failure("ResponseNotSerialized", &err))?;
    let cost = BatchCost {
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        response_bytes: body.get().len(),
    };
    tracing::info!(
        invocation_id = %invocation_id,
        records = summary.records,
        ok = summary.ok,
        dropped = summary.dropped_total(),
        processing_failed = summary.failed_total(),
        bots = summary.bots,
        response_bytes = cost.response_bytes,
        summary = %summary,
        "batch transformed"
    );
    // The EMF line goes to stdout on its own, as CloudWatch's log pipeline expects it.
    println!("{}", emf_document(metrics, &summary, cost, now().0));
    Ok(body)
}

/// An invocation error with a type Firehose's and Lambda's logs can be searched for.
fn failure(error_type: &str, error: &dyn std::fmt::Display) -> Diagnostic {
    Diagnostic {
        error_type: error_type.to_owned(),
        error_message: error.to_string(),
    }
}

async fn rotation(ssm: Ssm, prefix: String) -> Result<(), Error> {
    let (ssm, prefix) = (&ssm, &prefix);
    run(service_fn(
        move |_: LambdaEvent<serde_json::Value>| async move {
            let plan = salts::rotate(ssm, prefix, now().date())?;
            let created: Vec<String> = plan.create.iter().map(Date::to_string).collect();
            tracing::info!(created = ?created, deleted = plan.delete.len(), "salts rotated");
            Ok::<_, Error>(serde_json::json!({ "created": created, "deleted": plan.delete }))
        },
    ))
    .await
}

/// The current time (the only clock the Lambda reads).
fn now() -> Timestamp {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as i64);
    Timestamp(now)
}
