//! Workspace use cases that combine the store with merge, analysis and consolidation: adding a
//! model document (three-way merge on a stale base), analysing the services, and
//! consolidating an application. The store only persists; these decide what to persist.

use crate::analysis::{self, Analysis};
use crate::catalog::Catalog;
use crate::consolidate::{self, Consolidation};
use crate::merge;
use std::collections::BTreeMap;

use crate::model::{
    ApplicationId, Lineage, MergeConflict, ModelId, ModelKind, RevisionId, ServiceModel,
    StencilSet, ThreatKey, TriageDecision,
};
use crate::store::{
    ModelSummary, Result, RevisionInfo, Save, SaveOutcome, Scope, StoreError, Workspace,
};

use super::error::{AppError, ErrorCode};

/// The content hash a revision records, of the stored form of a document (what `workspace
/// stress-save` prints to check that a crash loses no committed save).
pub use crate::store::{content_hash, stored_document};

/// A name the user must give (a service's, an application's): trimmed, and refused when
/// empty, naming `what` needed it.
pub fn given_name(name: &str, what: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid(format!("the {what} needs a name")));
    }
    Ok(name.to_string())
}

/// A file name the user must give: refused when empty.
pub fn given_path(path: &str) -> Result<std::path::PathBuf, AppError> {
    if path.trim().is_empty() {
        return Err(AppError::invalid("no file name was given"));
    }
    Ok(std::path::PathBuf::from(path))
}

/// Whether `text` names a workspace on a server (a `postgres://` URL) rather than a file. A
/// URL with a password in it is refused: the desktop keeps the workspaces it opened in its
/// recent list, and a password belongs in `PGPASSWORD` or the password file, never on disk
/// in plain sight.
pub fn is_server_url(text: &str) -> Result<bool, AppError> {
    let location = super::Location::parse(text);
    if location.as_path().is_some() {
        return Ok(false);
    }
    if location.to_string() != text {
        return Err(AppError::invalid(format!(
            "{location}: keep the password out of the URL; give it in PGPASSWORD or the password file (~/.pgpass)"
        )));
    }
    Ok(true)
}

/// A model id as the UI sends it.
pub fn model_id(id: &str) -> Result<ModelId, AppError> {
    id.parse::<uuid::Uuid>()
        .map(ModelId)
        .map_err(|_| AppError::invalid(format!("'{id}' is not a model id")))
}

/// Refuses a model with error-level diagnostics before anything is stored or reported: the
/// one check that `workspace add`, `report`, the Terraform import and the desktop's import
/// all make, with one message naming the model (as `label`), the count and every error.
pub fn require_valid(
    model: &ServiceModel,
    stencils: &StencilSet,
    label: &str,
) -> std::result::Result<(), AppError> {
    let errors: Vec<String> = crate::model::validate(model, stencils)
        .into_iter()
        .filter(|d| d.is_error())
        .map(|d| format!("  {d}"))
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    Err(AppError::new(
        ErrorCode::InvalidInput,
        format!(
            "'{label}' is not a valid model ({} error(s)); nothing was saved; fix them first:\n{}",
            errors.len(),
            errors.join("\n")
        ),
    ))
}

/// What [`add_document`] did.
#[derive(Clone, Debug, PartialEq)]
pub struct Added {
    pub outcome: SaveOutcome,
    /// When the document was made from a revision that is no longer the head: that
    /// revision, the common ancestor of the three-way merge that was saved.
    pub merged_from: Option<RevisionId>,
    /// How `merged_from` was found: false when the document named it (its lineage), true
    /// when the document had no usable lineage and it was found by content.
    pub base_found_by_content: bool,
    /// Conflicts the merge left for a decision; they are also in the saved model.
    pub conflicts: Vec<MergeConflict>,
}

