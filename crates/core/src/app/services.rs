//! The services of a workspace as an editor works on them: list, load, save (merged on a stale
//! base), create, rename, duplicate, archive, import and export, analyse with their triage,
//! decide, the application view, and the revision browser. Each takes the workspace, plain
//! arguments (ids as the text the user's side holds) and the author, and returns the values of
//! [`super::types`]. The desktop app's commands are these; its tests and the parity tests
//! (`src-tauri/tests/parity.rs`) run them beside the CLI.

use std::collections::BTreeMap;
use std::path::Path;

use crate::catalog::Catalog;
use crate::model::TriageDecision;
use crate::model::{self, ApplicationId, ModelId, ModelKind, RevisionId, ServiceModel, ThreatKey};
use crate::store::{Save, SaveOutcome, Scope, StoreError, Workspace};

use crate::interop::terraform::Options as TerraformOptions;

use super::error::AppError;
use super::terraform::{self, DriftKind};
use super::threat::ThreatEdit;
use super::types::*;

type Result<T> = std::result::Result<T, AppError>;

/// `id` as a model id, or `invalid_input` naming it.
pub fn parse_model_id(id: &str) -> Result<ModelId> {
    id.trim()
        .parse()
        .map_err(|_| AppError::invalid(format!("'{id}' is not a model id")))
}

/// `id` as a revision id, or `invalid_input` naming it.
pub fn parse_revision_id(id: &str) -> Result<RevisionId> {
    id.trim()
        .parse()
        .map_err(|_| AppError::invalid(format!("'{id}' is not a revision id")))
}

/// `name` trimmed; `invalid_input` when nothing is left ("the `what` needs a name").
pub fn non_empty_name(name: &str, what: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid(format!("the {what} needs a name")));
    }
    Ok(name.to_string())
}

/// The application of that name; `not_found` naming it otherwise.
pub fn application_id(ws: &Workspace, application: &str) -> Result<ApplicationId> {
    ws.applications()?
        .into_iter()
        .find(|a| a.name == application)
        .map(|a| a.id)
        .ok_or_else(|| StoreError::UnknownApplication(application.to_string()).into())
}

/// The workspace's applications by name, each with its services by name and the head of its
/// consolidated model.
pub fn applications(ws: &Workspace) -> Result<Vec<ApplicationEntry>> {
    let mut applications: BTreeMap<String, ApplicationEntry> = ws
        .applications()?
        .into_iter()
        .map(|a| {
            let entry = ApplicationEntry {
                name: a.name.clone(),
                services: Vec::new(),
                application_model: None,
            };
            (a.name, entry)
        })
        .collect();
    for m in ws.models()? {
        let Some(app) = applications.get_mut(&m.application) else {
            continue;
        };
        match m.kind {
            ModelKind::Service => app.services.push(ServiceEntry::from(&m)),
            ModelKind::Application => {
                app.application_model = m.head.as_ref().map(RevisionRef::from);
            }
        }
    }
    Ok(applications.into_values().collect())
}

/// The service with this id; `not_found` for an unknown or archived one, or an application.
pub fn entry(ws: &Workspace, id: ModelId) -> Result<ServiceEntry> {
    ws.models()?
        .iter()
        .find(|m| m.id == id && m.kind == ModelKind::Service)
        .map(ServiceEntry::from)
        .ok_or_else(|| StoreError::UnknownModel(id).into())
}

/// A service's head revision, ready to edit.
pub fn load(ws: &Workspace, id: &str) -> Result<LoadedService> {
    let id = parse_model_id(id)?;
    let service = entry(ws, id)?;
    let (_, model) = ws.load_head(id)?.ok_or(StoreError::UnknownModel(id))?;
    Ok(LoadedService { service, model })
}

