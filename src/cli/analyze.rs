//! `stridewise analyze`: threats of one or more models (native `.stride.json` or pytm JSON).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use stridewise_core::app::{self, Analysis, Summary, TargetKind, Threat};
use stridewise_core::catalog::Catalog;
use stridewise_core::interop::pytm;
use stridewise_core::model::{self, ServiceModel, Severity};

use super::{CLEAN, ERROR, FOUND, Format};

/// Suggest STRIDE threats and mitigations for models.
///
/// Reads native models and pytm JSON models (detected by content). Exits 0, or 1 when
/// `--fail-on` names a severity and an unresolved threat reaches it, or 2 on error.
#[derive(clap::Args)]
#[command(after_help = "\
Examples:
  stridewise analyze models/payments.stride.json
  stridewise analyze --format json models/*.stride.json | jq '.summary'
  stridewise analyze --catalog my-rules.toml --fail-on high app.stride.json
  stridewise analyze pytm-model.json
  stridewise analyze --workspace shop.stridewise --app shop --format json")]
pub struct Args {
    /// Model files: `.stride.json`, or pytm JSON.
    #[arg(required_unless_present = "workspace", value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Analyse the head revision of every service in this workspace instead, with each
    /// threat's triage state (`status`). Decisions of threats that no longer fire are marked
    /// obsolete, and come back with their state when the threat does.
    #[arg(long, value_name = "WORKSPACE", conflicts_with = "files")]
    workspace: Option<PathBuf>,
    /// With `--workspace`: only this application's services.
    #[arg(long, value_name = "NAME", requires = "workspace")]
    app: Option<String>,
    /// Output format. JSON is one object: `{"threats": [...], "summary": {...}}` over all files.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// A rule pack to add to the catalog (repeatable).
    #[arg(long = "catalog", value_name = "FILE")]
    catalogs: Vec<PathBuf>,
    /// Use only the `--catalog` packs, not the built-in catalog.
    #[arg(long)]
    no_builtin_catalog: bool,
    /// Exit 1 when an unresolved threat has at least this severity.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    fail_on: Option<Severity>,
    /// Print how long loading, parsing and analysis took, to stderr.
    #[arg(long)]
    timings: bool,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::parse(s).ok_or_else(|| format!("'{s}' is not one of low, medium, high, critical"))
}

/// Reads a model file in either format.
pub fn read_model(path: &std::path::Path) -> Result<ServiceModel> {
    let bytes = stridewise_core::input::read_limited(path, model::MAX_FILE_BYTES)?;
    if pytm::looks_like_pytm(&bytes) {
        Ok(pytm::from_json(&bytes, path)?)
    } else {
        Ok(model::from_json(&bytes, path)?)
    }
}

pub fn run(args: Args) -> Result<u8> {
    let t0 = Instant::now();
    let owned;
    let catalog: &Catalog = if args.catalogs.is_empty() && !args.no_builtin_catalog {
        Catalog::builtin()
    } else {
        owned = Catalog::load(&args.catalogs, !args.no_builtin_catalog)?;
        &owned
    };
    if args.timings {
        errln!("catalog: {:.1} ms ({} rules)", ms(t0), catalog.rules.len());
    }

    let mut code = CLEAN;
    let mut results: Vec<(PathBuf, ServiceModel, Analysis)> = Vec::new();
    if let Some(file) = &args.workspace {
        results = analyze_workspace(file, args.app.as_deref(), catalog)?;
    }
    for path in &args.files {
        let t1 = Instant::now();
        let m = match read_model(path) {
            Ok(m) => m,
            Err(err) => {
                errln!("error: {err:#}");
                code = ERROR;
                continue;
            }
        };
        let parsed = ms(t1);
        let errors: Vec<_> = model::validate(&m, &catalog.stencils)
            .into_iter()
            .filter(|d| d.is_error())
            .collect();
        if !errors.is_empty() {
            errln!("error: '{}' is not a valid model:", path.display());
            for d in errors {
                errln!("  {d}");
            }
            code = ERROR;
            continue;
        }
        let t2 = Instant::now();
        let cpu0 = thread_cpu_ns();
        let a = app::models::analyze(&m, catalog);
        let analyzed = ms(t2);
        let analyzed_cpu = match (cpu0, thread_cpu_ns()) {
            (Some(a), Some(b)) => format!(", {:.1} ms on CPU", (b - a) as f64 / 1e6),
            _ => String::new(),
        };
        if args.timings {
            errln!(
                "{}: parse {parsed:.1} ms, analysis {analyzed:.1} ms{analyzed_cpu} ({} elements, {} flows, {} threats)",
                path.display(),
                m.elements.len(),
                m.flows.len(),
                a.threats.len()
            );
        }
        results.push((path.clone(), m, a));
    }

    if let Some(level) = args.fail_on {
        let hit = results.iter().any(|(_, _, a)| {
            a.threats
                .iter()
                .any(|t| t.severity >= level && t.status.is_none_or(|s| s.is_unresolved()))
        });
        if hit && code == CLEAN {
            code = FOUND;
        }
    }

    let t3 = Instant::now();
    match args.format {
        Format::Json => {
            // Streamed straight to stdout: no copy of the threats, no JSON tree in memory.
            #[derive(serde::Serialize)]
            struct Out<'a> {
                threats: Vec<&'a Threat>,
                summary: Summary,
                /// The models with merge conflicts nobody has decided yet.
                #[serde(skip_serializing_if = "Vec::is_empty")]
                conflicts: Vec<Conflicts<'a>>,
            }
            #[derive(serde::Serialize)]
            struct Conflicts<'a> {
                model: &'a str,
                unresolved: &'a [model::MergeConflict],
            }
            let threats: Vec<&Threat> = results.iter().flat_map(|(_, _, a)| &a.threats).collect();
            let summary = Summary::of(threats.iter().copied());
            let conflicts = results
                .iter()
                .filter(|(_, m, _)| !m.conflicts.is_empty())
                .map(|(_, m, _)| Conflicts {
                    model: &m.name,
                    unresolved: &m.conflicts,
                })
                .collect();
            super::write_json(&Out {
                threats,
                summary,
                conflicts,
            })?;
        }
        Format::Text => {
            let mut text = String::new();
            for (path, m, a) in &results {
                render_text(&mut text, path, m, a);
            }
            super::print(&text)?;
        }
    }
    if args.timings {
        errln!("output: {:.1} ms; total {:.1} ms", ms(t3), ms(t0));
    }
    Ok(code)
}

/// Analyses the head revision of every service of a workspace (of one application when
/// `app` is given), records which threats fire so that decisions of vanished threats turn
/// obsolete, and fills each threat's triage state.
fn analyze_workspace(
    file: &std::path::Path,
    app: Option<&str>,
    catalog: &Catalog,
) -> Result<Vec<(PathBuf, ServiceModel, Analysis)>> {
    let ws = super::workspace::open(file)?;
    let author = app::triage::default_author();
    let analysed = app::workspace::analyze_services(&ws, app, catalog, &author)?;
    let matched = !analysed.is_empty();
    let results: Vec<_> = analysed
        .into_iter()
        .map(|(summary, m, a)| {
            let label = PathBuf::from(format!(
                "{}#{}/{}",
                super::workspace::shown(file),
                summary.application,
                summary.name
            ));
            (label, m, a)
        })
        .collect();
    if !matched {
        match app {
            Some(app) => Err(app::AppError::new(
                app::ErrorCode::NotFound,
                format!(
                    "workspace '{}' has no application '{app}'",
                    super::workspace::shown(file)
                ),
            ))?,
            None => Err(app::AppError::new(
                app::ErrorCode::NotFound,
                format!(
                    "workspace '{}' has no service models yet; add some with `stridewise workspace add`",
                    super::workspace::shown(file)
                ),
            ))?,
        }
    }
    Ok(results)
}

/// Nanoseconds this thread has spent on a CPU (Linux `schedstat`), so that `--timings` can tell
/// the analysis cost apart from time spent waiting on a busy machine.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn render_text(out: &mut String, path: &std::path::Path, m: &ServiceModel, a: &Analysis) {
    use std::fmt::Write as _;
    let s = &a.summary;
    let sev: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .map(|v| format!("{} {}", s.by_severity.get(v).copied().unwrap_or(0), v))
        .collect();
    let _ = writeln!(
        out,
        "{}: {} ({} elements, {} flows): {} threats ({})",
        path.display(),
        m.name,
        m.elements.len(),
        m.flows.len(),
        s.total,
        sev.join(", ")
    );
    if !m.conflicts.is_empty() {
        let n = m.conflicts.len();
        let _ = writeln!(
            out,
            "  {n} unresolved merge conflict{}: the threats use the merged values, which nobody chose yet; `stridewise resolve` lists them",
            if n == 1 { "" } else { "s" }
        );
    }
    // Group by what the threat is about, in a stable order: elements, then flows, by name.
    let mut groups: BTreeMap<(u8, String, uuid::Uuid), Vec<&Threat>> = BTreeMap::new();
    for t in &a.threats {
        let order = match t.target.kind {
            TargetKind::Flow => 1,
            _ => 0,
        };
        groups
            .entry((order, t.target.name.to_string(), t.target.id))
            .or_default()
            .push(t);
    }
    for ((_, _, _), mut threats) in groups {
        let first = threats[0];
        let _ = writeln!(out);
        let _ = match &first.flow {
            Some(ends) => writeln!(
                out,
                "  flow \"{}\" ({} -> {})",
                first.target.name, ends.source.name, ends.target.name
            ),
            None => writeln!(
                out,
                "  {} \"{}\"",
                first.target.kind.as_str().replace('_', " "),
                first.target.name
            ),
        };
        threats.sort_by(|x, y| y.severity.cmp(&x.severity).then(x.rule.cmp(&y.rule)));
        for t in threats {
            let status = t
                .status
                .filter(|s| !matches!(s, model::TriageStatus::Open))
                .map(|s| format!(" [{s}]"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "    {:<8} {}  {:<16} {}{status}",
                t.severity.as_str(),
                t.stride.letter(),
                t.rule,
                t.title
            );
            let mits: Vec<&str> = t.mitigations.iter().map(|m| &*m.id).collect();
            let _ = writeln!(
                out,
                "    {:<8}    {:<16} mitigations: {}",
                "",
                "",
                mits.join(", ")
            );
            // The key `stridewise triage` asks for.
            let _ = writeln!(out, "    {:<8}    {:<16} key: {}", "", "", t.key);
        }
    }
    let _ = writeln!(out);
}
