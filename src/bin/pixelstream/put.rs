//! `pixelstream put`: send log lines to a Kinesis stream the way CloudFront's real-time logs
//! do (one record per line, empty lines included, as `replay` counts them), batched with
//! `PutRecords`, retrying throttled records. Inputs stream like `replay`'s (files, folders,
//! gzip, stdin).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use aws_sdk_kinesis::Client;
use aws_sdk_kinesis::primitives::Blob;
use aws_sdk_kinesis::types::PutRecordsRequestEntry;
use clap::Parser;

use crate::input::{self, Framing, Source};
use crate::progress::Progress;

/// Arguments of `pixelstream put`.
#[derive(Parser)]
pub struct PutArgs {
    /// Kinesis data stream name.
    #[arg(long)]
    stream: String,
    /// Endpoint URL (e.g. a local emulator); default: the region's Kinesis endpoint.
    #[arg(long)]
    endpoint_url: Option<String>,
    /// AWS region; default: from the AWS configuration.
    #[arg(long)]
    region: Option<String>,
    /// The inputs are Firehose error objects (`errors/processing-failed/`): send the raw
    /// records they hold, so the stream's Lambda processes them again with the real salts.
    #[arg(long)]
    from_errors: bool,
    /// Files or folders of CloudFront real-time log lines (plain or gzip); standard input
    /// when absent or `-`.
    inputs: Vec<PathBuf>,
}

/// Kinesis limits for one `PutRecords` call.
const MAX_RECORDS_PER_CALL: usize = 500;
const MAX_BYTES_PER_CALL: usize = 5 * 1024 * 1024;
/// Attempts per batch before giving up on throttled records.
const MAX_ATTEMPTS: u32 = 8;

/// Lines read per step: a few `PutRecords` calls' worth.
const READ_BATCH_BYTES: usize = 4 * MAX_BYTES_PER_CALL;

/// Sends every line of the inputs; `Err` when records could not be delivered.
pub fn run(args: &PutArgs) -> Result<(), String> {
    let sources = input::sources(&args.inputs)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(send_all(args, &sources))
}

async fn send_all(args: &PutArgs, sources: &[Source]) -> Result<(), String> {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(url) = &args.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Some(region) = &args.region {
        loader = loader.region(aws_config::Region::new(region.clone()));
    }
    let client = Client::new(&loader.load().await);
    let consumed = Arc::new(AtomicU64::new(0));
    let mut progress = Progress::new(sources.iter().filter_map(Source::len).sum(), "bytes");
    let mut sent = 0;
    for source in sources {
        let framing = if args.from_errors {
            Framing::FirehoseErrors
        } else {
            Framing::Lines
        };
        let mut reader = source.open_as(framing, Arc::clone(&consumed))?;
        while let Some(batch) = input::next_batch(&mut reader, sent + 1, READ_BATCH_BYTES)
            .map_err(|e| format!("cannot read {}: {e}", source.describe()))?
        {
            let lines: Vec<&[u8]> = batch.lines().collect();
            let mut start = 0;
            while start < lines.len() {
                let end = batch_end(&lines, start, sent);
                let entries = (start..end).map(|i| entry(sent + i, lines[i])).collect();
                put_with_retries(&client, &args.stream, entries).await?;
                start = end;
            }
            sent += lines.len();
            progress.update(consumed.load(Ordering::Relaxed));
        }
    }
    progress.finish();
    eprintln!("pixelstream: put {sent} records");
    Ok(())
}

/// The end of the batch starting at `start`, within Kinesis' count and size limits; `offset`
/// is the number of records sent before `lines`.
fn batch_end(lines: &[&[u8]], start: usize, offset: usize) -> usize {
    let mut bytes = 0;
    let mut end = start;
    while end < lines.len() && end - start < MAX_RECORDS_PER_CALL {
        let size = lines[end].len() + 1 + partition_key(offset + end).len();
        if bytes + size > MAX_BYTES_PER_CALL && end > start {
            break;
        }
        bytes += size;
        end += 1;
    }
    end
}

/// Spreads records over shards like CloudFront's random keys, but reproducibly.
fn partition_key(index: usize) -> String {
    format!("{:08x}", (index as u32).wrapping_mul(2_654_435_761))
}

fn entry(index: usize, line: &[u8]) -> PutRecordsRequestEntry {
    let mut data = line.to_vec();
    data.push(b'\n');
    PutRecordsRequestEntry::builder()
        .data(Blob::new(data))
        .partition_key(partition_key(index))
        .build()
        .expect("data and partition key are set")
}

/// Puts `entries`, re-sending the ones Kinesis throttled with exponential back-off.
async fn put_with_retries(
    client: &Client,
    stream: &str,
    mut entries: Vec<PutRecordsRequestEntry>,
) -> Result<(), String> {
    for attempt in 0..MAX_ATTEMPTS {
        let output = client
            .put_records()
            .stream_name(stream)
            .set_records(Some(entries.clone()))
            .send()
            .await
            .map_err(|e| {
                format!(
                    "PutRecords to {stream} failed: {}",
                    aws_sdk_kinesis::error::DisplayErrorContext(&e)
                )
            })?;
        if output.failed_record_count().unwrap_or(0) == 0 {
            return Ok(());
        }
        entries = entries
            .into_iter()
            .zip(output.records())
            .filter(|(_, result)| result.error_code().is_some())
            .map(|(entry, _)| entry)
            .collect();
        tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
    }
    Err(format!(
        "{} records still throttled after {MAX_ATTEMPTS} attempts",
        entries.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_respect_the_record_count_limit() {
        let line = b"x".as_slice();
        let lines = vec![line; 1200];
        assert_eq!(batch_end(&lines, 0, 0), 500);
        assert_eq!(batch_end(&lines, 1000, 0), 1200);
    }

    #[test]
    fn batches_respect_the_size_limit() {
        let big = vec![b'x'; 1024 * 1024 - 100];
        let lines: Vec<&[u8]> = (0..8).map(|_| big.as_slice()).collect();
        assert_eq!(batch_end(&lines, 0, 0), 5);
    }

    #[test]
    fn partition_keys_are_spread_and_reproducible() {
        // 7 × 2654435761 mod 2^32 = 0x5384_53d7.
        assert_eq!(partition_key(7), "538453d7");
        assert_eq!(partition_key(0), "00000000");
        assert_ne!(partition_key(1), partition_key(2));
    }
}
