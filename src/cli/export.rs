//! `stridewise export`: threats and models in other tools' formats.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::ValueEnum;

use super::CLEAN;
use super::export_findings;
use super::report::{Filters, Inputs};

/// The export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// One row per threat, for issue-tracker imports (RFC 4180, spreadsheet-safe).
    Csv,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
}

/// Export the threats of some models for other tools.
#[derive(clap::Args)]
#[command(after_help = "\
Examples:
  stridewise export models/*.stride.json --format csv -o threats.csv
  stridewise export payments.stride.json --format sarif -o stridewise.sarif")]
pub struct Args {
    #[command(flatten)]
    inputs: Inputs,
    /// The output format.
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// The file to write; standard output when absent.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    filters: Filters,
}

pub fn run(args: Args) -> Result<u8> {
    let text = match args.format {
        ExportFormat::Csv => export_findings::csv(&args.inputs, &args.filters)?,
        ExportFormat::Sarif => export_findings::sarif(&args.inputs, &args.filters)?,
    };
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write '{}'", path.display()))?,
        None => super::print(&text)?,
    }
    Ok(CLEAN)
}
