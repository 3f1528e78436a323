//! `stridewise threat`: threats written by hand in a model file. The rules (a title, a target
//! that exists, the decision following a moved threat) are the core's
//! (`ServiceModel::add_threat` and its siblings); this file parses and prints.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use stridewise_core::model::{self, ManualThreat, Rating, ServiceModel, Stride, ThreatId};

use super::CLEAN;
use super::workspace::author;

/// Add, edit, remove or list the threats written by hand in a model file.
///
/// A hand-written threat is part of the model: `analyze`, `report`, `export` and `check` show
/// it next to the catalog's threats, keyed `MANUAL-<id>@<target>`, and triage works on it
/// like on any other threat.
#[derive(clap::Args)]
#[command(after_help = "\
Examples:
  stridewise threat add orders.stride.json --title 'Token replay' --stride spoofing --on 'Orders API' --likelihood high --impact high
  stridewise threat add orders.stride.json --title 'Insider copies data' --stride information_disclosure --on model
  stridewise threat list orders.stride.json
  stridewise threat edit orders.stride.json 6f1c... --impact low
  stridewise threat remove orders.stride.json 6f1c...")]
pub struct Args {
    #[command(subcommand)]
    command: Action,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Add a threat; prints its key.
    Add {
        /// The model file (`.stride.json`).
        file: PathBuf,
        #[command(flatten)]
        fields: Fields,
    },
    /// Change a threat's fields; the ones not given stay as they are.
    Edit {
        file: PathBuf,
        /// The threat's id (as `list` prints it).
        id: ThreatId,
        #[command(flatten)]
        fields: Fields,
    },
    /// Remove a threat and the triage decision on it.
    Remove { file: PathBuf, id: ThreatId },
    /// List the hand-written threats.
    List { file: PathBuf },
}

#[derive(clap::Args)]
struct Fields {
    #[arg(long)]
    title: Option<String>,
    /// spoofing, tampering, repudiation, information_disclosure, denial_of_service or
    /// elevation_of_privilege.
    #[arg(long, value_parser = parse_stride)]
    stride: Option<Stride>,
    /// What it is about: `model`, or the name or id of an element, flow or trust boundary.
    #[arg(long, value_name = "NAME")]
    on: Option<String>,
    /// low, medium (default) or high.
    #[arg(long, value_parser = parse_rating)]
    likelihood: Option<Rating>,
    /// low, medium (default) or high.
    #[arg(long, value_parser = parse_rating)]
    impact: Option<Rating>,
    #[arg(long)]
    description: Option<String>,
    /// A catalog mitigation id; repeat for several (replaces the list on edit).
    #[arg(long = "mitigation", value_name = "ID")]
    mitigations: Vec<String>,
    /// A mitigation in your own words; repeat for several (replaces the list on edit).
    #[arg(long = "custom-mitigation", value_name = "TEXT")]
    custom_mitigations: Vec<String>,
    /// Who writes it (default: $STRIDEWISE_AUTHOR, else $USER).
    #[arg(long)]
    author: Option<String>,
}

fn parse_stride(s: &str) -> Result<Stride, String> {
    Stride::parse(s).ok_or_else(|| {
        let all: Vec<_> = Stride::ALL.iter().map(|s| s.as_str()).collect();
        format!("'{s}' is not a STRIDE category; one of {}", all.join(", "))
    })
}

fn parse_rating(s: &str) -> Result<Rating, String> {
    Rating::parse(s).ok_or_else(|| format!("'{s}' is not low, medium or high"))
}

fn load(file: &Path) -> Result<ServiceModel> {
    model::load(file).with_context(|| format!("cannot read '{}'", file.display()))
}

fn save(m: &ServiceModel, file: &Path) -> Result<()> {
    model::save(m, file).with_context(|| format!("cannot write '{}'", file.display()))
}

/// Sets the fields given; `target` resolves `--on` in the model.
fn apply(m: &ServiceModel, t: &mut ManualThreat, f: Fields) -> Result<()> {
    if let Some(title) = f.title {
        t.title = title;
    }
    if let Some(s) = f.stride {
        t.stride = s;
    }
    if let Some(on) = f.on {
        t.target = m.threat_target(&on)?;
    }
    if let Some(l) = f.likelihood {
        t.likelihood = l;
    }
    if let Some(i) = f.impact {
        t.impact = i;
    }
    if let Some(d) = f.description {
        t.description = d;
    }
    if !f.mitigations.is_empty() {
        t.mitigations = f.mitigations;
    }
    if !f.custom_mitigations.is_empty() {
        t.custom_mitigations = f.custom_mitigations;
    }
    t.author = author(f.author);
    Ok(())
}

pub fn run(args: Args) -> Result<u8> {
    let mut out = String::new();
    match args.command {
        Action::Add { file, fields } => {
            let mut m = load(&file)?;
            let (Some(stride), Some(_)) = (fields.stride, fields.on.as_ref()) else {
                bail!("a new threat needs --title, --stride and --on");
            };
            let mut t = ManualThreat::new(String::new(), stride, model::ThreatTarget::Model);
            t.created_at = stridewise_core::store::now();
            apply(&m, &mut t, fields)?;
            let key = m
                .add_threat(t)
                .with_context(|| format!("cannot add the threat to '{}'", file.display()))?;
            save(&m, &file)?;
            bufln!(out, "{key}");
        }
        Action::Edit { file, id, fields } => {
            let mut m = load(&file)?;
            let mut t = m
                .threat(id)
                .cloned()
                .with_context(|| format!("'{}' has no threat {id}", file.display()))?;
            apply(&m, &mut t, fields)?;
            let key = m.update_threat(t)?;
            save(&m, &file)?;
            bufln!(out, "{key}");
        }
        Action::Remove { file, id } => {
            let mut m = load(&file)?;
            let t = m
                .remove_threat(id)
                .with_context(|| format!("cannot remove it from '{}'", file.display()))?;
            save(&m, &file)?;
            bufln!(out, "removed '{}'", t.title);
        }
        Action::List { file } => {
            let m = load(&file)?;
            for t in &m.threats {
                let status = m.triage.get(&t.key()).map_or("open", |d| d.status.as_str());
                bufln!(
                    out,
                    "{}  {}  {}  {}  on {}  [{status}]",
                    t.id,
                    t.severity(),
                    t.stride.letter(),
                    t.title,
                    t.target.describe(&m)
                );
            }
        }
    }
    super::print(&out)?;
    Ok(CLEAN)
}
