//! Argument parsing and dispatch. Each subcommand lives in its own file and only parses,
//! calls `stridewise-core` and prints.

mod analyze;
mod catalog;
mod check;
mod consolidate;
mod diff;
mod export;
mod export_findings;
mod import;
mod merge;
mod report;
mod review;
mod triage;
mod validate;
mod workspace;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  stridewise validate models/*.stride.json
  stridewise validate --format json payments.stride.json
  stridewise fmt models/*.stride.json
  stridewise analyze --format json models/*.stride.json
  stridewise catalog check --source guidance.txt
  stridewise report models/*.stride.json -o threat-model.html
  stridewise export models/*.stride.json --format sarif -o stridewise.sarif
  stridewise check models/*.stride.json --fail-on high
  stridewise diff old.stride.json new.stride.json
  stridewise merge base.stride.json ours.stride.json theirs.stride.json -o merged.stride.json
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
    Consolidate(consolidate::Args),
    Workspace(workspace::Args),
    Triage(triage::Args),
    Analyze(analyze::Args),
    Catalog(catalog::Args),
    Report(report::Args),
    Export(export::Args),
    Check(check::Args),
    Review(review::Args),
    Diff(diff::Args),
    Merge(merge::Args),
    MergeDriver(merge::DriverArgs),
    Import(import::Args),
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

/// Writes to stdout; a closed pipe (`| head`) is not an error.
pub fn print(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// Writes pretty JSON and a newline to stdout, streamed; a closed pipe is not an error.
pub fn write_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let result = serde_json::to_writer_pretty(&mut out, value)
        .map_err(std::io::Error::from)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    match result {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Validate(args) => validate::run(args),
        Command::Schema(args) => validate::schema(args),
        Command::Fmt(args) => validate::fmt(args),
        Command::Consolidate(args) => consolidate::run(args),
        Command::Workspace(args) => workspace::run(args),
        Command::Triage(args) => triage::run(args),
        Command::Analyze(args) => analyze::run(args),
        Command::Catalog(args) => catalog::run(args),
        Command::Report(args) => report::run(args),
        Command::Export(args) => export::run(args),
        Command::Check(args) => check::run(args),
        Command::Review(args) => review::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Merge(args) => merge::run(args),
        Command::MergeDriver(args) => merge::driver(args),
        Command::Import(args) => import::run(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            // The core's stable code, as the desktop app receives it for the same refusal.
            match err.chain().find_map(stridewise_core::app::code::code_of) {
                Some(code) => eprintln!("error[{code}]: {err:#}"),
                None => eprintln!("error: {err:#}"),
            }
            ExitCode::from(ERROR)
        }
    }
}
