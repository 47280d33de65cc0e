//! The Lambda: the Firehose transformation (default) or, with `PIXELSTREAM_MODE=rotate-salts`,
//! the scheduled salt rotation. Configuration is built once at init; every invocation logs one
//! summary line (counts only: never a record, never an address).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use lambda_runtime::{Error, LambdaEvent, run, service_fn, tracing};
use pixelstream::aws::salts::{self, SaltError};
use pixelstream::aws::ssm::Ssm;
use pixelstream::enrich::ids::Salts;
use pixelstream::time::{Date, Timestamp};
use pixelstream::{Config, FirehoseEvent, FirehoseResponse, Pipeline, transform};

/// Building uap-core's regexes is allocation-heavy; mimalloc makes cold starts shorter.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Environment variable naming the SSM path of the daily salts.
const SALT_PREFIX_VAR: &str = "PIXELSTREAM_SALT_PREFIX";
/// Environment variable selecting the mode (`transform` or `rotate-salts`).
const MODE_VAR: &str = "PIXELSTREAM_MODE";

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    tracing::init_default_subscriber();
    let env = |name: &str| std::env::var(name).ok();
    let prefix =
        env(SALT_PREFIX_VAR).ok_or_else(|| refuse(&format!("{SALT_PREFIX_VAR}: not set")))?;
    let ssm = Ssm::from_lookup(env).map_err(|err| refuse(&err))?;
    match env(MODE_VAR).as_deref().unwrap_or("transform") {
        "transform" => transformation(ssm, prefix).await,
        "rotate-salts" => rotation(ssm, prefix).await,
        other => Err(refuse(&format!("{MODE_VAR}: unknown mode {other:?}"))),
    }
}

/// Logs why the function refuses to start and turns it into the init error.
fn refuse(problem: &str) -> Error {
    tracing::error!(problem, "invalid configuration; refusing to start");
    problem.into()
}

async fn transformation(ssm: Ssm, prefix: String) -> Result<(), Error> {
    let config = Config::from_deployment(|name| std::env::var(name).ok())
        .map_err(|err| refuse(&err.to_string()))?;
    tracing::info!(fields = %config.fields.to_spec(), "pixelstream transformation ready");
    let pipeline = Pipeline::new(config);
    let pipeline = &pipeline;
    let salts = SaltCache::new(ssm, prefix);
    let salts = &salts;
    run(service_fn(
        move |event: LambdaEvent<FirehoseEvent>| async move { handle(pipeline, salts, event) },
    ))
    .await
}

/// Transforms one batch and logs its counts. Without today's salt the invocation fails, so
/// Firehose retries it instead of receiving ids without a key.
fn handle(
    pipeline: &Pipeline,
    salts: &SaltCache,
    event: LambdaEvent<FirehoseEvent>,
) -> Result<FirehoseResponse, Error> {
    let salts = salts.current().inspect_err(|err| {
        tracing::error!(error = %err, "no salt; failing the invocation so Firehose retries");
    })?;
    let invocation_id = event.payload.invocation_id.clone();
    let (response, summary) = transform(pipeline, event.payload, &salts);
    tracing::info!(
        invocation_id = %invocation_id,
        records = summary.records,
        ok = summary.ok,
        dropped = summary.dropped_total(),
        processing_failed = summary.failed_total(),
        bots = summary.bots,
        response_data_bytes = summary.data_bytes,
        summary = %summary,
        "batch transformed"
    );
    Ok(response)
}

/// Today's and yesterday's salts, fetched once per UTC day.
struct SaltCache {
    ssm: Ssm,
    prefix: String,
    fetched: Mutex<Option<(Date, Arc<Salts>)>>,
}

impl SaltCache {
    fn new(ssm: Ssm, prefix: String) -> SaltCache {
        SaltCache {
            ssm,
            prefix,
            fetched: Mutex::new(None),
        }
    }

    fn current(&self) -> Result<Arc<Salts>, SaltError> {
        let today = today();
        let mut fetched = self.fetched.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((day, salts)) = fetched.as_ref().filter(|(day, _)| *day == today) {
            tracing::debug!(%day, "salts cached");
            return Ok(salts.clone());
        }
        let salts = Arc::new(salts::fetch(&self.ssm, &self.prefix, today)?);
        *fetched = Some((today, salts.clone()));
        Ok(salts)
    }
}

async fn rotation(ssm: Ssm, prefix: String) -> Result<(), Error> {
    let (ssm, prefix) = (&ssm, &prefix);
    run(service_fn(
        move |_: LambdaEvent<serde_json::Value>| async move {
            let plan = salts::rotate(ssm, prefix, today())?;
            let created: Vec<String> = plan.create.iter().map(Date::to_string).collect();
            tracing::info!(created = ?created, deleted = plan.delete.len(), "salts rotated");
            Ok::<_, Error>(serde_json::json!({ "created": created, "deleted": plan.delete }))
        },
    ))
    .await
}

/// The current UTC date (the only clock the Lambda reads).
fn today() -> Date {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as i64);
    Timestamp(now).date()
}