/// Adds a model document as its model's next revision; never a silent overwrite.
///
/// A document exported from this workspace carries the revision it was exported at. Any
/// other document (from git, another tool, or another copy of the workspace, whose
/// revisions this one does not have) is matched to the model's history by content: its base
/// is the newest revision it can have been made from ([`merge::newest_common_base`]). If
/// the base is the head, the document is saved on it. If the head has moved on, the
/// document, the head and the base are merged three-way and the result is saved as a
/// revision with two parents: the head and the base. A document that shares nothing with
/// the model's history is refused, with the way out.
///
/// Another writer may save the model between reading its head and saving; the store then
/// refuses the save as stale, and the add starts over from the new head (a few times), since
/// it merges anyway: a lost race is not the caller's conflict.
///
/// `source` says where the document came from, for people (`file orders.stride.json`, `your
/// edits in the desktop app`): the conflicts of a merge name it as their side, and the head's
/// revision and author as ours.
pub fn add_document(
    ws: &Workspace,
    application: &str,
    document: &ServiceModel,
    source: &str,
    author: &str,
    message: &str,
) -> Result<Added> {
    const ATTEMPTS: usize = 8;
    let mut attempt = 1;
    loop {
        match add_once(ws, application, document, source, author, message) {
            Err(StoreError::Conflict { .. }) if attempt < ATTEMPTS => attempt += 1,
            result => return result,
        }
    }
}

fn add_once(
    ws: &Workspace,
    application: &str,
    document: &ServiceModel,
    source: &str,
    author: &str,
    message: &str,
) -> Result<Added> {
    let head = match ws.head(document.id) {
        Ok(head) => head,
        Err(StoreError::UnknownModel(_)) => None,
        Err(err) => return Err(err),
    };
    let save = |model: &ServiceModel, expected_head, merge_parent| {
        ws.save(Save {
            application,
            model,
            expected_head,
            merge_parent,
            author,
            message,
        })
    };
    let Some(head) = head else {
        return Ok(Added {
            outcome: save(document, None, None)?,
            merged_from: None,
            base_found_by_content: false,
            conflicts: Vec::new(),
        });
    };
    let history = ws.history(document.id)?;
    let exported_at = document
        .lineage
        .as_ref()
        .filter(|l| l.workspace == ws.workspace_id())
        .map(|l| RevisionId(l.revision))
        .filter(|r| history.iter().any(|h| h.id == *r));
    let (base_id, by_content) = match exported_at {
        Some(base) => (base, false),
        None => (base_by_content(ws, document, &history)?, true),
    };
    if base_id == head.id {
        return Ok(Added {
            outcome: save(document, Some(head.id), None)?,
            merged_from: None,
            base_found_by_content: by_content,
            conflicts: Vec::new(),
        });
    }
    let (_, base) = ws.load_revision(base_id)?;
    let (_, ours) = ws.load_revision(head.id)?;
    let (mut merged, mut conflicts) = merge::merge(&base, &ours, document);
    merge::name_sides(
        &mut merged,
        &mut conflicts,
        &format!("revision #{} by {}", head.seq, head.author),
        source,
    );
    merged.lineage = None;
    // A file that brings nothing new (an old export added again) leaves the head as it is,
    // rather than recording a merge that changes nothing.
    let mut stored_form = merged.clone();
    stored_form.triage.clear();
    if merge::diff(&ours, &stored_form).is_empty() {
        return Ok(Added {
            outcome: save(&merged, Some(head.id), None)?,
            merged_from: None,
            base_found_by_content: by_content,
            conflicts,
        });
    }
    let outcome = save(&merged, Some(head.id), Some(base_id))?;
    Ok(Added {
        outcome,
        merged_from: Some(base_id),
        base_found_by_content: by_content,
        conflicts,
    })
}

/// The newest revision of `history` (newest first, as [`Workspace::history`] gives it)
/// that `document` can have been made from, or an error with the way out.
fn base_by_content(
    ws: &Workspace,
    document: &ServiceModel,
    history: &[RevisionInfo],
) -> Result<RevisionId> {
    let oldest_first: Vec<&RevisionInfo> = history.iter().rev().collect();
    let mut revisions = Vec::with_capacity(oldest_first.len());
    for info in &oldest_first {
        revisions.push(ws.load_revision(info.id)?.1);
    }
    match merge::newest_common_base(document, &revisions) {
        Some(i) => Ok(oldest_first[i].id),
        None => Err(StoreError::Unrelated {
            name: document.name.clone(),
            model: document.id,
        }),
    }
}

