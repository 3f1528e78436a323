//! `stridewise threat`: threats written by hand in a model file or a workspace service. The
//! rules (a title, a target that exists, the decision following a moved threat) are the core's
//! (`ServiceModel::add_threat` and its siblings), and the author, the time and the save as a new
//! revision are `app::threat`'s, as for the desktop app; this file parses and prints.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use stridewise_core::app::SaveOutcome;
use stridewise_core::app::threat::{self as use_case, ThreatEdit};
use stridewise_core::catalog::Catalog;
use stridewise_core::model::{self, ManualThreat, Rating, ServiceModel, Stride, ThreatId};

use super::CLEAN;
use super::workspace::author;

/// Add, edit, remove or list the threats written by hand in a model file or a workspace service.
///
/// A hand-written threat is part of the model: `analyze`, `report`, `export` and `check` show
/// it next to the catalog's threats, keyed `MANUAL-<id>@<target>`, and triage works on it
/// like on any other threat. In a workspace (`--workspace W --service S`) each change is saved
/// as the service's next revision, checked against its head like every save.
#[derive(clap::Args)]
#[command(after_help = "\
Examples:
  stridewise threat add orders.stride.json --title 'Token replay' --stride spoofing --on 'Orders API' --likelihood high --impact high
  stridewise threat add orders.stride.json --title 'Insider copies data' --stride information_disclosure --on model
  stridewise threat list orders.stride.json
  stridewise threat edit orders.stride.json 6f1c... --impact low
  stridewise threat remove orders.stride.json 6f1c...
  stridewise threat add --workspace shop.stridewise --service orders --title 'Token replay' --stride spoofing --on 'Orders API'
  stridewise threat remove --workspace shop.stridewise --service orders 6f1c...")]
pub struct Args {
    #[command(subcommand)]
    command: Action,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Add a threat; prints its key.
    Add {
        /// The model file (`.stride.json`); not with --workspace.
        #[arg(value_name = "FILE", required_unless_present = "workspace")]
        file: Option<PathBuf>,
        #[command(flatten)]
        place: Place,
        #[command(flatten)]
        fields: Fields,
    },
    /// Change a threat's fields; the ones not given stay as they are.
    Edit {
        /// The model file and the threat's id (as `list` prints it); with --workspace, the id
        /// alone.
        #[arg(value_name = "[FILE] ID", required = true, num_args = 1..=2)]
        args: Vec<String>,
        #[command(flatten)]
        place: Place,
        #[command(flatten)]
        fields: Fields,
    },
    /// Remove a threat and the triage decision on it.
    Remove {
        /// The model file and the threat's id; with --workspace, the id alone.
        #[arg(value_name = "[FILE] ID", required = true, num_args = 1..=2)]
        args: Vec<String>,
        #[command(flatten)]
        place: Place,
    },
    /// List the hand-written threats.
    List {
        #[arg(value_name = "FILE", required_unless_present = "workspace")]
        file: Option<PathBuf>,
        #[command(flatten)]
        place: Place,
    },
}

/// A workspace service instead of a model file.
#[derive(clap::Args)]
struct Place {
    /// The workspace file holding the service (needs --service).
    #[arg(long, value_name = "FILE", requires = "service")]
    workspace: Option<PathBuf>,
    /// With --workspace: the service, by name.
    #[arg(long, value_name = "NAME", requires = "workspace")]
    service: Option<String>,
    /// With --workspace: the application, when several have a service of that name.
    #[arg(long, value_name = "NAME", requires = "workspace")]
    app: Option<String>,
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

/// Where the threats are: a model file, or a workspace service.
enum Doc {
    File(PathBuf),
    Service {
        workspace: PathBuf,
        service: String,
        app: Option<String>,
    },
}

impl Doc {
    /// The place, from a positional FILE or --workspace/--service.
    fn of(file: Option<PathBuf>, place: Place) -> Result<Doc> {
        match (file, place.workspace, place.service) {
            (Some(_), Some(_), _) => bail!("give a model FILE or --workspace, not both"),
            (Some(file), None, _) => Ok(Doc::File(file)),
            (None, Some(workspace), Some(service)) => Ok(Doc::Service {
                workspace,
                service,
                app: place.app,
            }),
            _ => bail!("name a model FILE, or --workspace FILE --service NAME"),
        }
    }

    /// The place and the threat's id, from `[FILE] ID`.
    fn with_id(args: Vec<String>, place: Place) -> Result<(Doc, ThreatId)> {
        let (file, id) = match (args.as_slice(), place.workspace.is_some()) {
            ([id], true) => (None, id),
            ([file, id], false) => (Some(PathBuf::from(file)), id),
            (_, false) => bail!("give the model FILE and the threat's ID"),
            (_, true) => bail!("with --workspace, give the threat's ID alone"),
        };
        let id = id.parse::<ThreatId>().map_err(|_| {
            anyhow::anyhow!("'{id}' is not a threat id (`threat list` prints them)")
        })?;
        Ok((Doc::of(file, place)?, id))
    }