/// Saves the editor's model as its service's next revision on `base` (the head it was loaded
/// at; a stale base is refused as `conflict`, and [`merge`] is the way on), and records which
/// threats it has, so decisions of vanished threats turn obsolete and come back with their
/// threat. Saving what the head already holds writes nothing.
pub fn save(
    ws: &Workspace,
    application: &str,
    model: &ServiceModel,
    base: Option<&str>,
    message: &str,
    author: &str,
) -> Result<SavedService> {
    let application = non_empty_name(application, "application")?;
    if model.kind != ModelKind::Service {
        return Err(AppError::invalid(
            "only service models are edited in the app",
        ));
    }
    let expected_head = base.map(parse_revision_id).transpose()?;
    let outcome = ws.save(Save {
        application: &application,
        model,
        expected_head,
        merge_parent: None,
        author,
        message: if message.trim().is_empty() {
            "edited in the desktop app"
        } else {
            message
        },
    })?;
    let changed = matches!(outcome, SaveOutcome::Saved(_));
    if changed {
        super::workspace::record_threats(ws, model, Catalog::builtin(), author)?;
    }
    Ok(SavedService {
        service: entry(ws, model.id)?,
        changed,
    })
}

/// The editor's model made on revision `base` merged three-way with the head that moved
/// underneath it ([`super::workspace::merge_edit`]), saved as the new head.
pub fn merge(
    ws: &Workspace,
    application: &str,
    model: &ServiceModel,
    base: &str,
    author: &str,
) -> Result<MergedService> {
    let base = parse_revision_id(base)?;
    let (merged, conflicts) = super::workspace::merge_edit(
        ws,
        application,
        model,
        base,
        Catalog::builtin(),
        &format!("your edits in the desktop app ({author})"),
        author,
    )?;
    Ok(MergedService {
        service: entry(ws, model.id)?,
        model: merged,
        conflicts,
    })
}

/// A new, empty service of `application`.
pub fn create(
    ws: &Workspace,
    application: &str,
    name: &str,
    author: &str,
) -> Result<LoadedService> {
    let application = non_empty_name(application, "application")?;
    let model = ServiceModel::new(non_empty_name(name, "service")?);
    ws.save(Save {
        application: &application,
        model: &model,
        expected_head: None,
        merge_parent: None,
        author,
        message: "created in the desktop app",
    })?;
    load(ws, &model.id.to_string())
}

/// The service renamed, as its next revision.
pub fn rename(ws: &Workspace, id: &str, name: &str, author: &str) -> Result<ServiceEntry> {
    let name = non_empty_name(name, "service")?;
    let loaded = load(ws, id)?;
    let mut model = loaded.model;
    let old = std::mem::replace(&mut model.name, name);
    ws.save(Save {
        application: &loaded.service.application,
        model: &model,
        expected_head: loaded.service.head.as_ref().and_then(|h| h.id.parse().ok()),
        merge_parent: None,
        author,
        message: &format!("renamed from '{old}'"),
    })?;
    entry(ws, model.id)
}

/// A copy of the service (new ids throughout) named `name`, in the same application.
pub fn duplicate(ws: &Workspace, id: &str, name: &str, author: &str) -> Result<LoadedService> {
    let name = non_empty_name(name, "copy")?;
    let loaded = load(ws, id)?;
    let mut copy = loaded.model.duplicate();
    copy.name = name;
    ws.save(Save {
        application: &loaded.service.application,
        model: &copy,
        expected_head: None,
        merge_parent: None,
        author,
        message: &format!("duplicated from '{}'", loaded.service.name),
    })?;
    load(ws, &copy.id.to_string())
}

/// Archives the service: it leaves the lists, its revisions, triage and reviews stay.
pub fn delete(ws: &Workspace, id: &str) -> Result<()> {
    let id = parse_model_id(id)?;
    entry(ws, id)?;
    ws.archive_model(id)?;
    Ok(())
}