/// Analyses a service's model and records which threats fire, so decisions of vanished
/// threats turn obsolete and come back with their threat. Call it after saving a revision.
pub fn record_threats(
    ws: &Workspace,
    model: &ServiceModel,
    catalog: &Catalog,
    author: &str,
) -> Result<Analysis> {
    let analysis = analysis::analyze(model, catalog);
    let present = analysis.threats.iter().map(|t| t.key.clone()).collect();
    ws.sync_threats(Scope::Service(model.id), &present, author)?;
    Ok(analysis)
}

/// Analyses the head revision of every service (of `application`, when given), records
/// which threats fire (decisions of vanished threats turn obsolete, and come back with
/// their threat), and fills each threat's triage state.
pub fn analyze_services(
    ws: &Workspace,
    application: Option<&str>,
    catalog: &Catalog,
    author: &str,
) -> Result<Vec<(ModelSummary, ServiceModel, Analysis)>> {
    let mut out = Vec::new();
    for summary in ws.models()? {
        if summary.kind != ModelKind::Service
            || application.is_some_and(|a| a != summary.application)
        {
            continue;
        }
        let Some((_, model)) = ws.load_head(summary.id)? else {
            continue;
        };
        let mut analysis = match record_threats(ws, &model, catalog, author) {
            Ok(analysis) => analysis,
            // A role that may not write this service's triage (a reader, another team) still
            // analyses it; the obsolete flags are left for one who may.
            Err(StoreError::AccessDenied { .. }) => analysis::analyze(&model, catalog),
            Err(e) => return Err(e),
        };
        analysis::apply_triage(&mut analysis, &ws.triage(Scope::Service(summary.id))?);
        out.push((summary, model, analysis));
    }
    Ok(out)
}

/// An application's consolidated model, saved and analysed: what `consolidate --workspace`
/// prints and the desktop's application view shows.
#[derive(Clone, Debug, PartialEq)]
pub struct ApplicationAnalysis {
    pub application: ApplicationId,
    /// The services consolidated, in name order.
    pub services: Vec<ModelSummary>,
    /// The application model (with the application's triage) and what consolidation found.
    pub consolidation: Consolidation,
    /// Every threat of the application model, with the application's triage applied.
    pub analysis: Analysis,
    /// For high and critical threats on assets, at most three shortest paths each.
    pub attack_paths: Vec<consolidate::paths::ThreatPaths>,
    /// The revision the application model was saved as (the head when nothing changed).
    pub revision: RevisionInfo,
}

/// Consolidates the head revisions of `application`'s services into its application
/// model, saves that as the application model's next revision (an unchanged model gives
/// the same revision), records which threats fire (decisions of vanished threats turn
/// obsolete), and applies the application's triage.
pub fn consolidate_application(
    ws: &Workspace,
    application: &str,
    catalog: &Catalog,
    author: &str,
) -> Result<ApplicationAnalysis, AppError> {
    let mut services = Vec::new();
    let mut models = Vec::new();
    for summary in ws.models()? {
        if summary.kind != ModelKind::Service || summary.application != application {
            continue;
        }
        if let Some((_, model)) = ws.load_head(summary.id)? {
            services.push(summary);
            models.push(model);
        }
    }
    if models.is_empty() {
        ws.block_on(ws.store().application(application))?;
        return Err(AppError::new(
            ErrorCode::NotFound,
            format!("application '{application}' has no service models to consolidate"),
        ));
    }
    let mut consolidation = consolidate::consolidate(application, &models, &catalog.stencils);
    let head = match ws.head(consolidation.model.id) {
        Ok(head) => head.map(|h| h.id),
        Err(StoreError::UnknownModel(_)) => None,
        Err(err) => return Err(err.into()),
    };
    let outcome = ws.save(Save {
        application,
        model: &consolidation.model,
        expected_head: head,
        merge_parent: None,
        author,
        message: "consolidated from the services' head revisions",
    })?;
    let app_id = services[0].application_id;
    let scope = Scope::Application(app_id);
    let mut analysis = analysis::analyze(&consolidation.model, catalog);
    let present = analysis.threats.iter().map(|t| t.key.clone()).collect();
    ws.sync_threats(scope, &present, author)?;
    consolidation.model.triage.extend(ws.triage(scope)?);
    analysis::apply_triage(&mut analysis, &consolidation.model.triage);
    let attack_paths = consolidate::paths::attack_paths(&consolidation.model, &analysis, 3);
    Ok(ApplicationAnalysis {
        application: app_id,
        services,
        consolidation,
        analysis,
        attack_paths,
        revision: outcome.revision().clone(),
    })
}

