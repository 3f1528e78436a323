//! `stridewise report`: one self-contained HTML file with the threat model of some models.
//!
//! Also holds [`Inputs`], how `report`, `export` and `check` name the models they cover.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use stridewise_core::app;
use stridewise_core::catalog::Catalog;
use stridewise_core::file::write_atomic;
use stridewise_core::model::Severity;
use stridewise_core::report::{self, ModelSection, ReportInput, ReportOptions};

use super::CLEAN;

/// The models a report, an export or a check covers, and the catalog to analyse them with.
#[derive(clap::Args)]
pub struct Inputs {
    /// Model files: `.stride.json`, or pytm JSON.
    #[arg(required_unless_present = "workspace", value_name = "MODEL")]
    pub files: Vec<PathBuf>,
    /// Cover the head revisions of a workspace's services instead, with their triage
    /// decisions (and, in a report, the consolidated application model).
    #[arg(long, value_name = "FILE", conflicts_with = "files")]
    pub workspace: Option<PathBuf>,
    /// With `--workspace`: only this application's services.
    #[arg(long, value_name = "NAME", requires = "workspace")]
    pub app: Option<String>,
    /// With `--workspace`: only these services (repeatable).
    #[arg(long, value_name = "NAME", requires = "workspace")]
    pub service: Vec<String>,
    /// A rule pack to add to the catalog (repeatable).
    #[arg(long = "catalog", value_name = "FILE")]
    pub catalogs: Vec<PathBuf>,
    /// Use only the `--catalog` packs, not the built-in catalog.
    #[arg(long)]
    pub no_builtin_catalog: bool,
}

impl Inputs {
    pub fn catalog(&self) -> Result<Catalog> {
        if self.catalogs.is_empty() && !self.no_builtin_catalog {
            Ok(Catalog::builtin().clone())
        } else {
            Ok(Catalog::load(&self.catalogs, !self.no_builtin_catalog)?)
        }
    }

    /// Reads, validates and analyses every model, with the consolidated application and the
    /// review history of a workspace (`app::report::from_workspace`, as the desktop's report).
    /// A file that cannot be read or is not a valid model is an error naming the file and its
    /// problems.
    pub fn read(&self, catalog: &Catalog) -> Result<app::report::WorkspaceReport> {
        if let Some(file) = &self.workspace {
            let ws = super::workspace::open(file)?;
            // A server workspace is shown without its password, here and in SARIF locations.
            let shown = super::workspace::shown(file);
            let mut parts =
                app::report::from_workspace(&ws, self.app.as_deref(), &self.service, catalog)
                    .with_context(|| format!("cannot report on workspace '{shown}'"))?;
            // The models live in the workspace file: SARIF locations point to it.
            for s in &mut parts.models {
                s.file = Some(shown.clone());
            }
            return Ok(parts);
        }
        let mut models = Vec::new();
        for path in &self.files {
            let m = super::analyze::read_model(path)?;
            app::workspace::require_valid(&m, &catalog.stencils, &path.display().to_string())?;
            let revision = match &m.lineage {
                Some(l) => format!("workspace revision {}", l.revision),
                None => file_name(path),
            };
            models.push(ModelSection::analyzed(
                m,
                revision,
                Some(path.display().to_string()),
                catalog,
            ));
        }
        Ok(app::report::WorkspaceReport {
            models,
            application: None,
            reviews: Vec::new(),
        })
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

pub fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::parse(s).ok_or_else(|| format!("'{s}' is not one of low, medium, high, critical"))
}

/// Which threats a report or an export leaves out.
#[derive(clap::Args)]
pub struct Filters {
    /// Leave out threats whose status is `mitigated`.
    #[arg(long)]
    pub exclude_mitigated: bool,
    /// Leave out threats marked `not_applicable` and threats on out-of-scope elements or flows.
    #[arg(long)]
    pub exclude_out_of_scope: bool,
    /// Leave out threats below this severity: low, medium, high or critical.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub min_severity: Option<Severity>,
}

impl Filters {
    pub fn options(&self) -> ReportOptions {
        ReportOptions {
            exclude_mitigated: self.exclude_mitigated,
            exclude_out_of_scope: self.exclude_out_of_scope,
            min_severity: self.min_severity,
            ..ReportOptions::default()
        }
    }
}

/// Write the threat model of some models as one self-contained HTML file: summary, diagrams,
/// threats per element and flow, and a mitigation checklist. It needs no script and loads
/// nothing: it opens offline, and prints to clean A4 or Letter pages.
#[derive(clap::Args)]
#[command(after_help = "\
Examples:
  stridewise report models/*.stride.json -o threat-model.html
  stridewise report --title 'Payments, sprint 24' --min-severity medium payments.stride.json -o report.html
  stridewise report --exclude-mitigated --exclude-out-of-scope app.stride.json -o open-work.html")]
pub struct Args {
    #[command(flatten)]
    inputs: Inputs,
    /// The HTML file to write.
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
    /// The report's title; by default named after the models.
    #[arg(long)]
    title: Option<String>,
    /// A person who wrote the models, shown on the cover (repeatable).
    #[arg(long = "author", value_name = "NAME")]
    authors: Vec<String>,
    /// A person who reviewed the models (repeatable); by default the people who took triage
    /// decisions.
    #[arg(long = "reviewer", value_name = "NAME")]
    reviewers: Vec<String>,
    #[command(flatten)]
    filters: Filters,
    /// Print how long reading, analysis and rendering took, to stderr.
    #[arg(long)]
    timings: bool,
}

pub fn run(args: Args) -> Result<u8> {
    let t0 = std::time::Instant::now();
    let catalog = args.inputs.catalog()?;
    let app::report::WorkspaceReport {
        models,
        application,
        reviews,
    } = args.inputs.read(&catalog)?;
    let t_models = t0.elapsed();
    let title = args.title.unwrap_or_else(|| match models.as_slice() {
        [one] => format!("{}: threat model", one.model.name),
        many => format!(
            "Threat model: {}",
            many.iter()
                .map(|s| s.model.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    });
    let input = ReportInput {
        title,
        generated_at: app::report::generated_at(),
        authors: args.authors,
        reviewers: args.reviewers,
        models,
        application,
        reviews,
        options: args.filters.options(),
    };
    let t1 = std::time::Instant::now();
    let html = report::render_html(&input).context("cannot render the report")?;
    let t_render = t1.elapsed();
    write_atomic(&args.output, html.as_bytes())
        .with_context(|| format!("cannot write '{}'", args.output.display()))?;
    if args.timings {
        errln!(
            "read, validate and analyse: {:.1} ms; render: {:.1} ms ({} bytes); total {:.1} ms",
            t_models.as_secs_f64() * 1e3,
            t_render.as_secs_f64() * 1e3,
            html.len(),
            t0.elapsed().as_secs_f64() * 1e3
        );
    }
    let threats = input.counted().len();
    errln!(
        "wrote {} ({} model{}, {} threats)",
        args.output.display(),
        input.models.len(),
        if input.models.len() == 1 { "" } else { "s" },
        threats
    );
    // The process ends here: freeing a 10,000-element model and its 70,000 findings piece by
    // piece took a third of a second in the benchmark, for nothing.
    std::mem::forget(input);
    std::mem::forget(html);
    Ok(CLEAN)
}