/// Adds the models of a file to the application: a Stridewise model (merged when it was
/// exported from this workspace), pytm JSON, or another tool's format
/// ([`super::import::read_models`], [`super::import::add_models`]).
pub fn import_file(
    ws: &Workspace,
    application: &str,
    path: &Path,
    author: &str,
) -> Result<ImportOutcome> {
    let application = non_empty_name(application, "application")?;
    let read = super::import::read_models(path, Catalog::builtin())?;
    let mut notes = read.notes;
    let imported = super::import::add_models(
        ws,
        &application,
        &read.models,
        Catalog::builtin(),
        &format!("file {} (imported by {author})", path.display()),
        author,
        &format!("imported from {}", path.display()),
    )?;
    let mut services = Vec::new();
    for i in imported {
        if !i.added.conflicts.is_empty() {
            notes.push(format!(
                "'{}' was merged with its workspace version; {} conflict(s) are recorded in the model",
                i.model.name,
                i.added.conflicts.len()
            ));
        }
        services.push(entry(ws, i.model.id)?);
    }
    Ok(ImportOutcome {
        services,
        format: read.format,
        notes,
    })
}

/// Writes the head revision as a `.stride.json` that remembers its revision.
pub fn export(ws: &Workspace, id: &str, path: &Path) -> Result<()> {
    let id = parse_model_id(id)?;
    let (_, doc) = ws.export(id)?;
    model::save(&doc, path).map_err(|e| AppError::io(path, "write", &e))
}

/// The threats of a model being edited, with the decisions the workspace holds for its
/// service `service` (none for a model outside the workspace).
pub fn analyze(
    ws: &Workspace,
    model: &ServiceModel,
    service: Option<&str>,
) -> Result<ServiceAnalysis> {
    let service = service.map(parse_model_id).transpose()?;
    let (analysis, decisions) =
        super::workspace::analyze_edited(ws, model, service, Catalog::builtin())?;
    Ok(ServiceAnalysis {
        analysis,
        decisions,
    })
}

/// Records a triage decision about the threat `key` of a service or of an application's
/// consolidated model, with the rules of [`super::triage::decide`].
pub fn decide(
    ws: &Workspace,
    scope: &TriageScope,
    key: &str,
    change: &TriageChange,
    author: &str,
) -> Result<TriageDecision> {
    if key.trim().is_empty() {
        return Err(AppError::invalid("no threat key was given"));
    }
    let scope = match scope {
        TriageScope::Service { id } => Scope::Service(*id),
        TriageScope::Application { name } => Scope::Application(application_id(ws, name)?),
    };
    let entry = super::triage::decide(
        ws,
        scope,
        &ThreatKey(key.to_string()),
        &change.to_update(),
        author,
        Catalog::builtin(),
    )?;
    Ok(entry.decision)
}

/// The application's services consolidated (and saved as its model's next revision when it
/// changed), analysed with the application's own triage, with attack paths.
pub fn application_view(
    ws: &Workspace,
    application: &str,
    author: &str,
) -> Result<ApplicationView> {
    let done =
        super::workspace::consolidate_application(ws, application, Catalog::builtin(), author)?;
    let decisions =
        super::workspace::found_decisions(&done.analysis, done.consolidation.model.triage.clone());
    Ok(ApplicationView {
        application: application.to_string(),
        services: done.services.iter().map(|s| s.name.clone()).collect(),
        model: done.consolidation.model,
        analysis: done.analysis,
        decisions,
        attack_paths: done.attack_paths,
        diagnostics: done.consolidation.diagnostics,
        revision: RevisionRef::from(&done.revision),
    })
}

/// A service's revisions, newest first.
pub fn revisions(ws: &Workspace, service: &str) -> Result<Vec<RevisionRef>> {
    let id = parse_model_id(service)?;
    entry(ws, id)?;
    Ok(ws.history(id)?.iter().map(RevisionRef::from).collect())
}

/// One revision of the service, read-only, with what going from it to the head changes (the
/// text of `stridewise diff`).
pub fn revision(ws: &Workspace, service: &str, revision: &str) -> Result<RevisionView> {
    let id = parse_model_id(service)?;
    let rev = parse_revision_id(revision)?;
    let (info, model) = ws.load_revision(rev)?;
    if info.model != id {
        return Err(AppError::invalid(format!(
            "revision {revision} is not a revision of service {service}"
        )));
    }
    let (head, head_model) = ws.load_head(id)?.ok_or(StoreError::UnknownModel(id))?;
    let d = crate::merge::diff(&model, &head_model);
    Ok(RevisionView {
        revision: RevisionRef::from(&info),
        head: RevisionRef::from(&head),
        changes: if d.is_empty() {
            String::new()
        } else {
            super::models::diff_text(&d)
        },
        layout_only: !d.is_empty() && d.is_semantically_empty(),
        model,
    })
}

