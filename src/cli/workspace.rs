//! `stridewise workspace ...`: create a workspace, add models to it, list, export and show
//! history. Everything is done by `stridewise_core::app`; this file parses and prints.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use serde_json::json;
use stridewise_core::app::{Location, Save, SaveOutcome, Workspace};
use stridewise_core::model::{self, DataFlow, Element, ElementKind, ServiceModel};
use stridewise_core::{app, catalog};

use super::{CLEAN, FOUND, Format};

/// Keep applications, their service models with every revision, and triage decisions in one
/// workspace: a file (`.stridewise`, SQLite), or a database on a PostgreSQL server named by a
/// `postgres://` URL wherever a workspace file is asked for.
#[derive(clap::Args)]
#[command(after_help = "\
Examples:
  stridewise workspace init shop.stridewise
  stridewise workspace add shop.stridewise --app shop models/*.stride.json -m \"first import\"
  stridewise workspace list shop.stridewise
  stridewise workspace history shop.stridewise --service orders
  stridewise workspace export shop.stridewise --service orders -o orders.stride.json

A team workspace on PostgreSQL (an empty database; the password comes from PGPASSWORD or the
password file ~/.pgpass, never the command line; PGHOST, PGPORT, PGUSER, PGSSLMODE... fill in
what the URL leaves out):
  stridewise workspace init 'postgres://ana@db.example.com/threats?sslmode=verify-full'
  stridewise workspace list 'postgres://ana@db.example.com/threats?sslmode=verify-full'

Move a file workspace to the server (an empty database), or back:
  stridewise workspace copy shop.stridewise 'postgres://admin@db.example.com/threats?sslmode=verify-full'
  stridewise workspace copy 'postgres://admin@db.example.com/threats?sslmode=verify-full' shop-copy.stridewise")]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Create a new, empty workspace file, or a workspace in an empty PostgreSQL database. An
    /// existing file or workspace is never replaced.
    Init {
        /// The workspace file to create, e.g. `shop.stridewise`, or `postgres://USER@HOST/DB`.
        file: PathBuf,
    },
    /// Add model files to an application: a new revision for each model that changed.
    ///
    /// A model is identified by its id; a new id makes a new service. A file exported from
    /// this workspace carries the revision it was exported at, and is refused with a conflict
    /// if the service has moved on since (merge it first). Triage decisions in the file are
    /// imported for threats the workspace has no decision for.
    Add {
        file: PathBuf,
        /// The application the services belong to; created if new.
        #[arg(long)]
        app: String,
        /// Model files (`.stride.json`).
        #[arg(required = true, value_name = "MODEL")]
        models: Vec<PathBuf>,
        /// Who saves (default: $STRIDEWISE_AUTHOR, git's user.name, then $USER).
        #[arg(long)]
        author: Option<String>,
        /// What changed.
        #[arg(long, short, default_value = "")]
        message: String,
    },
    /// Write a service's head revision as a `.stride.json` file, with its triage decisions and
    /// its lineage (this workspace and revision), so that it can come back with `add`.
    Export {
        file: PathBuf,
        #[arg(long)]
        service: String,
        /// The application, when several have a service of that name.
        #[arg(long)]
        app: Option<String>,
        #[arg(short, long, value_name = "OUT")]
        output: PathBuf,
    },
    /// Show a service's revisions, newest first.
    History {
        file: PathBuf,
        #[arg(long)]
        service: String,
        #[arg(long)]
        app: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// List applications, their services and head revisions.
    List {
        file: PathBuf,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Check the whole workspace: SQLite integrity and foreign keys (on a server, constraints
    /// left unvalidated), and every stored document against its hash. Exits 1 when a problem
    /// is found.
    Verify { file: PathBuf },
    /// Copy a whole workspace to a new file or an empty PostgreSQL database: every
    /// application, service, revision (parents, authors, times, messages), triage decision
    /// with its history, review and Terraform import. File to server, server to file, or
    /// between two of either. A destination that holds anything is refused; a failed copy
    /// leaves nothing half-written.
    Copy {
        /// The workspace to copy: a file or a `postgres://` URL.
        from: PathBuf,
        /// Where to copy it: a new file, or a `postgres://` URL of an empty database.
        to: PathBuf,
    },
    /// Save a generated model over and over (for the crash-safety test).
    #[command(hide = true)]
    StressSave {
        file: PathBuf,
        /// Elements in the generated model.
        #[arg(long, default_value_t = 1000)]
        elements: usize,
        /// Stop after this many saves (default: never).
        #[arg(long)]
        count: Option<u64>,
        /// Which of several concurrent writers this is: each saves its own model.
        #[arg(long, default_value_t = 0)]
        writer: u32,
    },
}

/// The author to record: the flag, then the core's default (`$STRIDEWISE_AUTHOR`, git's
/// `user.name`, the OS account).
pub fn author(flag: Option<String>) -> String {
    flag.filter(|a| !a.trim().is_empty())
        .unwrap_or_else(stridewise_core::app::triage::default_author)
}

/// Opens a workspace (a file, or a `postgres://` URL) with its name in the error (a URL
/// without its password).
pub fn open(file: &std::path::Path) -> Result<Workspace> {
    Workspace::open(file).with_context(|| format!("cannot open workspace '{}'", shown(file)))
}

/// A workspace argument as messages show it: a URL without its password.
pub fn shown(file: &std::path::Path) -> String {
    Location::from_arg(file).to_string()
}

pub fn run(args: Args) -> Result<u8> {
    match args.command {
        Command::Init { file } => {
            let ws = Workspace::create(&file)
                .with_context(|| format!("cannot create workspace '{}'", shown(&file)))?;
            outln!("{}: new workspace {}", shown(&file), ws.workspace_id());
            Ok(CLEAN)
        }
        Command::Add {
            file,
            app,
            models,
            author: who,
            message,
        } => add(&file, &app, &models, &author(who), &message),
        Command::Export {
            file,
            service,
            app,
            output,
        } => {
            let ws = open(&file)?;
            let summary = ws.find_service(&service, app.as_deref())?;
            let (info, doc) = ws.export(summary.id)?;
            model::save(&doc, &output)
                .with_context(|| format!("cannot write '{}'", output.display()))?;
            outln!(
                "{}: '{}' revision {} ({}), {} triage decisions",
                output.display(),
                doc.name,
                info.seq,
                info.id,
                doc.triage.len()
            );
            Ok(CLEAN)
        }
        Command::History {
            file,
            service,
            app,
            format,
        } => {
            let ws = open(&file)?;
            let summary = ws.find_service(&service, app.as_deref())?;
            let history = ws.history(summary.id)?;
            match format {
                Format::Text => {
                    outln!(
                        "{} / {} ({})",
                        summary.application,
                        summary.name,
                        summary.id
                    );
                    for r in &history {
                        let parents: Vec<String> =
                            r.parents.iter().map(|p| p.to_string()).collect();
                        outln!(
                            "  #{:<4} {}  {}  {}  {}{}",
                            r.seq,
                            r.id,
                            r.created_at,
                            r.author,
                            if r.message.is_empty() {
                                "-"
                            } else {
                                &r.message
                            },
                            if parents.len() > 1 {
                                format!("  (merge of {})", parents.join(", "))
                            } else {
                                String::new()
                            }
                        );
                    }
                }
                Format::Json => {
                    let rows: Vec<_> = history
                        .iter()
                        .map(|r| {
                            json!({
                                "revision": r.id.to_string(),
                                "seq": r.seq,
                                "author": r.author,
                                "time": r.created_at,
                                "message": r.message,
                                "content_hash": r.content_hash,
                                "parents": r.parents.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
                            })
                        })
                        .collect();
                    outln!("{}", serde_json::to_string_pretty(&rows)?);
                }
            }
            Ok(CLEAN)
        }
        Command::List { file, format } => {
            let ws = open(&file)?;
            let apps = ws.applications()?;
            let models = ws.models()?;
            // Merge conflicts recorded in each head: a committed conflict stays visible here.
            let mut conflicts = std::collections::HashMap::new();
            for m in &models {
                if let Some((_, head)) = ws.load_head(m.id)? {
                    conflicts.insert(m.id, head.conflicts.len());
                }
            }
            let conflicts_of = |id| conflicts.get(&id).copied().unwrap_or(0);
            match format {
                Format::Text => {
                    outln!("workspace {}", ws.workspace_id());
                    if apps.is_empty() {
                        outln!("  (no applications yet)");
                    }
                    for app in &apps {
                        outln!("{}", app.name);
                        for m in models.iter().filter(|m| m.application_id == app.id) {
                            let head = m
                                .head
                                .as_ref()
                                .map(|h| {
                                    format!("#{} {} {} {}", h.seq, h.id, h.created_at, h.author)
                                })
                                .unwrap_or_else(|| "no revision".into());
                            let kind = match m.kind {
                                model::ModelKind::Service => "service",
                                model::ModelKind::Application => "application model",
                            };
                            let unresolved = match conflicts_of(m.id) {
                                0 => String::new(),
                                1 => ", 1 unresolved merge conflict".into(),
                                n => format!(", {n} unresolved merge conflicts"),
                            };
                            outln!(
                                "  {kind} {}: {} revision(s), head {head}{unresolved}",
                                m.name,
                                m.revisions
                            );
                        }
                    }
                }
                Format::Json => {
                    let rows: Vec<_> = models
                        .iter()
                        .map(|m| {
                            json!({
                                "application": m.application,
                                "kind": m.kind,
                                "name": m.name,
                                "model": m.id,
                                "revisions": m.revisions,
                                "conflicts": conflicts_of(m.id),
                                "head": m.head.as_ref().map(|h| json!({
                                    "revision": h.id.to_string(),
                                    "seq": h.seq,
                                    "author": h.author,
                                    "time": h.created_at,
                                    "content_hash": h.content_hash,
                                })),
                            })
                        })
                        .collect();
                    let doc = json!({
                        "workspace": ws.workspace_id(),
                        "applications": apps.iter().map(|a| &a.name).collect::<Vec<_>>(),
                        "models": rows,
                    });
                    outln!("{}", serde_json::to_string_pretty(&doc)?);
                }
            }
            Ok(CLEAN)
        }
        Command::Copy { from, to } => {
            let (from, to) = (Location::from_arg(&from), Location::from_arg(&to));
            let report = app::copy::copy_workspace(&from, &to)?;
            outln!(
                "{to}: copied from {from}: {} application(s), {} model(s), {} revision(s), {} triage decision(s) with {} history entries, {} review(s)",
                report.rows("applications"),
                report.rows("models"),
                report.rows("revisions"),
                report.rows("triage"),
                report.rows("triage_history"),
                report.rows("reviews")
            );
            Ok(CLEAN)
        }
        Command::Verify { file } => {
            let ws = open(&file)?;
            let report = ws.verify()?;
            if report.is_ok() {
                outln!(
                    "{}: ok ({} revisions checked)",
                    shown(&file),
                    report.revisions_checked
                );
                return Ok(CLEAN);
            }
            outln!("{}: damaged", shown(&file));
            for line in report
                .integrity
                .iter()
                .filter(|l| *l != "ok")
                .chain(&report.foreign_keys)
                .chain(&report.damaged_revisions)
            {
                outln!("  {line}");
            }
            Ok(FOUND)
        }
        Command::StressSave {
            file,
            elements,
            count,
            writer,
        } => stress_save(&file, elements, count, writer),
    }
}

fn add(
    file: &std::path::Path,
    app: &str,
    paths: &[PathBuf],
    who: &str,
    message: &str,
) -> Result<u8> {
    let stencils = catalog::builtin_stencils();
    // Read and check every file before writing anything.
    let mut models = Vec::new();
    for path in paths {
        let m = model::load(path)?;
        app::workspace::require_valid(&m, stencils, &path.display().to_string())?;
        models.push((path, m));
    }
    let ws = open(file)?;
    let mut code = CLEAN;
    for (path, m) in &models {
        let source = format!("file {} (added by {who})", path.display());
        let added = app::workspace::add_document(&ws, app, m, &source, who, message)
            .with_context(|| format!("cannot add '{}'", path.display()))?;
        let r = added.outcome.revision();
        match (&added.outcome, added.merged_from) {
            (SaveOutcome::Unchanged(_), _) => outln!(
                "{}: '{}' unchanged (revision #{} {})",
                path.display(),
                m.name,
                r.seq,
                r.id
            ),
            (SaveOutcome::Saved(_), Some(base)) => outln!(
                "{}: '{}' was {} revision {base}, since superseded; merged three-way with the head into revision #{} {} ({} conflicts)",
                path.display(),
                m.name,
                if added.base_found_by_content {
                    "made (judging by its content) from"
                } else {
                    "exported at"
                },
                r.seq,
                r.id,
                added.conflicts.len()
            ),
            (SaveOutcome::Saved(_), None) => outln!(
                "{}: '{}' revision #{} {}",
                path.display(),
                m.name,
                r.seq,
                r.id
            ),
        }
        for c in &added.conflicts {
            outln!("  conflict [{}] {}: {}", c.kind, c.path, c.message);
            code = FOUND;
        }
    }
    Ok(code)
}

/// A model with `n` elements in a chain of flows, for the crash-safety test; writer 0's model
/// is `stridewise-stress`, writer N's `stridewise-stress-N`.
fn generated_model(n: usize, writer: u32) -> ServiceModel {
    let name = match writer {
        0 => "stridewise-stress".to_string(),
        w => format!("stridewise-stress-{w}"),
    };
    let mut m = ServiceModel::new(name.trim_start_matches("stridewise-"));
    m.id = model::ModelId::derived(uuid::Uuid::nil(), &name);
    for i in 0..n {
        let kind = ElementKind::ALL[i % 3];
        let mut e = Element::new(kind, format!("element {i}"));
        e.id = model::ElementId::derived(uuid::Uuid::nil(), &format!("e{i}"));
        e.description = format!("generated element number {i} of the stress model");
        m.elements.push(e);
    }
    for i in 1..n {
        let mut f = DataFlow::new(format!("flow {i}"), m.elements[i - 1].id, m.elements[i].id);
        f.id = model::FlowId::derived(uuid::Uuid::nil(), &format!("f{i}"));
        f.protocol = "HTTPS".into();
        m.flows.push(f);
    }
    m
}

/// Saves a changing model until killed (or `count` saves), printing `saving N HASH` before
/// each save and `committed N REVISION HASH` after it, flushed, so that the test that kills
/// this process knows which revision must be in the workspace.
fn stress_save(
    file: &std::path::Path,
    elements: usize,
    count: Option<u64>,
    writer: u32,
) -> Result<u8> {
    let ws = open(file)?;
    let mut m = generated_model(elements.max(2), writer);
    let mut head = ws.head(m.id).ok().flatten().map(|h| h.id);
    let mut out = std::io::stdout().lock();
    let mut n = 0u64;
    loop {
        if count.is_some_and(|c| n >= c) {
            return Ok(CLEAN);
        }
        n += 1;
        m.description = format!("stress save {n}, process {}", std::process::id());
        let idx = (n as usize) % m.elements.len();
        m.elements[idx].notes = format!("touched by save {n}");
        let hash = app::workspace::content_hash(&app::workspace::stored_document(&m));
        writeln!(out, "saving {n} {hash}")?;
        out.flush()?;
        let outcome = ws.save(Save {
            application: "stress",
            model: &m,
            expected_head: head,
            merge_parent: None,
            author: "stress",
            message: "stress save",
        })?;
        let r = outcome.revision();
        head = Some(r.id);
        writeln!(out, "committed {n} {} {}", r.id, r.content_hash)?;
        out.flush()?;
    }
}
