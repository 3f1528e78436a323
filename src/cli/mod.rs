//! Argument parsing and dispatch. Each subcommand lives in its own file and only parses,
//! calls `stridewise-core` and prints.

mod export;
mod import;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  stridewise validate models/*.stride.json
  stridewise validate --format json payments.stride.json
  stridewise fmt models/*.stride.json
  stridewise schema > stride-model.schema.json";

/// STRIDE threat modeling for service teams: data-flow diagrams, threats and mitigations from a
/// catalog derived from Azure's mission-critical security guidance.
#[derive(Parser)]
#[command(name = "stridewise", version, after_help = EXAMPLES, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Validate(validate::Args),
    Schema(validate::SchemaArgs),
    Fmt(validate::FmtArgs),
    Import(import::Args),
    Export(export::Args),
}

/// How results are printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable text.
    #[default]
    Text,
    /// One JSON document, for machines.
    Json,
}

/// Exit code: the command did what was asked and found nothing to report.
pub const CLEAN: u8 = 0;
/// Exit code: a check found what it was asked about (an error-level diagnostic, a threat).
pub const FOUND: u8 = 1;
/// Exit code: the input could not be processed.
pub const ERROR: u8 = 2;

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Validate(args) => validate::run(args),
        Command::Schema(args) => validate::schema(args),
        Command::Fmt(args) => validate::fmt(args),
        Command::Import(args) => import::run(args),
        Command::Export(args) => export::run(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(ERROR)
        }
    }
}
