//! The app's workspace: which SQLite workspace is open, and everything the UI does with it,
//! as plain functions over `stridewise-core` (testable without a window; see the tests at
//! the bottom). `lib.rs` runs each on a blocking thread, one at a time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use stridewise_core::app::{self, Save, Scope, StoreError, Workspace};
use stridewise_core::catalog::Catalog;
use stridewise_core::model::{
    self, ModelId, ModelKind, RevisionId, ServiceModel, ThreatKey, TriageDecision,
};
use stridewise_core::report::{self, ReportInput, ReportOptions};

use crate::chosen::{ChosenPaths, PathPurpose};
use crate::error::{ApiError, ApiErrorCode};
use crate::types::*;

/// The application the sample models are filed under, by file-name prefix.
const SAMPLE_APPLICATIONS: &[(&str, &str)] =
    &[("mc-", "mission-critical"), ("stridewise", "stridewise")];
/// How many workspaces the recent list keeps.
const RECENT: usize = 10;

/// Where the app keeps its own files.
#[derive(Debug, Clone)]
pub struct Dirs {
    /// `recent.json`.
    pub config: PathBuf,
    /// The sample workspace made on first run.
    pub data: PathBuf,
}

/// The open workspace.
pub struct Session {
    pub path: PathBuf,
    pub ws: Workspace,
    pub sample: bool,
    /// Reviewed revisions with their threats, by revision: a revision never changes, and the
    /// review screen shows them again after every decision.
    pub(crate) reviewed: crate::review::ReviewedCache,
    /// A server workspace's live changes, forwarded to `on_change` while it is open.
    _watch: Option<app::live::Watch>,
}

/// Everything the app holds between commands.
pub struct AppCore {
    pub dirs: Dirs,
    /// The workspace named on the command line.
    pub initial: Option<PathBuf>,
    pub session: Option<Session>,
    /// Who saves and decides, as recorded in revisions and triage history.
    pub author: String,
    /// The files the user chose in the app's dialogs: the only ones the UI may name.
    pub chosen: ChosenPaths,
    /// Told who changed what when a teammate changes the open server workspace.
    pub on_change: Option<std::sync::Arc<dyn Fn(String) + Send + Sync>>,
}

pub(crate) fn store_error(err: StoreError) -> ApiError {
    ApiError::from(err)
}

pub(crate) fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ApiErrorCode::InvalidInput, message)
}

pub(crate) use app::workspace::model_id as parse_model_id;
pub(crate) use app::workspace::{given_name as non_empty_name, given_path as non_empty_path};

impl AppCore {
    pub fn new(dirs: Dirs, initial: Option<PathBuf>) -> Self {
        let author = app::triage::default_author();
        AppCore {
            dirs,
            initial,
            session: None,
            author,
            chosen: ChosenPaths::default(),
            on_change: None,
        }
    }

    pub(crate) fn session(&self) -> Result<&Session, ApiError> {
        self.session.as_ref().ok_or_else(|| {
            ApiError::new(
                ApiErrorCode::NoWorkspace,
                "no workspace is open: open or create one first",
            )
        })
    }

    pub(crate) fn ws(&self) -> Result<&Workspace, ApiError> {
        Ok(&self.session()?.ws)
    }

    pub(crate) fn application_id(
        &self,
        application: &str,
    ) -> Result<stridewise_core::model::ApplicationId, ApiError> {
        self.ws()?
            .applications()?
            .into_iter()
            .find(|a| a.name == application)
            .map(|a| a.id)
            .ok_or_else(|| store_error(StoreError::UnknownApplication(application.to_string())))
    }

    // ---- workspaces -------------------------------------------------------------------

    /// The workspace named on the command line (created when the file does not exist), else
    /// the most recent one that still opens, else the sample workspace.
    pub fn start(&mut self) -> Result<WorkspaceInfo, ApiError> {
        if let Some(path) = self.initial.clone() {
            return if path.exists() {
                self.open_path(path)
            } else {
                self.create_path(path)
            };
        }
        for path in self.recent() {
            if Path::new(&path).exists() && self.open_path(PathBuf::from(path)).is_ok() {
                return self.info();
            }
        }
        self.open_sample_workspace()
    }

    /// Opens a workspace the user chose in the open dialog, or one of the recent list.
    pub fn open_workspace(&mut self, path: &str) -> Result<WorkspaceInfo, ApiError> {
        non_empty_path(path)?;
        let path =
            if self.recent().iter().any(|r| r == path) || app::workspace::is_server_url(path)? {
                PathBuf::from(path)
            } else {
                self.chosen.take(PathPurpose::OpenWorkspace, path)?
            };
        self.open_path(path)
    }