/// `model` with a threat written by hand added, changed or removed ([`super::threat::apply`]).
///
/// A threat moved to another object gets another key; its decision is in the workspace, not
/// in the model being edited. So the workspace's current decision on the old key is put in
/// the model's triage first, the edit moves it to the new key, and the next save brings it
/// into the workspace under that key (the store takes a document's decisions for keys it has
/// none for): the decision moves with the threat, as with `stridewise threat edit --workspace`.
pub fn edit_threat(
    ws: Option<&Workspace>,
    mut model: ServiceModel,
    edit: ThreatEdit,
    author: &str,
) -> Result<ServiceModel> {
    if let ThreatEdit::Update(t) = &edit
        && let Some(old) = model.threat(t.id).map(|old| old.key())
        && let Some(ws) = ws
        && ws.models()?.iter().any(|m| m.id == model.id)
        && let Some(decision) = ws.triage(Scope::Service(model.id))?.remove(&old)
    {
        model.triage.insert(old, decision);
    }
    super::threat::apply(&mut model, edit, author)?;
    Ok(model)
}

/// Creates the workspace `path` holding the sample models, given as (file name, JSON text),
/// each filed into the application its file name's prefix names in `applications` (others are
/// left out), with its threats recorded. It is made under a temporary name and renamed, so a
/// crash never leaves half a sample; its folder is created when missing.
pub fn create_sample(
    path: &Path,
    samples: &[(&str, &str)],
    applications: &[(&str, &str)],
    author: &str,
) -> Result<()> {
    let io = |p: &Path, e| AppError::io(p, "create", &e);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    }
    let partial = path.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let ws = Workspace::create(&partial)?;
    for (file, text) in samples {
        let Some((_, application)) = applications.iter().find(|(p, _)| file.starts_with(p)) else {
            continue;
        };
        let m = model::from_json(text.as_bytes(), Path::new(file))?;
        ws.save(Save {
            application,
            model: &m,
            expected_head: None,
            merge_parent: None,
            author,
            message: "sample model bundled with Stridewise",
        })?;
        super::workspace::record_threats(&ws, &m, Catalog::builtin(), author)?;
    }
    drop(ws);
    std::fs::rename(&partial, path).map_err(|e| io(path, e))
}

/// Imports the Terraform folder `dir` into `application`, one service per root module
/// ([`super::terraform::import_folder`]).
pub fn import_terraform(
    ws: &Workspace,
    application: &str,
    dir: &Path,
    options: &TerraformOptions,
    author: &str,
) -> Result<Vec<TerraformService>> {
    let done = terraform::import_folder(
        ws,
        application,
        dir,
        options,
        None,
        Catalog::builtin(),
        author,
    )?;
    done.into_iter()
        .map(|s| {
            Ok(TerraformService {
                service: entry(ws, s.id)?,
                root: s.summary.root.clone(),
                summary: s.summary.lines(),
                elements: count(s.summary.elements),
                flows: count(s.summary.flows),
                boundaries: count(s.summary.boundaries),
                merged: s.import.merged,
                conflicts: s
                    .import
                    .conflicts
                    .iter()
                    .map(|c| c.message.clone())
                    .collect(),
            })
        })
        .collect()
}

