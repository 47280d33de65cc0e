//! `pixelstream`: replay CloudFront real-time log lines through the Lambda's batch function,
//! locally, and print or store what Firehose would.

/// Building uap-core's regexes is allocation-heavy; mimalloc makes cold starts shorter.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod input;
mod parquet;
mod progress;
#[cfg(feature = "kinesis")]
mod put;
mod replay;
mod tree;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use pixelstream_core::emit::record::COLUMNS;
use pixelstream_edge::env;

#[derive(Parser)]
#[command(name = "pixelstream", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Replay log lines (or a Firehose event) through the transformation and show the result.
    Replay(ReplayArgs),
    /// Replay the raw records of Firehose's error objects (`errors/processing-failed/`)
    /// through the transformation, once their cause is fixed.
    Reprocess(ReprocessArgs),
    /// Send log lines to a Kinesis stream as CloudFront's real-time logs do.
    #[cfg(feature = "kinesis")]
    Put(put::PutArgs),
    /// Print the output schema (the columns of the analytics table).
    Schema {
        /// Output form.
        #[arg(long, value_enum, default_value_t = SchemaFormat::Markdown)]
        format: SchemaFormat,
    },
}

/// Arguments of `pixelstream replay`.
#[derive(Parser)]
pub struct ReplayArgs {
    /// Files or folders of log lines (plain or gzip, e.g. CloudFront log exports); standard
    /// input when absent or `-`.
    inputs: Vec<PathBuf>,
    /// `tsv`: one raw log line per input line; `firehose`: a Firehose transformation event.
    #[arg(long, value_enum, default_value_t = InputFormat::Tsv)]
    format: InputFormat,
    #[command(flatten)]
    options: ReplayOptions,
}

/// Arguments of `pixelstream reprocess`.
#[derive(Parser)]
pub struct ReprocessArgs {
    /// Files or folders of Firehose error objects (JSON documents with a base64 `rawData`,
    /// plain or gzip); standard input when absent or `-`.
    inputs: Vec<PathBuf>,
    #[command(flatten)]
    options: ReplayOptions,
}

/// What a replay does with its lines: the pipeline's configuration, the salt and the output.
#[derive(clap::Args)]
pub struct ReplayOptions {
    /// Field list of the log: `default`, `ownstats`, or comma-separated CloudFront field names.
    #[arg(long, default_value = "default")]
    fields: String,
    /// Allowed domains, comma-separated; `*` allows any (local use only).
    #[arg(long, default_value = "*")]
    domains: String,
    /// Secret from which each day's salt is derived (prefer --salt-file or PIXELSTREAM_SALT:
    /// a flag shows in the process list). Without any, a random salt is used for this run.
    #[arg(long, env = env::SALT, hide_env_values = true)]
    salt: Option<String>,
    /// File holding the secret salt (its bytes, trailing newline ignored).
    #[arg(long, conflicts_with = "salt")]
    salt_file: Option<PathBuf>,
    /// Write records the way Firehose would, one directory per partition, failures under
    /// `errors/`, and print a per-partition summary instead of the records.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Format of the data objects under `--out`: Snappy Parquet as Firehose's record format
    /// conversion writes it, or NDJSON as the Lambda hands it to Firehose.
    #[arg(long, value_enum, default_value_t = OutFormat::Parquet, requires = "out")]
    out_format: OutFormat,
}

/// Format of the data objects `replay --out` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutFormat {
    /// Snappy Parquet with the Glue table's Hive types.
    Parquet,
    /// One compact JSON record per line.
    Ndjson,
}

/// Input format of `replay`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// One CloudFront real-time log line per line.
    Tsv,
    /// A Firehose data-transformation event (JSON).
    Firehose,
    /// Firehose's error objects, read as the log lines they hold (`reprocess`).
    #[value(skip)]
    FirehoseErrors,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SchemaFormat {
    /// A Markdown table of columns, types and meanings.
    Markdown,
    /// A JSON array of `{name, type, doc}`.
    Json,
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("pixelstream: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Replay(args) => replay::run(&args),
        Command::Reprocess(args) => replay::run(&ReplayArgs {
            inputs: args.inputs,
            format: InputFormat::FirehoseErrors,
            options: args.options,
        }),
        #[cfg(feature = "kinesis")]
        Command::Put(args) => put::run(&args),
        Command::Schema { format } => {
            print!("{}", schema(format));
            Ok(())
        }
    }
}

fn schema(format: SchemaFormat) -> String {
    match format {
        SchemaFormat::Markdown => {
            let mut out = String::from(
                "# Output schema\n\nOne row per kept hit. Generated by `pixelstream schema` from the \
                 record type (`core/src/emit/record.rs`); the partition columns `domain_name`, `event_type` and \
                 `event_date` come from the Firehose partition keys.\n\n\
                 | column | type | meaning |\n|---|---|---|\n",
            );
            for column in COLUMNS {
                out.push_str(&format!(
                    "| `{}` | {} | {} |\n",
                    column.name, column.glue_type, column.doc
                ));
            }
            out
        }
        SchemaFormat::Json => {
            let columns: Vec<_> = COLUMNS
                .iter()
                .map(|c| serde_json::json!({"name": c.name, "type": c.glue_type, "doc": c.doc}))
                .collect();
            format!("{}\n", serde_json::Value::Array(columns))
        }
    }
}