    /// Creates the workspace the user chose in the new-workspace dialog.
    pub fn create_workspace(&mut self, path: &str) -> Result<WorkspaceInfo, ApiError> {
        let path = self.chosen.take(PathPurpose::NewWorkspace, path)?;
        self.create_path(path)
    }

    fn open_path(&mut self, path: PathBuf) -> Result<WorkspaceInfo, ApiError> {
        let ws = Workspace::open(&path)?;
        let sample = path == self.sample_path();
        self.switch_to(path, ws, sample)
    }

    fn create_path(&mut self, path: PathBuf) -> Result<WorkspaceInfo, ApiError> {
        let ws = Workspace::create(&path)?;
        self.switch_to(path, ws, false)
    }

    /// The bundled sample workspace in the app's data folder, made from the sample models
    /// the first time.
    pub fn open_sample_workspace(&mut self) -> Result<WorkspaceInfo, ApiError> {
        let path = self.sample_path();
        if !path.exists() {
            std::fs::create_dir_all(&self.dirs.data).map_err(|e| {
                ApiError::new(
                    ApiErrorCode::Io,
                    format!("cannot create '{}': {e}", self.dirs.data.display()),
                )
            })?;
            // Made under a temporary name and renamed, so a crash never leaves half a sample.
            let partial = path.with_extension("partial");
            let _ = std::fs::remove_file(&partial);
            {
                let ws = Workspace::create(&partial)?;
                fill_sample(&ws, &self.author)?;
            }
            std::fs::rename(&partial, &path).map_err(|e| {
                ApiError::new(
                    ApiErrorCode::Io,
                    format!("cannot create '{}': {e}", path.display()),
                )
            })?;
        }
        let ws = Workspace::open(&path)?;
        self.switch_to(path, ws, true)
    }

    fn sample_path(&self) -> PathBuf {
        self.dirs.data.join("sample.stridewise")
    }

    fn switch_to(
        &mut self,
        path: PathBuf,
        ws: Workspace,
        sample: bool,
    ) -> Result<WorkspaceInfo, ApiError> {
        let path = path.canonicalize().unwrap_or(path);
        let _watch = app::live::tell(ws.store(), self.on_change.clone());
        self.session = Some(Session {
            path,
            ws,
            sample,
            reviewed: Default::default(),
            _watch,
        });
        self.remember();
        self.info()
    }

    /// The open workspace as the sidebar shows it.
    pub fn info(&self) -> Result<WorkspaceInfo, ApiError> {
        let s = self.session()?;
        let mut applications: BTreeMap<String, ApplicationEntry> =
            s.ws.applications()?
                .into_iter()
                .map(|a| {
                    (
                        a.name.clone(),
                        ApplicationEntry {
                            name: a.name,
                            services: Vec::new(),
                            application_model: None,
                        },
                    )
                })
                .collect();
        for m in s.ws.models()? {
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
        Ok(WorkspaceInfo {
            path: s.path.display().to_string(),
            name: s
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            applications: applications.into_values().collect(),
            recent: self.recent(),
            sample: s.sample,
        })
    }

    fn recent_file(&self) -> PathBuf {
        self.dirs.config.join("recent.json")
    }

    /// The recent list; a missing or unreadable list is an empty one.
    pub fn recent(&self) -> Vec<String> {
        std::fs::read(self.recent_file())
            .ok()
            .and_then(|b| serde_json::from_slice::<Vec<String>>(&b).ok())
            .unwrap_or_default()
    }

    /// Puts the open workspace first in the recent list. Failing to write the list is not worth
    /// failing the open for; it is reported on stderr.
    fn remember(&self) {
        let Some(s) = &self.session else { return };
        let current = s.path.display().to_string();
        let mut list = self.recent();
        list.retain(|p| *p != current);
        list.insert(0, current);
        list.truncate(RECENT);
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(&self.dirs.config)?;
            stridewise_core::file::write_atomic(
                &self.recent_file(),
                &serde_json::to_vec_pretty(&list)?,
            )
        };
        if let Err(e) = write() {
            eprintln!(
                "stridewise-app: cannot update the recent list in '{}': {e}",
                self.dirs.config.display()
            );
        }
    }

    // ---- services ---------------------------------------------------------------------