    /// Runs `edit` on the model and keeps the result: the file rewritten, or the service's next
    /// revision. Returns what `edit` returned and a line saying where it was saved.
    fn change<R>(
        &self,
        who: &str,
        message: &str,
        edit: impl FnOnce(&mut ServiceModel) -> Result<R, stridewise_core::app::AppError>,
    ) -> Result<(R, String)> {
        match self {
            Doc::File(file) => {
                let mut m = load(file)?;
                let value = edit(&mut m).with_context(|| {
                    format!("cannot change the threats of '{}'", file.display())
                })?;
                save(&m, file)?;
                Ok((value, String::new()))
            }
            Doc::Service {
                workspace,
                service,
                app,
            } => {
                let (ws, summary) = open_service(workspace, service, app.as_deref())?;
                let done =
                    use_case::edit_service(&ws, summary.id, Catalog::builtin(), who, message, edit)
                        .with_context(|| {
                            format!("cannot change the threats of service '{service}'")
                        })?;
                let r = done.outcome.revision();
                let how = match done.outcome {
                    SaveOutcome::Saved(_) => "saved as",
                    SaveOutcome::Unchanged(_) => "unchanged at",
                };
                let line = format!(
                    "{how} revision #{} {} of '{}' in {}",
                    r.seq,
                    r.id,
                    summary.name,
                    super::workspace::shown(workspace)
                );
                Ok((done.value, line))
            }
        }
    }

    /// The model as it is (a service's head revision with its triage).
    fn read(&self) -> Result<ServiceModel> {
        match self {
            Doc::File(file) => load(file),
            Doc::Service {
                workspace,
                service,
                app,
            } => {
                let (ws, summary) = open_service(workspace, service, app.as_deref())?;
                Ok(ws.export(summary.id)?.1)
            }
        }
    }
}

fn open_service(
    workspace: &Path,
    service: &str,
    app: Option<&str>,
) -> Result<(
    stridewise_core::app::Workspace,
    stridewise_core::app::ModelSummary,
)> {
    let ws = super::workspace::open(workspace)?;
    let summary = ws.find_service(service, app)?;
    Ok((ws, summary))
}

fn load(file: &Path) -> Result<ServiceModel> {
    model::load(file).with_context(|| format!("cannot read '{}'", file.display()))
}

fn save(m: &ServiceModel, file: &Path) -> Result<()> {
    model::save(m, file).with_context(|| format!("cannot write '{}'", file.display()))
}

/// Sets the fields given; `target` resolves `--on` in the model. The author is set by
/// `app::threat::apply`.
fn apply(m: &ServiceModel, t: &mut ManualThreat, f: &Fields) -> Result<(), model::ThreatEditError> {
    if let Some(title) = &f.title {
        t.title.clone_from(title);
    }
    if let Some(s) = f.stride {
        t.stride = s;
    }
    if let Some(on) = &f.on {
        t.target = m.threat_target(on)?;
    }
    if let Some(l) = f.likelihood {
        t.likelihood = l;
    }
    if let Some(i) = f.impact {
        t.impact = i;
    }
    if let Some(d) = &f.description {
        t.description.clone_from(d);
    }
    if !f.mitigations.is_empty() {
        t.mitigations.clone_from(&f.mitigations);
    }
    if !f.custom_mitigations.is_empty() {
        t.custom_mitigations.clone_from(&f.custom_mitigations);
    }
    Ok(())
}

pub fn run(args: Args) -> Result<u8> {
    let mut out = String::new();
    let done = |out: &mut String, key: &dyn std::fmt::Display, saved: String| {
        bufln!(out, "{key}");
        if !saved.is_empty() {
            bufln!(out, "  {saved}");
        }
    };
    match args.command {
        Action::Add {
            file,
            place,
            fields,
        } => {
            let doc = Doc::of(file, place)?;
            let (Some(stride), Some(_), Some(_)) =
                (fields.stride, fields.on.as_ref(), fields.title.as_ref())
            else {
                bail!("a new threat needs --title, --stride and --on");
            };
            let who = author(fields.author.clone());
            let (key, saved) = doc.change(&who, "threat added by hand", |m| {
                let mut t = ManualThreat::new(String::new(), stride, model::ThreatTarget::Model);
                apply(m, &mut t, &fields)?;
                use_case::apply(m, ThreatEdit::Add(t), &who)
            })?;
            done(&mut out, &key, saved);
        }
        Action::Edit {
            args,
            place,
            fields,
        } => {
            let (doc, id) = Doc::with_id(args, place)?;
            let who = author(fields.author.clone());
            let (key, saved) = doc.change(&who, "threat changed by hand", |m| {
                let mut t = m
                    .threat(id)
                    .cloned()
                    .ok_or(model::ThreatEditError::UnknownThreat(id))?;
                apply(m, &mut t, &fields)?;
                use_case::apply(m, ThreatEdit::Update(t), &who)
            })?;
            done(&mut out, &key, saved);
        }
        Action::Remove { args, place } => {
            let (doc, id) = Doc::with_id(args, place)?;
            let who = author(None);
            let (title, saved) = doc.change(&who, "threat removed by hand", |m| {
                let title = m
                    .threat(id)
                    .map(|t| t.title.clone())
                    .ok_or(model::ThreatEditError::UnknownThreat(id))?;
                use_case::apply(m, ThreatEdit::Remove(id), "")?;
                Ok(title)
            })?;
            done(&mut out, &format!("removed '{title}'"), saved);
        }
        Action::List { file, place } => {
            let m = Doc::of(file, place)?.read()?;
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
