//! The Firehose transformation Lambda: configuration is built once at init, then every
//! invocation runs the batch function and logs one summary line.

use lambda_runtime::{Error, LambdaEvent, run, service_fn, tracing};
use pixelstream::{Config, FirehoseEvent, FirehoseResponse, Pipeline, transform};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    tracing::init_default_subscriber();
    let config = Config::from_deployment(|name| std::env::var(name).ok()).inspect_err(|err| {
        tracing::error!(error = %err, "invalid configuration; refusing to start");
    })?;
    tracing::info!(fields = %config.fields.to_spec(), "pixelstream transformation ready");
    let pipeline = Pipeline::new(config);
    let pipeline = &pipeline;
    run(service_fn(move |event: LambdaEvent<FirehoseEvent>| async move {
        Ok::<_, Error>(handle(pipeline, event))
    }))
    .await
}

/// Transforms one batch and logs its counts (never a record, never an address).
fn handle(pipeline: &Pipeline, event: LambdaEvent<FirehoseEvent>) -> FirehoseResponse {
    let invocation_id = event.payload.invocation_id.clone();
    let (response, summary) = transform(pipeline, event.payload);
    tracing::info!(
        invocation_id = %invocation_id,
        records = summary.records,
        ok = summary.ok,
        dropped = summary.dropped_total(),
        processing_failed = summary.failed_total(),
        response_data_bytes = summary.data_bytes,
        summary = %summary,
        "batch transformed"
    );
    response
}