    pub(crate) fn entry(&self, id: ModelId) -> Result<ServiceEntry, ApiError> {
        self.ws()?
            .models()?
            .iter()
            .find(|m| m.id == id && m.kind == ModelKind::Service)
            .map(ServiceEntry::from)
            .ok_or_else(|| store_error(StoreError::UnknownModel(id)))
    }

    pub fn load_service(&self, id: &str) -> Result<LoadedService, ApiError> {
        let id = parse_model_id(id)?;
        let service = self.entry(id)?;
        let (_, model) = self
            .ws()?
            .load_head(id)?
            .ok_or_else(|| store_error(StoreError::UnknownModel(id)))?;
        Ok(LoadedService { service, model })
    }

    pub fn save_service(
        &self,
        application: &str,
        model: &ServiceModel,
        base: Option<&str>,
        message: &str,
    ) -> Result<SavedService, ApiError> {
        let application = non_empty_name(application, "application")?;
        if model.kind != ModelKind::Service {
            return Err(invalid("only service models are edited in the app"));
        }
        let expected_head = base
            .map(|b| {
                b.parse::<uuid::Uuid>()
                    .map(RevisionId)
                    .map_err(|_| invalid(format!("'{b}' is not a revision id")))
            })
            .transpose()?;
        let ws = self.ws()?;
        let outcome = ws.save(Save {
            application: &application,
            model,
            expected_head,
            merge_parent: None,
            author: &self.author,
            message: if message.trim().is_empty() {
                "edited in the desktop app"
            } else {
                message
            },
        })?;
        let changed = matches!(outcome, app::SaveOutcome::Saved(_));
        if changed {
            self.sync(model)?;
        }
        Ok(SavedService {
            service: self.entry(model.id)?,
            changed,
        })
    }

    /// Records which threats the saved model has, so decisions of vanished threats turn
    /// obsolete and come back with their threat.
    fn sync(&self, model: &ServiceModel) -> Result<(), ApiError> {
        app::workspace::record_threats(self.ws()?, model, Catalog::builtin(), &self.author)?;
        Ok(())
    }

    pub fn merge_service(
        &self,
        application: &str,
        model: &ServiceModel,
        base: &str,
    ) -> Result<MergedService, ApiError> {
        let base = base
            .parse()
            .map(RevisionId)
            .map_err(|_| invalid(format!("'{base}' is not a revision id")))?;
        let (merged, conflicts) = app::workspace::merge_edit(
            self.ws()?,
            application,
            model,
            base,
            Catalog::builtin(),
            &format!("your edits in the desktop app ({})", self.author),
            &self.author,
        )?;
        Ok(MergedService {
            service: self.entry(model.id)?,
            model: merged,
            conflicts,
        })
    }

    pub fn create_service(&self, application: &str, name: &str) -> Result<LoadedService, ApiError> {
        let application = non_empty_name(application, "application")?;
        let model = ServiceModel::new(non_empty_name(name, "service")?);
        self.ws()?.save(Save {
            application: &application,
            model: &model,
            expected_head: None,
            merge_parent: None,
            author: &self.author,
            message: "created in the desktop app",
        })?;
        self.load_service(&model.id.to_string())
    }

    pub fn rename_service(&self, id: &str, name: &str) -> Result<ServiceEntry, ApiError> {
        let name = non_empty_name(name, "service")?;
        let loaded = self.load_service(id)?;
        let mut model = loaded.model;
        let old = std::mem::replace(&mut model.name, name.clone());
        self.ws()?.save(Save {
            application: &loaded.service.application,
            model: &model,
            expected_head: loaded
                .service
                .head
                .as_ref()
                .and_then(|h| h.id.parse().ok())
                .map(RevisionId),
            merge_parent: None,
            author: &self.author,
            message: &format!("renamed from '{old}'"),
        })?;
        self.entry(model.id)
    }

    pub fn duplicate_service(&self, id: &str, name: &str) -> Result<LoadedService, ApiError> {
        let name = non_empty_name(name, "copy")?;
        let loaded = self.load_service(id)?;
        let mut copy = loaded.model.duplicate();
        copy.name = name;
        self.ws()?.save(Save {
            application: &loaded.service.application,
            model: &copy,
            expected_head: None,
            merge_parent: None,
            author: &self.author,
            message: &format!("duplicated from '{}'", loaded.service.name),
        })?;
        self.load_service(&copy.id.to_string())
    }

    pub fn delete_service(&self, id: &str) -> Result<(), ApiError> {
        let id = parse_model_id(id)?;
        self.entry(id)?;
        self.ws()?.archive_model(id)?;
        Ok(())
    }

