//! [`Workspace`]: the synchronous face of [`Store`], for the command line and tests.
//!
//! It owns a current-thread tokio runtime and blocks on each call. The CLI stays synchronous
//! (no `#[tokio::main]` in every subcommand), and the desktop shell, which runs tokio already,
//! uses [`Store`] directly. Dropping a `Workspace` closes its connections, which folds the
//! write-ahead log back into the file.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::path::Path;

use super::{
    Application, ModelSummary, Result, RevisionId, RevisionInfo, Save, SaveOutcome, Scope, Store,
    StoreError, SyncReport, TriageEntry, TriageHistoryEntry, TriageUpdate, VerifyReport,
};
use crate::model::{ModelId, ServiceModel, ThreatKey, TriageDecision};

/// An open workspace with a blocking API. See [`Store`] for what each method does.
#[derive(Debug)]
pub struct Workspace {
    runtime: tokio::runtime::Runtime,
    store: Store,
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| StoreError::Io {
            path: "<tokio runtime>".into(),
            error,
        })
}

impl Workspace {
    /// Creates a new workspace file; fails if `path` exists.
    pub fn create(path: &Path) -> Result<Workspace> {
        let runtime = runtime()?;
        let store = runtime.block_on(Store::create(path))?;
        Ok(Workspace { runtime, store })
    }

    /// Opens an existing workspace; see [`Store::open`].
    pub fn open(path: &Path) -> Result<Workspace> {
        let runtime = runtime()?;
        let store = runtime.block_on(Store::open(path))?;
        Ok(Workspace { runtime, store })
    }

    /// The async store, for calls this facade does not wrap.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Runs any async call on the store to completion.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    pub fn workspace_id(&self) -> uuid::Uuid {
        self.store.workspace_id()
    }

    pub fn save(&self, save: Save<'_>) -> Result<SaveOutcome> {
        self.block_on(self.store.save(save))
    }

    pub fn applications(&self) -> Result<Vec<Application>> {
        self.block_on(self.store.applications())
    }

    pub fn models(&self) -> Result<Vec<ModelSummary>> {
        self.block_on(self.store.models())
    }

    pub fn find_service(&self, name: &str, application: Option<&str>) -> Result<ModelSummary> {
        self.block_on(self.store.find_service(name, application))
    }

    pub fn head(&self, model: ModelId) -> Result<Option<RevisionInfo>> {
        self.block_on(self.store.head(model))
    }

    pub fn load_revision(&self, id: RevisionId) -> Result<(RevisionInfo, ServiceModel)> {
        self.block_on(self.store.load_revision(id))
    }

    pub fn load_head(&self, model: ModelId) -> Result<Option<(RevisionInfo, ServiceModel)>> {
        self.block_on(self.store.load_head(model))
    }

    pub fn history(&self, model: ModelId) -> Result<Vec<RevisionInfo>> {
        self.block_on(self.store.history(model))
    }

    pub fn export(&self, model: ModelId) -> Result<(RevisionInfo, ServiceModel)> {
        self.block_on(self.store.export(model))
    }

    pub fn archive_model(&self, model: ModelId) -> Result<()> {
        self.block_on(self.store.archive_model(model))
    }

    pub fn services_mentioning(&self, needle: &str) -> Result<Vec<(ModelSummary, ServiceModel)>> {
        self.block_on(self.store.services_mentioning(needle))
    }

    /// Every decision of a scope by threat key (for `analyze --workspace`).
    pub fn triage(&self, scope: Scope) -> Result<BTreeMap<ThreatKey, TriageDecision>> {
        self.block_on(self.store.triage(scope))
    }

    pub fn triage_entries(&self, scope: Scope) -> Result<Vec<TriageEntry>> {
        self.block_on(self.store.triage_entries(scope))
    }

    pub fn decide(
        &self,
        scope: Scope,
        key: &ThreatKey,
        update: &TriageUpdate,
        author: &str,
        review_id: Option<&str>,
    ) -> Result<TriageEntry> {
        self.block_on(self.store.decide(scope, key, update, author, review_id))
    }

    pub fn triage_history(
        &self,
        scope: Scope,
        key: Option<&ThreatKey>,
    ) -> Result<Vec<TriageHistoryEntry>> {
        self.block_on(self.store.triage_history(scope, key))
    }

    /// Marks decisions of threats not in `present` obsolete and restores those that are back.
    pub fn sync_threats(
        &self,
        scope: Scope,
        present: &BTreeSet<ThreatKey>,
        author: &str,
    ) -> Result<SyncReport> {
        self.block_on(self.store.sync_threats(scope, present, author))
    }

    pub fn integrity_check(&self) -> Result<Vec<String>> {
        self.block_on(self.store.integrity_check())
    }

    pub fn verify(&self) -> Result<VerifyReport> {
        self.block_on(self.store.verify())
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        self.runtime.block_on(self.store.close());
    }
}

/// What [`Workspace::add_document`] did.
#[derive(Clone, Debug, PartialEq)]
pub struct Added {
    pub outcome: SaveOutcome,
    /// When the document was exported from a revision that is no longer the head: that
    /// revision, the common ancestor of the three-way merge that was saved.
    pub merged_from: Option<RevisionId>,
    /// Conflicts the merge left for a decision; they are also in the saved model.
    pub conflicts: Vec<crate::model::MergeConflict>,
}

