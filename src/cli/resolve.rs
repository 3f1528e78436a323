//! `stridewise resolve`: the merge conflicts recorded in a model (by `merge`, the git driver or
//! a workspace merge), listed and decided one at a time through the core's `merge::resolve_as`,
//! as the desktop app does.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use serde_json::json;
use stridewise_core::app::Save;
use stridewise_core::app::models::{self as merge, Resolution, Side};
use stridewise_core::model::{self, MergeConflict, ServiceModel};

use super::{CLEAN, FOUND, Format};

/// List a model's unresolved merge conflicts, or decide one of them.
///
/// "Yours" is the value the merged model holds now: the side of whoever ran the merge (the
/// branch being merged into, the workspace's head for `workspace add`). "Theirs" is the other
/// side: the branch or file merged in. Without `--take` or `--value` the conflicts are listed,
/// numbered. With them, the conflict `--conflict N` (needed when there are several) is decided
/// and the model is written back: the file in place, or the service's next revision in a
/// workspace. Exits 0 when no conflict is left, 1 while some are, 2 on error.
#[derive(clap::Args)]
#[command(after_help = "\
Examples:
  stridewise resolve merged.stride.json
  stridewise resolve merged.stride.json --conflict 2 --take theirs
  stridewise resolve merged.stride.json --conflict 1 --value '\"Checkout API\"'
  stridewise resolve --workspace shop.stridewise --service orders --conflict 1 --take yours")]
pub struct Args {
    /// The model file (`.stride.json`).
    #[arg(
        value_name = "MODEL",
        required_unless_present = "workspace",
        conflicts_with = "workspace"
    )]
    model: Option<PathBuf>,
    /// A workspace instead of a file: the head revision of `--service`.
    #[arg(long, value_name = "WORKSPACE", requires = "service")]
    workspace: Option<PathBuf>,
    /// With `--workspace`: the service whose head has the conflicts.
    #[arg(long, requires = "workspace")]
    service: Option<String>,
    /// With `--workspace`: the application, when several have a service of that name.
    #[arg(long, requires = "workspace")]
    app: Option<String>,
    /// The conflict to decide, numbered as listed (1 is the first).
    #[arg(long, value_name = "N")]
    conflict: Option<usize>,
    /// Decide by taking one side's value.
    #[arg(long, value_enum, conflicts_with = "value")]
    take: Option<Take>,
    /// Decide with a value of your own, as JSON (`'"a name"'`, `true`, `null` to remove).
    #[arg(long, value_name = "JSON")]
    value: Option<String>,
    /// With `--workspace`: who decides (default: $STRIDEWISE_AUTHOR, git's user.name, $USER).
    #[arg(long, requires = "workspace")]
    author: Option<String>,
    /// How to list the conflicts.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Take {
    /// The value the merged model holds now.
    Yours,
    /// The other side's value.
    Theirs,
}

/// Where the model comes from and goes back to.
enum Source {
    File(PathBuf),
    Workspace {
        // Boxed: an open workspace (its runtime and pool) is much larger than a path.
        ws: Box<stridewise_core::app::Workspace>,
        application: String,
        head: stridewise_core::model::RevisionId,
        label: String,
    },
}

pub fn run(args: Args) -> Result<u8> {
    let (source, model) = load(&args)?;
    let label = match &source {
        Source::File(path) => path.display().to_string(),
        Source::Workspace { label, .. } => label.clone(),
    };
    let how = match (args.take, &args.value) {
        (Some(Take::Yours), _) => Some(Resolution::Take(Side::Ours)),
        (Some(Take::Theirs), _) => Some(Resolution::Take(Side::Theirs)),
        (None, Some(text)) => Some(Resolution::Value(serde_json::from_str(text).with_context(
            || format!("--value '{text}' is not JSON (a string needs its quotes: '\"name\"')"),
        )?)),
        (None, None) => None,
    };
    let Some(how) = how else {
        if args.conflict.is_some() {
            bail!("--conflict needs --take yours|theirs or --value JSON to say how to decide it");
        }
        list(&label, &model.conflicts, args.format)?;
        return Ok(if model.conflicts.is_empty() {
            CLEAN
        } else {
            FOUND
        });
    };
    let count = model.conflicts.len();
    let number = match (args.conflict, count) {
        (_, 0) => bail!("{label} has no unresolved merge conflict"),
        (Some(n), _) => n,
        (None, 1) => 1,
        (None, n) => bail!(
            "{label} has {n} unresolved merge conflicts: name one with --conflict N (`stridewise resolve` lists them)"
        ),
    };
    if number == 0 {
        bail!("--conflict counts from 1");
    }
    let conflict = model.conflicts.get(number - 1).cloned();
    let decided = merge::resolve_as(&model, number - 1, how)
        .with_context(|| format!("cannot resolve in {label}"))?;
    let conflict = conflict.expect("resolve_as checked the number");
    let what = format!(
        "merge conflict {number} ({} at '{}')",
        conflict.kind, conflict.path
    );
    match source {
        Source::File(path) => {
            model::save(&decided, &path)
                .with_context(|| format!("cannot write '{}'", path.display()))?;
            outln!("{label}: {what} resolved; {} left", decided.conflicts.len());
        }
        Source::Workspace {
            ws,
            application,
            head,
            ..
        } => {
            let author = super::workspace::author(args.author.clone());
            let message = format!("resolved {what}");
            let saved = ws.save(Save {
                application: &application,
                model: &decided,
                expected_head: Some(head),
                merge_parent: None,
                author: &author,
                message: &message,
            })?;
            outln!(
                "{label}: {what} resolved as revision {}; {} left",
                saved.revision().seq,
                decided.conflicts.len()
            );
        }
    }
    Ok(if decided.conflicts.is_empty() {
        CLEAN
    } else {
        FOUND
    })
}