    /// Adds the models of a file to the application: a Stridewise model (merged when it was
    /// exported from this workspace), pytm JSON, or another tool's format.
    pub fn import_models(
        &mut self,
        application: &str,
        path: &str,
    ) -> Result<ImportOutcome, ApiError> {
        let application = non_empty_name(application, "application")?;
        let path = self.chosen.take(PathPurpose::Import, path)?;
        let read = app::import::read_models(&path, Catalog::builtin())?;
        let mut notes = read.notes;
        let imported = app::import::add_models(
            self.ws()?,
            &application,
            &read.models,
            Catalog::builtin(),
            &format!("file {} (imported by {})", path.display(), self.author),
            &self.author,
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
            services.push(self.entry(i.model.id)?);
        }
        Ok(ImportOutcome {
            services,
            format: read.format,
            notes,
        })
    }

    /// Writes the head revision as a `.stride.json` that remembers its revision.
    pub fn export_service(&mut self, id: &str, path: &str) -> Result<(), ApiError> {
        let id = parse_model_id(id)?;
        let path = self.chosen.take(PathPurpose::ExportModel, path)?;
        let (_, doc) = self.ws()?.export(id)?;
        model::save(&doc, &path).map_err(|e| {
            ApiError::new(
                ApiErrorCode::Io,
                format!("cannot write '{}': {e}", path.display()),
            )
        })
    }

    // ---- threats ----------------------------------------------------------------------

    /// The threats of a model being edited, with the decisions the workspace holds for its
    /// service (none for a model outside the workspace).
    pub fn analyze(
        &self,
        model: &ServiceModel,
        service: Option<&str>,
    ) -> Result<ServiceAnalysis, ApiError> {
        let service = service.map(parse_model_id).transpose()?;
        let (found, decisions) =
            app::workspace::analyze_edited(self.ws()?, model, service, Catalog::builtin())?;
        Ok(ServiceAnalysis {
            analysis: found,
            decisions,
        })
    }

    pub fn decide(
        &self,
        scope: &TriageScope,
        key: &str,
        change: &TriageChange,
    ) -> Result<TriageDecision, ApiError> {
        if key.trim().is_empty() {
            return Err(invalid("no threat key was given"));
        }
        let scope = match scope {
            TriageScope::Service { id } => Scope::Service(*id),
            TriageScope::Application { name } => Scope::Application(self.application_id(name)?),
        };
        let entry = app::triage::decide(
            self.ws()?,
            scope,
            &ThreatKey(key.to_string()),
            &change.to_update(),
            &self.author,
            Catalog::builtin(),
        )?;
        Ok(entry.decision)
    }

    pub fn application_view(&self, application: &str) -> Result<ApplicationView, ApiError> {
        let done = app::workspace::consolidate_application(
            self.ws()?,
            application,
            Catalog::builtin(),
            &self.author,
        )?;
        let decisions = app::workspace::found_decisions(
            &done.analysis,
            done.consolidation.model.triage.clone(),
        );
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

    /// Writes the HTML report of an application: its services' head revisions with their
    /// triage, the consolidated application when it has several services, and its reviews.
    pub fn export_report(
        &mut self,
        application: &str,
        path: &str,
    ) -> Result<ReportWritten, ApiError> {
        let path = self.chosen.take(PathPurpose::Report, path)?;
        let ws = self.ws()?;
        let catalog = Catalog::builtin();
        let sections = app::report::service_sections(ws, Some(application), &[], catalog)?;
        let app_section = app::report::application_section(ws, application, &sections, catalog)?;
        let input = ReportInput {
            title: format!("Threat model: {application}"),
            generated_at: report::format_utc(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs() as i64)
                    .unwrap_or(0),
            ),
            authors: vec![self.author.clone()],
            reviewers: Vec::new(),
            models: sections,
            application: app_section,
            reviews: app::report::review_entries(ws, Some(application))?,
            options: ReportOptions::default(),
        };
        let html = report::render_html(&input).map_err(|e| {
            ApiError::new(
                ApiErrorCode::Internal,
                format!("cannot render the report: {e}"),
            )
        })?;
        let threats = input.counted().len();
        write_atomically(&path, html.as_bytes())?;
        self.chosen.wrote_report(&path);
        Ok(ReportWritten {
            path: path.display().to_string(),
            bytes: u32::try_from(html.len()).unwrap_or(u32::MAX),
            threats: u32::try_from(threats).unwrap_or(u32::MAX),
        })
    }
}

pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ApiError> {
    stridewise_core::file::write_atomic(path, bytes).map_err(|e| {
        ApiError::new(
            ApiErrorCode::Io,
            format!("cannot write '{}': {e}", path.display()),
        )
    })
}

/// Files the sample models into their applications.
fn fill_sample(ws: &Workspace, author: &str) -> Result<(), ApiError> {
    for (file, text) in crate::api::embedded_samples() {
        let Some((_, application)) = SAMPLE_APPLICATIONS
            .iter()
            .find(|(p, _)| file.starts_with(p))
        else {
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
        app::workspace::record_threats(ws, &m, Catalog::builtin(), author)?;
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use stridewise_core::model::{Element, ElementKind, TriageStatus};

    fn core(dir: &Path, initial: Option<PathBuf>) -> AppCore {
        AppCore::new(
            Dirs {
                config: dir.join("config"),
                data: dir.join("data"),
            },
            initial,
        )
    }

    fn service<'a>(info: &'a WorkspaceInfo, app: &str, name: &str) -> &'a ServiceEntry {
        info.applications
            .iter()
            .find(|a| a.name == app)
            .and_then(|a| a.services.iter().find(|s| s.name == name))
            .unwrap_or_else(|| panic!("no service {app}/{name} in {info:#?}"))
    }

    /// What the person at the dialog would answer: `path`, chosen for `purpose`.
    pub(crate) fn chose(c: &mut AppCore, purpose: PathPurpose, path: &Path) -> String {
        c.chosen.choose(purpose, path.to_path_buf()).unwrap()
    }

    fn head(s: &ServiceEntry) -> String {
        s.head.as_ref().unwrap().id.clone()
    }

    /// The project's interop fixtures (tests/fixtures/interop).
    fn fixture(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/interop")
            .join(rel)
    }

    #[test]
    fn first_start_opens_the_sample_workspace_then_the_last_one() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = core(dir.path(), None);
        let info = c.start().unwrap();
        assert!(info.sample);
        let apps: Vec<_> = info.applications.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(apps, ["mission-critical", "stridewise"]);
        let mc: Vec<_> = info.applications[0]
            .services
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(mc.len(), 3, "{mc:?}");
        // Real threats at once: the sample's services analyse with threats.
        let mut threats = 0;
        for service in &info.applications[0].services {
            let loaded = c.load_service(&service.id.to_string()).unwrap();
            let found = c
                .analyze(&loaded.model, Some(&service.id.to_string()))
                .unwrap();
            assert!(!found.analysis.threats.is_empty(), "{}", service.name);
            threats += found.analysis.threats.len();
        }
        assert!(threats > 50, "{threats}");

        // A workspace opened later is the one the next start opens.
        let other = dir.path().join("team.stridewise");
        let other_chosen = chose(&mut c, PathPurpose::NewWorkspace, &other);
        c.create_workspace(&other_chosen).unwrap();
        let mut again = core(dir.path(), None);
        let info = again.start().unwrap();
        assert!(!info.sample);
        assert_eq!(Path::new(&info.path), other.canonicalize().unwrap());
        assert_eq!(info.recent.len(), 2, "{:?}", info.recent);
        // The sample is made once, not again.
        let sample = again.open_sample_workspace().unwrap();
        assert_eq!(sample.applications.len(), 2);
    }

    // Issue 20, 9: the commands that read or write a file took any path the webview passed.
    // Now only a path the user chose in the app's dialog for that purpose (or a recent
    // workspace) is accepted; anything else is refused with `path_not_chosen` and nothing is
    // read, written or opened.
    #[test]
    fn issue_20_paths_the_user_did_not_choose_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = core(dir.path(), None);
        let info = c.start().unwrap();
        let stamp = service(&info, "mission-critical", "mc-stamp")
            .id
            .to_string();
        let before = std::fs::read_dir(dir.path()).unwrap().count();

        let other = dir.path().join("other.stridewise");
        Workspace::create(&other).unwrap();
        let secret = dir.path().join("secret.json");
        std::fs::write(&secret, "{}").unwrap();
        let out = dir.path().join("out.html");
        let p = |p: &Path| p.to_str().unwrap().to_string();
        let refused = [
            c.open_workspace(&p(&other)).map(drop),
            c.create_workspace(&p(&dir.path().join("new.stridewise")))
                .map(drop),
            c.import_models("mission-critical", &p(&secret)).map(drop),
            c.export_service(&stamp, &p(&dir.path().join("m.stride.json"))),
            c.export_report("mission-critical", &p(&out)).map(drop),
            c.chosen.report(&p(&out)).map(drop),
        ];
        for (i, r) in refused.into_iter().enumerate() {
            let err = r.unwrap_err();
            assert_eq!(err.code, ApiErrorCode::PathNotChosen, "command {i}: {err}");
            assert!(err.message.contains("dialogs"), "{err}");
        }
        // Nothing was created, and the sample workspace is still the open one.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), before + 2);
        assert!(!out.exists() && !dir.path().join("new.stridewise").exists());
        assert!(c.info().unwrap().sample);

        // A path chosen for reading is not one the app may write.
        let chosen = chose(&mut c, PathPurpose::Import, &out);
        let err = c.export_report("mission-critical", &chosen).unwrap_err();
        assert_eq!(err.code, ApiErrorCode::PathNotChosen);

        // Chosen in the dialog, each works once; the written report may then be opened.
        let chosen = chose(&mut c, PathPurpose::Report, &out);
        c.export_report("mission-critical", &chosen).unwrap();
        assert_eq!(c.chosen.report(&chosen).unwrap(), out);
        let err = c.export_report("mission-critical", &chosen).unwrap_err();
        assert_eq!(err.code, ApiErrorCode::PathNotChosen);
        let chosen = chose(&mut c, PathPurpose::OpenWorkspace, &other);
        assert!(!c.open_workspace(&chosen).unwrap().sample);

        // The recent list is the app's own: its workspaces open without a dialog.
        let sample = c
            .recent()
            .into_iter()
            .find(|r| r.ends_with("sample.stridewise"));
        assert!(c.open_workspace(&sample.unwrap()).unwrap().sample);
    }

    #[test]
    fn the_command_line_workspace_is_created_when_missing_and_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.stridewise");
        let info = core(dir.path(), Some(path.clone())).start().unwrap();
        assert!(info.applications.is_empty());
        assert!(path.is_file());

        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "not a workspace").unwrap();
        let err = core(dir.path(), Some(text.clone())).start().unwrap_err();
        assert_eq!(err.code, ApiErrorCode::NotAWorkspace, "{err}");
        assert_eq!(std::fs::read_to_string(&text).unwrap(), "not a workspace");
        let mut c = core(dir.path(), None);
        let chosen = chose(&mut c, PathPurpose::NewWorkspace, &text);
        let err = c.create_workspace(&chosen).unwrap_err();
        assert_eq!(err.code, ApiErrorCode::AlreadyExists, "{err}");
        assert_eq!(c.info().unwrap_err().code, ApiErrorCode::NoWorkspace);
    }

    #[test]
    fn a_stale_save_is_refused_and_a_merge_keeps_both_edits() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = core(dir.path(), None);
        let info = c.start().unwrap();
        let stamp = service(&info, "mission-critical", "mc-stamp").clone();
        let id = stamp.id.to_string();
        let base = head(&stamp);

        // Someone else (the CLI) saves first.
        let mut theirs = c.load_service(&id).unwrap().model;
        theirs.description = "edited by the CLI".into();
        let saved = c
            .save_service("mission-critical", &theirs, Some(&base), "cli")
            .unwrap();
        assert!(saved.changed);
        assert_eq!(saved.service.revisions, 2);

        // The editor, still on the old base, is refused and nothing is written.
        let mut mine = c.load_service(&id).unwrap().model;
        mine.description = stamp_description(&c, &base);
        mine.elements
            .push(Element::new(ElementKind::Process, "Added in the app"));
        let err = c
            .save_service("mission-critical", &mine, Some(&base), "")
            .unwrap_err();
        assert_eq!(err.code, ApiErrorCode::Conflict, "{err}");
        assert_eq!(c.load_service(&id).unwrap().service.revisions, 2);

        // Merging keeps their description and my element, in a two-parent revision.
        let merged = c.merge_service("mission-critical", &mine, &base).unwrap();
        assert!(merged.conflicts.is_empty(), "{:?}", merged.conflicts);
        assert_eq!(merged.model.description, "edited by the CLI");
        assert!(
            merged
                .model
                .elements
                .iter()
                .any(|e| e.name == "Added in the app")
        );
        assert_eq!(merged.service.revisions, 3);
        // Saving the same model again writes nothing.
        let again = c
            .save_service(
                "mission-critical",
                &merged.model,
                Some(&head(&merged.service)),
                "",
            )
            .unwrap();
        assert!(!again.changed);
    }

    fn stamp_description(c: &AppCore, base: &str) -> String {
        let ws = c.ws().unwrap();
        let (_, m) = ws
            .load_revision(stridewise_core::model::RevisionId(base.parse().unwrap()))
            .unwrap();
        m.description
    }

    #[test]
    fn services_are_created_renamed_duplicated_and_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = core(dir.path(), Some(dir.path().join("w.stridewise")));
        c.start().unwrap();
        let payments = c.create_service("shop", "payments").unwrap();
        assert_eq!(payments.service.revisions, 1);
        assert_eq!(
            c.create_service("shop", "payments").unwrap_err().code,
            ApiErrorCode::NameTaken
        );
        assert_eq!(
            c.create_service("shop", "  ").unwrap_err().code,
            ApiErrorCode::InvalidInput
        );
        let id = payments.service.id.to_string();

        // Give it some content, then duplicate: fresh ids everywhere, same shape.
        let mut m = payments.model.clone();
        let a = Element::new(ElementKind::ExternalEntity, "Customer");
        let b = Element::new(ElementKind::Process, "API");
        m.flows.push(model::DataFlow::new("orders", a.id, b.id));
        m.elements.extend([a, b]);
        c.save_service("shop", &m, Some(&head(&payments.service)), "")
            .unwrap();
        let copy = c.duplicate_service(&id, "payments (copy)").unwrap();
        assert_ne!(copy.model.id, m.id);
        assert_eq!(copy.model.elements.len(), 2);
        assert!(
            copy.model
                .elements
                .iter()
                .all(|e| m.element(e.id).is_none())
        );
        assert!(
            crate::api::validate(&copy.model)
                .iter()
                .all(|d| !d.is_error())
        );
        let f = &copy.model.flows[0];
        assert!(copy.model.element(f.source).is_some() && copy.model.element(f.target).is_some());

        let renamed = c.rename_service(&id, "checkout").unwrap();
        assert_eq!(renamed.name, "checkout");
        assert_eq!(renamed.revisions, 3);
        assert_eq!(
            c.rename_service(&id, "payments (copy)").unwrap_err().code,
            ApiErrorCode::NameTaken
        );

        c.delete_service(&id).unwrap();
        let info = c.info().unwrap();
        let names: Vec<_> = info.applications[0]
            .services
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(names, ["payments (copy)"]);
        assert_eq!(
            c.load_service(&id).unwrap_err().code,
            ApiErrorCode::NotFound
        );
        // The name is free again; the deleted service's revisions are still in the file.
        c.create_service("shop", "checkout").unwrap();
        let ws = c.ws().unwrap();
        assert_eq!(ws.history(m.id).unwrap().len(), 3);
    }

    #[test]
    fn decisions_show_in_the_analysis_of_services_and_the_application() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = core(dir.path(), None);
        let info = c.start().unwrap();
        let stamp = service(&info, "mission-critical", "mc-stamp");
        let id = stamp.id.to_string();
        let model = c.load_service(&id).unwrap().model;
        let first = c.analyze(&model, Some(&id)).unwrap();
        let threat = &first.analysis.threats[0];
        assert!(first.decisions.is_empty());
        let change = TriageChange {
            status: Some(TriageStatus::Accepted),
            justification: Some("behind the private endpoint".into()),
            owner: Some("alice".into()),
            ..Default::default()
        };
        let scope = TriageScope::Service { id: stamp.id };
        // Accepting without saying why is refused, and records nothing.
        let unjustified = TriageChange {
            status: Some(TriageStatus::Accepted),
            ..Default::default()
        };
        let err = c
            .decide(&scope, threat.key.as_str(), &unjustified)
            .unwrap_err();
        assert_eq!(err.code, ApiErrorCode::JustificationRequired, "{err}");
        assert!(err.message.contains("justification"), "{err}");
        assert!(c.analyze(&model, Some(&id)).unwrap().decisions.is_empty());
        let decided = c.decide(&scope, threat.key.as_str(), &change).unwrap();
        assert_eq!(decided.status, TriageStatus::Accepted);
        let second = c.analyze(&model, Some(&id)).unwrap();
        let t = second
            .analysis
            .threats
            .iter()
            .find(|t| t.key == threat.key)
            .unwrap();
        assert_eq!(t.status, Some(TriageStatus::Accepted));
        assert_eq!(second.decisions[&threat.key].owner, "alice");

        // The application view: consolidated, application-level threats and attack paths.
        let view = c.application_view("mission-critical").unwrap();
        assert_eq!(view.services.len(), 3);
        assert!(view.analysis.threats.iter().any(|t| t.app_level));
        assert!(!view.attack_paths.is_empty());
        let app_threat = view.analysis.threats.iter().find(|t| t.app_level).unwrap();
        let app_scope = TriageScope::Application {
            name: "mission-critical".into(),
        };
        let change = TriageChange {
            status: Some(TriageStatus::Mitigated),
            ..Default::default()
        };
        c.decide(&app_scope, app_threat.key.as_str(), &change)
            .unwrap();
        let again = c.application_view("mission-critical").unwrap();
        assert_eq!(
            again.revision, view.revision,
            "an unchanged application is not saved again"
        );
        assert_eq!(
            again.decisions[&app_threat.key].status,
            TriageStatus::Mitigated
        );
        let unknown = TriageScope::Application {
            name: "nope".into(),
        };
        assert_eq!(
            c.decide(&unknown, "K", &change).unwrap_err().code,
            ApiErrorCode::NotFound
        );
    }

    #[test]
    fn report_export_and_import() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = core(dir.path(), None);
        let info = c.start().unwrap();
        let out = dir.path().join("report.html");
        let chosen = chose(&mut c, PathPurpose::Report, &out);
        let written = c.export_report("mission-critical", &chosen).unwrap();
        let html = std::fs::read_to_string(&out).unwrap();
        assert_eq!(written.bytes as usize, html.len());
        // The count the desktop reports is the report's own total: a threat on a resource
        // several services share counts once, as in the CLI, the exports and the agenda.
        assert!(written.threats > 50, "{}", written.threats);
        assert!(
            html.contains(&format!("{} threats were identified", written.threats)),
            "the report's total is not {}",
            written.threats
        );
        for s in &info.applications[0].services {
            assert!(html.contains(&s.name), "{} missing", s.name);
        }
        assert!(!html.contains("<script"));

        // Export a service, edit the file, import it back: it lands on the same service.
        let stamp = service(&info, "mission-critical", "mc-stamp");
        let file = dir.path().join("stamp.stride.json");
        let stamp = stamp.clone();
        let chosen = chose(&mut c, PathPurpose::ExportModel, &file);
        c.export_service(&stamp.id.to_string(), &chosen).unwrap();
        let mut exported = model::load(&file).unwrap();
        exported.description = "edited outside".into();
        model::save(&exported, &file).unwrap();
        let chosen = chose(&mut c, PathPurpose::Import, &file);
        let imported = c.import_models("mission-critical", &chosen).unwrap();
        assert_eq!(imported.format, "Stridewise model");
        assert_eq!(imported.services[0].id, stamp.id);
        assert_eq!(imported.services[0].revisions, 2);

        // A broken file is a clear error and adds nothing.
        let broken = dir.path().join("broken.json");
        std::fs::write(&broken, "{\"summary\": {\"title\": ").unwrap();
        let before = c.info().unwrap();
        let chosen = chose(&mut c, PathPurpose::Import, &broken);
        let err = c.import_models("mission-critical", &chosen).unwrap_err();
        assert_eq!(err.code, ApiErrorCode::ImportFailed, "{err}");
        assert!(err.message.contains("broken.json"), "{err}");
        assert_eq!(c.info().unwrap().applications, before.applications);

        // A model the CLI's `workspace add` refuses is refused here too, with the same code,
        // and nothing is stored (issue 15: one validation for both shells).
        exported.elements[0].stencil = "azure.no_such_service".into();
        let invalid = dir.path().join("invalid.stride.json");
        model::save(&exported, &invalid).unwrap();
        let chosen = chose(&mut c, PathPurpose::Import, &invalid);
        let err = c.import_models("mission-critical", &chosen).unwrap_err();
        assert_eq!(err.code, ApiErrorCode::InvalidInput, "{err}");
        assert!(err.message.contains("no_such_service"), "{err}");
        assert_eq!(c.info().unwrap().applications, before.applications);

        let td = fixture("threat-dragon/clinic.json");
        let chosen = chose(&mut c, PathPurpose::Import, &td);
        let done = c.import_models("payments", &chosen).unwrap();
        assert_eq!(done.format, "Threat Dragon v2 JSON");
        assert!(!done.services.is_empty());
        let tm7 = fixture("tmt/clinic.tm7");
        let chosen = chose(&mut c, PathPurpose::Import, &tm7);
        let done = c.import_models("tmt", &chosen).unwrap();
        assert_eq!(done.services.len(), 1);
    }
}
