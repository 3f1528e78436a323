//! `stridewise export`: threats and models in other tools' formats.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::ValueEnum;
use stridewise_core::file::write_atomic;
use stridewise_core::interop::{otm, threat_dragon};
use stridewise_core::model;

use super::CLEAN;
use super::export_findings;
use super::report::{Filters, Inputs};

/// The export formats. New formats add a variant here and an arm in [`run`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// Threats, one row each, for issue-tracker imports (RFC 4180, spreadsheet-safe).
    Csv,
    /// Threats as SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// The model as OWASP Threat Dragon v2 JSON (one diagram; one model only).
    ThreatDragon,
    /// The model as Open Threat Model (OTM) 0.2.0 JSON (one model only).
    Otm,
}

/// Export threats, or a model, for other tools.
#[derive(clap::Args)]
#[command(after_help = "\
Examples:
  stridewise export models/*.stride.json --format csv -o threats.csv
  stridewise export payments.stride.json --format sarif -o stridewise.sarif
  stridewise export payments.stride.json --format threat-dragon -o payments.td.json
  stridewise export payments.stride.json --format otm -o payments.otm.json")]
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
    let (text, warnings) = match args.format {
        ExportFormat::Csv => (
            export_findings::csv(&args.inputs, &args.filters)?,
            Vec::new(),
        ),
        ExportFormat::Sarif => (
            export_findings::sarif(&args.inputs, &args.filters)?,
            Vec::new(),
        ),
        ExportFormat::ThreatDragon | ExportFormat::Otm => {
            anyhow::ensure!(
                args.inputs.files.len() == 1,
                "--format {:?} writes one model; give exactly one MODEL",
                args.format
            );
            let m = model::load(&args.inputs.files[0])?;
            match args.format {
                ExportFormat::ThreatDragon => (
                    pretty(&threat_dragon::export(&m)),
                    threat_dragon::export_report(&m),
                ),
                _ => (pretty(&otm::export(&m)), Vec::new()),
            }
        }
    };
    match &args.output {
        Some(path) => write_atomic(path, text.as_bytes())
            .with_context(|| format!("cannot write '{}'", path.display()))?,
        None => super::print(&text)?,
    }
    for w in warnings {
        eprintln!("warning: {w}");
    }
    Ok(CLEAN)
}

fn pretty(v: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("a JSON value serializes");
    s.push('\n');
    s
}
