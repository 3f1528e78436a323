//! Workspace use cases that combine the store with merge, analysis and consolidation: adding a
//! model document (three-way merge on a stale base), analysing the services, and
//! consolidating an application. The store only persists; these decide what to persist.

use crate::analysis::{self, Analysis};
use crate::catalog::Catalog;
use crate::consolidate::{self, Consolidation};
use crate::merge;
use crate::model::{ApplicationId, MergeConflict, ModelKind, RevisionId, ServiceModel};
use crate::store::{
    ModelSummary, Result, RevisionInfo, Save, SaveOutcome, Scope, StoreError, Workspace,
};

use super::error::{AppError, ErrorCode};

/// What [`add_document`] did.
#[derive(Clone, Debug, PartialEq)]
pub struct Added {
    pub outcome: SaveOutcome,
    /// When the document was exported from a revision that is no longer the head: that
    /// revision, the common ancestor of the three-way merge that was saved.
    pub merged_from: Option<RevisionId>,
    /// Conflicts the merge left for a decision; they are also in the saved model.
    pub conflicts: Vec<MergeConflict>,
}

/// Adds a model document as its model's next revision.
///
/// A document exported from this workspace (or a copy of it) carries the revision it was
/// exported at. If that revision is still the head, the document is saved on it. If the head
/// has moved on, the document, the head and that revision are merged three-way and the
/// result is saved as a revision with two parents: the head and the exported-at revision.
/// Any other document replaces the head.
pub fn add_document(
    ws: &Workspace,
    application: &str,
    document: &ServiceModel,
    author: &str,
    message: &str,
) -> Result<Added> {
    let head = match ws.head(document.id) {
        Ok(head) => head,
        Err(StoreError::UnknownModel(_)) => None,
        Err(err) => return Err(err),
    };
    let exported_at = document
        .lineage
        .as_ref()
        .filter(|l| l.workspace == ws.workspace_id())
        .map(|l| RevisionId(l.revision));
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
    match (exported_at, head) {
        (Some(base_id), Some(head)) if head.id != base_id => {
            let (_, base) = ws.load_revision(base_id)?;
            let (_, ours) = ws.load_revision(head.id)?;
            let (mut merged, conflicts) = merge::merge(&base, &ours, document);
            merged.lineage = None;
            let outcome = save(&merged, Some(head.id), Some(base_id))?;
            Ok(Added {
                outcome,
                merged_from: Some(base_id),
                conflicts,
            })
        }
        (Some(base_id), Some(_)) => Ok(Added {
            outcome: save(document, Some(base_id), None)?,
            merged_from: None,
            conflicts: Vec::new(),
        }),
        (_, head) => Ok(Added {
            outcome: save(document, head.map(|h| h.id), None)?,
            merged_from: None,
            conflicts: Vec::new(),
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
        let mut analysis = record_threats(ws, &model, catalog, author)?;
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
