//! `stridewise consolidate`: service models -> one application model.

use std::path::PathBuf;

use anyhow::{Context, Result};
use serde_json::json;
use stridewise_core::catalog::Catalog;
use stridewise_core::{app, model};

use super::{CLEAN, Format};

/// Consolidate service models into one application-level model.
///
/// Shared resources (same `shared_key`) become one element, references to other services'
/// elements become flows inside the application, shared boundaries merge, and every object
/// records the services it came from. Disagreements between services are reported.
#[derive(clap::Args)]
#[command(after_help = "\
Examples:
  stridewise consolidate models/mc-*.stride.json --name mission-critical -o app.stride.json
  stridewise consolidate models/mc-*.stride.json --format json | jq .diagnostics")]
pub struct Args {
    /// Service model files (`.stride.json`).
    #[arg(required_unless_present = "workspace", value_name = "MODEL")]
    models: Vec<PathBuf>,
    /// The application's name (default: "application", or `--app` with a workspace).
    #[arg(long)]
    name: Option<String>,
    /// Consolidate the head revisions of an application's services in this workspace and
    /// save the result there as a revision of the application model; threats are shown with
    /// the application's triage decisions.
    #[arg(long, value_name = "FILE", conflicts_with = "models", requires = "app")]
    workspace: Option<PathBuf>,
    /// With `--workspace`: the application.
    #[arg(long, value_name = "NAME", requires = "workspace")]
    app: Option<String>,
    /// Write the application model here.
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Print how long each phase took to standard error (for benchmarks).
    #[arg(long, hide = true)]
    timings: bool,
}

pub fn run(args: Args) -> Result<u8> {
    let started = std::time::Instant::now();
    let name = args
        .name
        .clone()
        .or_else(|| args.app.clone())
        .unwrap_or_else(|| "application".into());
    let (c, threats, attack_paths, saved, services) = match (&args.workspace, &args.app) {
        (Some(file), Some(app)) => {
            let ws = super::workspace::open(file)?;
            let author = app::triage::default_author();
            let done =
                app::workspace::consolidate_application(&ws, app, Catalog::builtin(), &author)
                    .with_context(|| {
                        format!(
                            "cannot consolidate '{app}' in '{}'",
                            super::workspace::shown(file)
                        )
                    })?;
            if args.timings {
                errln!(
                    "timings: consolidate, save and analyse {:.1} ms",
                    started.elapsed().as_secs_f64() * 1e3
                );
            }
            let services: Vec<String> = done.services.iter().map(|s| s.name.clone()).collect();
            (
                done.consolidation,
                done.analysis,
                done.attack_paths,
                Some(done.revision),
                services,
            )
        }
        _ => {
            let models = args
                .models
                .iter()
                .map(|p| model::load(p).map_err(anyhow::Error::from))
                .collect::<Result<Vec<_>>>()?;
            let loaded = std::time::Instant::now();
            // The application model's own threats: every catalog rule plus the
            // application-level ones, with their origins, and attack paths for the high and
            // critical ones on assets.
            let done = app::models::consolidate_files(&name, &models, Catalog::builtin());
            if args.timings {
                errln!(
                    "timings: load {:.1} ms, consolidate, analyse and find attack paths {:.1} ms ({} threats, {} with paths)",
                    (loaded - started).as_secs_f64() * 1e3,
                    loaded.elapsed().as_secs_f64() * 1e3,
                    done.analysis.threats.len(),
                    done.attack_paths.len()
                );
            }
            let services = models.iter().map(|m| m.name.clone()).collect();
            (
                done.consolidation,
                done.analysis,
                done.attack_paths,
                None,
                services,
            )
        }
    };
    if let Some(out) = &args.output {
        model::save(&c.model, out).with_context(|| format!("cannot write '{}'", out.display()))?;
    }
    match args.format {
        Format::Json => {
            let doc = json!({
                "threats": threats.threats,
                "summary": threats.summary,
                "attack_paths": attack_paths,
                "saved_revision": saved.as_ref().map(|r| r.id.to_string()),
                "application": c.model.name,
                "services": services,
                "elements": c.model.elements.len(),
                "flows": c.model.flows.len(),
                "boundaries": c.model.boundaries.len(),
                "diagnostics": c.diagnostics,
            });
            outln!("{}", serde_json::to_string_pretty(&doc)?);
        }
        Format::Text => {
            use std::fmt::Write as _;
            let mut out = String::new();
            let _ = writeln!(
                out,
                "application '{}' from {} services: {} elements, {} flows, {} boundaries",
                c.model.name,
                services.len(),
                c.model.elements.len(),
                c.model.flows.len(),
                c.model.boundaries.len()
            );
            let shared = c.model.elements.iter().filter(|e| e.origins.len() > 1);
            for e in shared {
                let _ = writeln!(
                    out,
                    "  shared: {} '{}' ({})",
                    e.kind.label(),
                    e.name,
                    e.origins.join(", ")
                );
            }
            for d in &c.diagnostics {
                let _ = writeln!(out, "  {d}");
            }
            let app_level: Vec<_> = threats.threats.iter().filter(|t| t.app_level).collect();
            let _ = writeln!(
                out,
                "{} threats, {} of them only visible at application level:",
                threats.threats.len(),
                app_level.len()
            );
            for t in app_level {
                let _ = writeln!(
                    out,
                    "  {:<8} {:<18} {}",
                    t.severity.as_str(),
                    t.rule,
                    t.title
                );
            }
            let _ = writeln!(out, "attack paths to high and critical threats on assets:");
            for tp in attack_paths.iter().take(10) {
                let _ = writeln!(out, "  {} ({})", tp.title, tp.severity);
                for p in &tp.paths {
                    let _ = writeln!(out, "    {}", p.summary);
                }
            }
            if let Some(path) = &args.output {
                let _ = writeln!(out, "wrote {}", path.display());
            }
            if let Some(r) = &saved {
                let _ = writeln!(
                    out,
                    "saved in the workspace as revision #{} {}",
                    r.seq, r.id
                );
            }
            super::print(&out)?;
        }
    }
    Ok(CLEAN)
}