fn load(args: &Args) -> Result<(Source, ServiceModel)> {
    if let Some(path) = &args.model {
        let m = model::load(path)?;
        return Ok((Source::File(path.clone()), m));
    }
    let (Some(file), Some(service)) = (&args.workspace, &args.service) else {
        bail!("give a MODEL file, or --workspace W --service S");
    };
    let ws = super::workspace::open(file)?;
    let summary = ws.find_service(service, args.app.as_deref())?;
    let Some((head, m)) = ws.load_head(summary.id)? else {
        bail!(
            "service '{service}' in '{}' has no revision yet",
            super::workspace::shown(file)
        );
    };
    let label = format!(
        "{}#{}/{}",
        super::workspace::shown(file),
        summary.application,
        summary.name
    );
    Ok((
        Source::Workspace {
            ws: Box::new(ws),
            application: summary.application,
            head: head.id,
            label,
        },
        m,
    ))
}

/// A side's value as people read it: "(absent)" when that side deleted the object or left the
/// field out.
/// " (from WHERE)" when the merge recorded where a side came from.
fn from(origin: Option<&str>) -> String {
    origin.map_or(String::new(), |o| format!(" (from {o})"))
}

fn value(v: Option<&serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => "(absent)".into(),
        Some(serde_json::Value::Object(o)) if o.get("name").and_then(|n| n.as_str()).is_some() => {
            format!(
                "'{}' (the whole object)",
                o["name"].as_str().unwrap_or_default()
            )
        }
        Some(v) => v.to_string(),
    }
}

fn list(label: &str, conflicts: &[MergeConflict], format: Format) -> Result<()> {
    match format {
        Format::Json => {
            let rows: Vec<_> = conflicts
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    json!({
                        "number": i + 1,
                        "kind": c.kind,
                        "path": c.path,
                        "message": c.message,
                        "base": c.base,
                        "yours": c.ours,
                        "theirs": c.theirs,
                        "yours_from": c.ours_from,
                        "theirs_from": c.theirs_from,
                    })
                })
                .collect();
            outln!(
                "{}",
                serde_json::to_string_pretty(&json!({ "model": label, "conflicts": rows }))?
            );
        }
        Format::Text => {
            let mut text = String::new();
            match conflicts.len() {
                0 => bufln!(text, "{label}: no unresolved merge conflict"),
                n => bufln!(
                    text,
                    "{label}: {n} unresolved merge conflict{} (the model holds yours until decided)",
                    if n == 1 { "" } else { "s" }
                ),
            }
            for (i, c) in conflicts.iter().enumerate() {
                bufln!(text, "  {}. [{}] {}: {}", i + 1, c.kind, c.path, c.message);
                bufln!(
                    text,
                    "       yours:  {}{}",
                    value(c.ours.as_ref()),
                    from(c.ours_from.as_deref())
                );
                bufln!(
                    text,
                    "       theirs: {} ({})",
                    value(c.theirs.as_ref()),
                    c.theirs_from
                        .as_deref()
                        .map_or("the other side of the merge".to_string(), |f| format!(
                            "from {f}"
                        ))
                );
                if let Some(base) = &c.base {
                    bufln!(text, "       before: {}", value(Some(base)));
                }
            }
            if !conflicts.is_empty() {
                bufln!(
                    text,
                    "decide one with --conflict N and --take yours|theirs, or --value JSON"
                );
            }
            super::print(&text)?;
        }
    }
    Ok(())
}