/// The service's head revision against the Terraform folder `dir`
/// ([`super::terraform::drift_dir`]).
pub fn terraform_drift(
    ws: &Workspace,
    service: &str,
    dir: &Path,
    options: &TerraformOptions,
) -> Result<DriftReport> {
    let id = parse_model_id(service)?;
    let (_, model) = ws.load_head(id)?.ok_or(StoreError::UnknownModel(id))?;
    let drift = terraform::drift_dir(&model, dir, options, Catalog::builtin())?;
    let threat = |t: &terraform::ThreatChange| format!("{} [{}] {}", t.rule, t.severity, t.title);
    Ok(DriftReport {
        service: model.name.clone(),
        matched: count(drift.matched),
        items: drift
            .items
            .iter()
            .map(|i| DriftLine {
                kind: match i.kind {
                    DriftKind::MissingFromModel => "missing_from_model",
                    DriftKind::NoLongerInCode => "no_longer_in_code",
                    DriftKind::PropertyDiffers => "property_differs",
                }
                .into(),
                label: i.kind.label().into(),
                message: i.message(),
                address: i.address.clone(),
                object: i.id.map(|id| id.to_string()),
                property: i.property.clone(),
                opens: i.threats_opened.iter().map(threat).collect(),
                closes: i.threats_closed.iter().map(threat).collect(),
            })
            .collect(),
    })
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::ErrorCode;
    use crate::model::{Element, ElementKind};

    fn workspace(dir: &Path) -> Workspace {
        Workspace::create(&dir.join("w.stridewise")).unwrap()
    }

    fn head(s: &ServiceEntry) -> String {
        s.head.as_ref().unwrap().id.clone()
    }

    #[test]
    fn a_service_is_created_renamed_duplicated_and_archived_with_its_author() {
        let dir = tempfile::tempdir().unwrap();
        let ws = workspace(dir.path());
        assert_eq!(
            create(&ws, "shop", "  ", "ana").unwrap_err().code,
            ErrorCode::InvalidInput
        );
        let made = create(&ws, "shop", " payments ", "ana").unwrap();
        assert_eq!(made.service.name, "payments");
        assert_eq!(made.service.head.as_ref().unwrap().author, "ana");
        let id = made.service.id.to_string();
        let renamed = rename(&ws, &id, "billing", "bo").unwrap();
        assert_eq!((renamed.name.as_str(), renamed.revisions), ("billing", 2));
        assert_eq!(
            renamed.head.as_ref().unwrap().message,
            "renamed from 'payments'"
        );
        let copy = duplicate(&ws, &id, "billing copy", "bo").unwrap();
        assert_ne!(copy.service.id, made.service.id);
        assert_eq!(copy.service.application, "shop");
        let apps = applications(&ws).unwrap();
        let names: Vec<_> = apps[0].services.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["billing", "billing copy"]);
        delete(&ws, &id).unwrap();
        assert_eq!(load(&ws, &id).unwrap_err().code, ErrorCode::NotFound);
        assert_eq!(load(&ws, "nope").unwrap_err().code, ErrorCode::InvalidInput);
    }

    #[test]
    fn a_save_on_a_stale_base_is_refused_and_merge_keeps_both_edits() {
        let dir = tempfile::tempdir().unwrap();
        let ws = workspace(dir.path());
        let made = create(&ws, "shop", "payments", "ana").unwrap();
        let base = head(&made.service);
        let mut theirs = made.model.clone();
        theirs
            .elements
            .push(Element::new(ElementKind::Process, "API"));
        let saved = save(&ws, "shop", &theirs, Some(&base), "", "bo").unwrap();
        assert!(saved.changed);
        let unchanged = save(&ws, "shop", &theirs, Some(&head(&saved.service)), "", "bo");
        assert!(!unchanged.unwrap().changed);
        let mut mine = made.model.clone();
        mine.elements
            .push(Element::new(ElementKind::DataStore, "Ledger"));
        let stale = save(&ws, "shop", &mine, Some(&base), "", "ana").unwrap_err();
        assert_eq!(stale.code, ErrorCode::Conflict, "{stale:?}");
        let merged = merge(&ws, "shop", &mine, &base, "ana").unwrap();
        assert!(merged.conflicts.is_empty());
        let names: Vec<_> = merged
            .model
            .elements
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        assert!(
            names.contains(&"API") && names.contains(&"Ledger"),
            "{names:?}"
        );
        assert_eq!(merged.service.revisions, 3);
        let history = revisions(&ws, &merged.service.id.to_string()).unwrap();
        assert_eq!(history.len(), 3);
        let first = revision(&ws, &merged.service.id.to_string(), &history[2].id).unwrap();
        assert!(
            first.changes.contains("API") && !first.layout_only,
            "{}",
            first.changes
        );
    }
}