/// The decisions of `triage` about the threats `found` has (those of vanished threats, kept
/// as obsolete in the workspace, left out).
pub fn found_decisions(
    found: &Analysis,
    mut triage: BTreeMap<ThreatKey, TriageDecision>,
) -> BTreeMap<ThreatKey, TriageDecision> {
    found
        .threats
        .iter()
        .filter_map(|t| triage.remove_entry(&t.key))
        .collect()
}

/// The threats of a model being edited with the decisions the workspace holds for its
/// service `service` (none, and every status unset, for a model outside the workspace),
/// and those decisions.
pub fn analyze_edited(
    ws: &Workspace,
    model: &ServiceModel,
    service: Option<ModelId>,
    catalog: &Catalog,
) -> Result<(Analysis, BTreeMap<ThreatKey, TriageDecision>)> {
    let mut found = analysis::analyze(model, catalog);
    let Some(id) = service else {
        return Ok((found, BTreeMap::new()));
    };
    let decisions = found_decisions(&found, ws.triage(Scope::Service(id))?);
    analysis::apply_triage(&mut found, &decisions);
    Ok((found, decisions))
}

/// An edit of a service made on revision `base` while the service moved on elsewhere:
/// merged three-way with the head ([`add_document`], the base named by the lineage, the
/// edit's side labelled `source`), saved,
/// and its threats recorded. Returns the saved model (conflicts included) and the conflicts.
pub fn merge_edit(
    ws: &Workspace,
    application: &str,
    model: &ServiceModel,
    base: RevisionId,
    catalog: &Catalog,
    source: &str,
    author: &str,
) -> std::result::Result<(ServiceModel, Vec<MergeConflict>), AppError> {
    let message = format!("{source}, merged with a change made elsewhere");
    let mut document = model.clone();
    document.lineage = Some(Lineage {
        workspace: ws.workspace_id(),
        revision: base.0,
    });
    let added = add_document(ws, application, &document, source, author, &message)?;
    let (_, merged) = ws
        .load_head(model.id)?
        .ok_or(StoreError::UnknownModel(model.id))?;
    record_threats(ws, &merged, catalog, author)?;
    Ok((merged, added.conflicts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TriageStatus;

    #[test]
    fn a_server_url_is_told_from_a_file_and_refused_with_a_password() {
        assert!(!is_server_url("/home/ana/shop.stridewise").unwrap());
        assert!(is_server_url("postgres://ana@db/threats?sslmode=require").unwrap());
        let e = is_server_url("postgres://ana:s3cret@db/threats").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(!e.message.contains("s3cret"), "{}", e.message);
        assert!(e.message.contains("PGPASSWORD"), "{}", e.message);
    }

    #[test]
    fn decisions_of_vanished_threats_are_left_out_and_found_ones_fill_the_status() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../models/mc-stamp.stride.json");
        let model = crate::model::from_json(&std::fs::read(&path).unwrap(), &path).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::create(&dir.path().join("w.stridewise")).unwrap();
        add_document(&ws, "app", &model, "a file", "me", "added").unwrap();
        let (found, none) = analyze_edited(&ws, &model, None, Catalog::builtin()).unwrap();
        assert!(none.is_empty() && found.threats.iter().all(|t| t.status.is_none()));
        let key = found.threats[0].key.clone();
        let decided = |status| crate::store::TriageUpdate {
            status: Some(status),
            justification: Some("handled by the platform".into()),
            ..Default::default()
        };
        let gone = ThreatKey("NO-SUCH-RULE@x".into());
        for k in [&key, &gone] {
            let update = decided(TriageStatus::Mitigated);
            ws.decide(Scope::Service(model.id), k, &update, "me", None)
                .unwrap();
        }
        let (found, decisions) =
            analyze_edited(&ws, &model, Some(model.id), Catalog::builtin()).unwrap();
        assert_eq!(decisions.keys().collect::<Vec<_>>(), [&key]);
        let threat = found.threats.iter().find(|t| t.key == key).unwrap();
        assert_eq!(threat.status, Some(TriageStatus::Mitigated));
    }
}
