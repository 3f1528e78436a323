//! `stridewise export`: a native model written in another tool's format.

use std::path::PathBuf;

use anyhow::{Context, Result};
use stridewise_core::interop::{otm, threat_dragon};
use stridewise_core::model;

use super::CLEAN;

/// The formats `export` writes. New formats add a variant here and an arm in [`run`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// OWASP Threat Dragon v2 JSON (one diagram).
    ThreatDragon,
    /// Open Threat Model (OTM) 0.2.0 JSON.
    Otm,
}

/// Export a model to another tool's format.
#[derive(clap::Args)]
#[command(after_help = "\
Examples:
  stridewise export payments.stride.json --format threat-dragon -o payments.td.json
  stridewise export payments.stride.json --format otm -o payments.otm.json")]
pub struct Args {
    /// The model file (`.stride.json`).
    #[arg(value_name = "MODEL")]
    model: PathBuf,
    /// The format to write.
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// The file to write; standard output when absent.
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<u8> {
    let m = model::load(&args.model)?;
    let (text, warnings) = match args.format {
        ExportFormat::ThreatDragon => (
            pretty(&threat_dragon::export(&m)),
            threat_dragon::export_report(&m),
        ),
        ExportFormat::Otm => (pretty(&otm::export(&m)), Vec::new()),
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, text.as_bytes())
                .with_context(|| format!("cannot write '{}'", path.display()))?;
            eprintln!("{} -> {}", args.model.display(), path.display());
        }
        None => print!("{text}"),
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
