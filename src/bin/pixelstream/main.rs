//! `pixelstream`: replay CloudFront real-time log lines through the Lambda's batch function,
//! locally, and print or store what Firehose would.

mod replay;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use pixelstream::record::COLUMNS;

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
    /// Input file; standard input when absent or `-`.
    file: Option<PathBuf>,
    /// `tsv`: one raw log line per input line; `firehose`: a Firehose transformation event.
    #[arg(long, value_enum, default_value_t = InputFormat::Tsv)]
    format: InputFormat,
    /// Field list of the log: `default`, `ownstats`, or comma-separated CloudFront field names.
    #[arg(long, default_value = "default")]
    fields: String,
    /// Allowed domains, comma-separated; `*` allows any (local use only).
    #[arg(long, default_value = "*")]
    domains: String,
    /// Write records the way Firehose would, one directory per partition, failures under
    /// `errors/`, and print a per-partition summary instead of the records.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Input format of `replay`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// One CloudFront real-time log line per line.
    Tsv,
    /// A Firehose data-transformation event (JSON).
    Firehose,
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
        Command::Schema { format } => {
            print!("{}", schema(format));
            Ok(())
        }
    }
}

fn schema(format: SchemaFormat) -> String {
    match format {
        SchemaFormat::Markdown => {
            let mut out = String::from("| column | type | meaning |\n|---|---|---|\n");
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