impl Workspace {
    /// Adds a model document as its model's next revision.
    ///
    /// A document exported from this workspace (or a copy of it) carries the revision it was
    /// exported at. If that revision is still the head, the document is saved on it. If the head
    /// has moved on, the document, the head and that revision are merged three-way and the
    /// result is saved as a revision with two parents: the head and the exported-at revision.
    /// Any other document replaces the head.
    pub fn add_document(
        &self,
        application: &str,
        document: &ServiceModel,
        author: &str,
        message: &str,
    ) -> Result<Added> {
        let head = match self.head(document.id) {
            Ok(head) => head,
            Err(StoreError::UnknownModel(_)) => None,
            Err(err) => return Err(err),
        };
        let exported_at = document
            .lineage
            .as_ref()
            .filter(|l| l.workspace == self.workspace_id())
            .map(|l| RevisionId(l.revision));
        let save = |model: &ServiceModel, expected_head, merge_parent| {
            self.save(Save {
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
                let (_, base) = self.load_revision(base_id)?;
                let (_, ours) = self.load_revision(head.id)?;
                let (mut merged, conflicts) = crate::merge::merge(&base, &ours, document);
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
}

impl Workspace {
    /// Analyses a service's model and records which threats fire, so decisions of vanished
    /// threats turn obsolete and come back with their threat. Call it after saving a revision.
    pub fn record_threats(
        &self,
        model: &ServiceModel,
        catalog: &crate::catalog::Catalog,
        author: &str,
    ) -> Result<crate::analysis::Analysis> {
        let analysis = crate::analysis::analyze(model, catalog);
        let present = analysis.threats.iter().map(|t| t.key.clone()).collect();
        self.sync_threats(Scope::Service(model.id), &present, author)?;
        Ok(analysis)
    }

    /// Analyses the head revision of every service (of `application`, when given), records
    /// which threats fire (decisions of vanished threats turn obsolete, and come back with
    /// their threat), and fills each threat's triage state.
    pub fn analyze_services(
        &self,
        application: Option<&str>,
        catalog: &crate::catalog::Catalog,
        author: &str,
    ) -> Result<Vec<(ModelSummary, ServiceModel, crate::analysis::Analysis)>> {
        let mut out = Vec::new();
        for summary in self.models()? {
            if summary.kind != crate::model::ModelKind::Service
                || application.is_some_and(|a| a != summary.application)
            {
                continue;
            }
            let Some((_, model)) = self.load_head(summary.id)? else {
                continue;
            };
            let mut analysis = self.record_threats(&model, catalog, author)?;
            crate::analysis::apply_triage(&mut analysis, &self.triage(Scope::Service(summary.id))?);
            out.push((summary, model, analysis));
        }
        Ok(out)
    }
}

/// An application's consolidated model, saved and analysed: what `consolidate --workspace`
/// prints and the desktop's application view shows.
#[derive(Clone, Debug, PartialEq)]
pub struct ApplicationAnalysis {
    pub application: super::ApplicationId,
    /// The services consolidated, in name order.
    pub services: Vec<ModelSummary>,
    /// The application model (with the application's triage) and what consolidation found.
    pub consolidation: crate::consolidate::Consolidation,
    /// Every threat of the application model, with the application's triage applied.
    pub analysis: crate::analysis::Analysis,
    /// For high and critical threats on assets, at most three shortest paths each.
    pub attack_paths: Vec<crate::consolidate::paths::ThreatPaths>,
    /// The revision the application model was saved as (the head when nothing changed).
    pub revision: RevisionInfo,
}

impl Workspace {
    /// Consolidates the head revisions of `application`'s services into its application
    /// model, saves that as the application model's next revision (an unchanged model gives
    /// the same revision), records which threats fire (decisions of vanished threats turn
    /// obsolete), and applies the application's triage.
    pub fn consolidate_application(
        &self,
        application: &str,
        catalog: &crate::catalog::Catalog,
        author: &str,
    ) -> Result<ApplicationAnalysis> {
        let mut services = Vec::new();
        let mut models = Vec::new();
        for summary in self.models()? {
            if summary.kind != crate::model::ModelKind::Service
                || summary.application != application
            {
                continue;
            }
            if let Some((_, model)) = self.load_head(summary.id)? {
                services.push(summary);
                models.push(model);
            }
        }
        if models.is_empty() {
            self.block_on(self.store.application(application))?;
            return Err(StoreError::Invalid(format!(
                "application '{application}' has no service models to consolidate"
            )));
        }
        let mut consolidation =
            crate::consolidate::consolidate(application, &models, &catalog.stencils);
        let head = match self.head(consolidation.model.id) {
            Ok(head) => head.map(|h| h.id),
            Err(StoreError::UnknownModel(_)) => None,
            Err(err) => return Err(err),
        };
        let outcome = self.save(Save {
            application,
            model: &consolidation.model,
            expected_head: head,
            merge_parent: None,
            author,
            message: "consolidated from the services' head revisions",
        })?;
        let app_id = services[0].application_id;
        let scope = Scope::Application(app_id);
        let mut analysis = crate::analysis::analyze(&consolidation.model, catalog);
        let present = analysis.threats.iter().map(|t| t.key.clone()).collect();
        self.sync_threats(scope, &present, author)?;
        consolidation.model.triage.extend(self.triage(scope)?);
        crate::analysis::apply_triage(&mut analysis, &consolidation.model.triage);
        let attack_paths =
            crate::consolidate::paths::attack_paths(&consolidation.model, &analysis, 3);
        Ok(ApplicationAnalysis {
            application: app_id,
            services,
            consolidation,
            analysis,
            attack_paths,
            revision: outcome.revision().clone(),
        })
    }
}
