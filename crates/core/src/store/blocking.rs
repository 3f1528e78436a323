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
    Application, Location, ModelSummary, Result, RevisionId, RevisionInfo, Save, SaveOutcome,
    Scope, Store, StoreError, SyncReport, TriageEntry, TriageHistoryEntry, TriageUpdate,
    VerifyReport,
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
    /// Creates a new workspace file; fails if `path` exists. A `postgres://` URL given as the
    /// path creates the workspace in that database instead ([`Location::from_arg`]), so every
    /// command that names a workspace accepts a server.
    pub fn create(path: &Path) -> Result<Workspace> {
        Self::create_at(&Location::from_arg(path))
    }

    /// Opens an existing workspace; see [`Store::open`]. A `postgres://` URL given as the
    /// path opens that database ([`Location::from_arg`]).
    pub fn open(path: &Path) -> Result<Workspace> {
        Self::open_at(&Location::from_arg(path))
    }

    /// Creates a new workspace, a file or a database on a PostgreSQL server; see
    /// [`Store::create_at`].
    pub fn create_at(location: &Location) -> Result<Workspace> {
        let runtime = runtime()?;
        let store = runtime.block_on(Store::create_at(location))?;
        Ok(Workspace { runtime, store })
    }

    /// Opens an existing workspace, a file or a database; see [`Store::open_at`].
    pub fn open_at(location: &Location) -> Result<Workspace> {
        let runtime = runtime()?;
        let store = runtime.block_on(Store::open_at(location))?;
        Ok(Workspace { runtime, store })
    }

    /// Copies the whole workspace at `from` into `to` (a new file, or an empty database); see
    /// the `copy` module of the store.
    pub fn copy(from: &Location, to: &Location) -> Result<super::CopyReport> {
        runtime()?.block_on(super::copy::copy(from, to))
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

    /// Keeps a service's Terraform import, the ancestor of its next re-import.
    pub fn keep_terraform_import(
        &self,
        import: &ServiceModel,
        revision: RevisionId,
        root: &str,
    ) -> Result<()> {
        self.block_on(self.store.keep_terraform_import(import, revision, root))
    }

    /// A service's last Terraform import, if the workspace keeps one.
    pub fn last_terraform_import(&self, service: ModelId) -> Result<Option<ServiceModel>> {
        self.block_on(self.store.last_terraform_import(service))
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
