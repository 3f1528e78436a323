//! The app's session: which workspace is open, the recent list, the bundled sample, and the
//! files the user chose in its dialogs. Every workspace command is a use case of
//! `stridewise_core::app` called with the open workspace and the app's author (testable without
//! a window; see the tests at the bottom). `lib.rs` runs each on a blocking thread, one at a time.

use std::path::{Path, PathBuf};

use stridewise_core::app::review_view::ReviewedRevisions;
use stridewise_core::app::services as svc;
use stridewise_core::app::{self, Workspace};

use crate::chosen::{ChosenPaths, PathPurpose};
use crate::error::{ApiError, ApiErrorCode};
use crate::types::*;

/// The application the sample models are filed under, by file-name prefix.
const SAMPLE_APPLICATIONS: &[(&str, &str)] =
    &[("mc-", "mission-critical"), ("stridewise", "stridewise")];

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
    /// The revisions its reviews looked at, analysed once.
    pub reviewed: ReviewedRevisions,
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

impl AppCore {
    pub fn new(dirs: Dirs, initial: Option<PathBuf>) -> Self {
        let author = app::triage::default_author();
        let chosen = ChosenPaths::default();
        AppCore {
            dirs,
            initial,
            session: None,
            author,
            chosen,
            on_change: None,
        }
    }

    pub fn session(&self) -> Result<&Session, ApiError> {
        self.session.as_ref().ok_or_else(|| {
            let message = "no workspace is open: open or create one first";
            ApiError::new(ApiErrorCode::NoWorkspace, message)
        })
    }

    pub fn ws(&self) -> Result<&Workspace, ApiError> {
        Ok(&self.session()?.ws)
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
        if path.trim().is_empty() {
            return Err(ApiError::invalid("no file name was given"));
        }
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
            let samples = crate::api::embedded_samples();
            svc::create_sample(&path, samples, SAMPLE_APPLICATIONS, &self.author)?;
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
        let reviewed = ReviewedRevisions::default();
        let _watch = app::live::tell(ws.store(), self.on_change.clone());
        self.session = Some(Session {
            path,
            ws,
            sample,
            reviewed,
            _watch,
        });
        self.remember();
        self.info()
    }

    /// The open workspace as the sidebar shows it.
    pub fn info(&self) -> Result<WorkspaceInfo, ApiError> {
        let s = self.session()?;
        Ok(WorkspaceInfo {
            path: s.path.display().to_string(),
            name: s
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            applications: svc::applications(&s.ws)?,
            recent: self.recent(),
            sample: s.sample,
        })
    }

    /// The recent list (`app::recent`).
    pub fn recent(&self) -> Vec<String> {
        app::recent::read(&self.dirs.config)
    }

    /// Puts the open workspace first in the recent list. Failing to write the list is not worth
    /// failing the open for; it is reported on stderr.
    fn remember(&self) {
        let Some(s) = &self.session else { return };
        if let Err(e) = app::recent::remember(&self.dirs.config, &s.path) {
            let dir = self.dirs.config.display();
            eprintln!("stridewise-app: cannot update the recent list in '{dir}': {e}");
        }
    }

    // ---- the use cases that take a path the user chose -----------------------------------

    /// Adds the models of the file the user chose in the import dialog to the application.
    pub fn import_models(
        &mut self,
        application: &str,
        path: &str,
    ) -> Result<ImportOutcome, ApiError> {
        let path = self.chosen.take(PathPurpose::Import, path)?;
        svc::import_file(self.ws()?, application, &path, &self.author)
    }

    /// Writes the head revision to the file the user chose in the export dialog.
    pub fn export_service(&mut self, id: &str, path: &str) -> Result<(), ApiError> {
        let path = self.chosen.take(PathPurpose::ExportModel, path)?;
        svc::export(self.ws()?, id, &path)
    }

    /// Writes the application's HTML report to the file the user chose in the report dialog.
    pub fn export_report(
        &mut self,
        application: &str,
        path: &str,
    ) -> Result<ReportWritten, ApiError> {
        let path = self.chosen.take(PathPurpose::Report, path)?;
        let written = app::report::write_application(self.ws()?, application, &path, &self.author)?;
        self.chosen.wrote_report(&path);
        Ok(written)
    }

    /// Writes the review report (HTML) to the file the user chose in the report dialog.
    pub fn export_review_report(
        &mut self,
        review_id: &str,
        path: &str,
    ) -> Result<ReportWritten, ApiError> {
        let path = self.chosen.take(PathPurpose::Report, path)?;
        let written = app::review_view::write_report(self.ws()?, review_id, &path)?;
        self.chosen.wrote_report(&path);
        Ok(written)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use stridewise_core::model;
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
            let loaded = svc::load(c.ws().unwrap(), &service.id.to_string()).unwrap();
            let found = svc::analyze(
                c.ws().unwrap(),
                &loaded.model,
                Some(&service.id.to_string()),
            )
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
        let mut theirs = svc::load(c.ws().unwrap(), &id).unwrap().model;
        theirs.description = "edited by the CLI".into();
        let saved = svc::save(
            c.ws().unwrap(),
            "mission-critical",
            &theirs,
            Some(&base),
            "cli",
            &c.author,
        )
        .unwrap();
        assert!(saved.changed);
        assert_eq!(saved.service.revisions, 2);

        // The editor, still on the old base, is refused and nothing is written.
        let mut mine = svc::load(c.ws().unwrap(), &id).unwrap().model;
        mine.description = stamp_description(&c, &base);
        mine.elements
            .push(Element::new(ElementKind::Process, "Added in the app"));
        let err = svc::save(
            c.ws().unwrap(),
            "mission-critical",
            &mine,
            Some(&base),
            "",
            &c.author,
        )
        .unwrap_err();
        assert_eq!(err.code, ApiErrorCode::Conflict, "{err}");
        assert_eq!(
            svc::load(c.ws().unwrap(), &id).unwrap().service.revisions,
            2
        );

        // Merging keeps their description and my element, in a two-parent revision.
        let merged =
            svc::merge(c.ws().unwrap(), "mission-critical", &mine, &base, &c.author).unwrap();
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
        let again = svc::save(
            c.ws().unwrap(),
            "mission-critical",
            &merged.model,
            Some(&head(&merged.service)),
            "",
            &c.author,
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
        let payments = svc::create(c.ws().unwrap(), "shop", "payments", &c.author).unwrap();
        assert_eq!(payments.service.revisions, 1);
        assert_eq!(
            svc::create(c.ws().unwrap(), "shop", "payments", &c.author)
                .unwrap_err()
                .code,
            ApiErrorCode::NameTaken
        );
        assert_eq!(
            svc::create(c.ws().unwrap(), "shop", "  ", &c.author)
                .unwrap_err()
                .code,
            ApiErrorCode::InvalidInput
        );
        let id = payments.service.id.to_string();

        // Give it some content, then duplicate: fresh ids everywhere, same shape.
        let mut m = payments.model.clone();
        let a = Element::new(ElementKind::ExternalEntity, "Customer");
        let b = Element::new(ElementKind::Process, "API");
        m.flows.push(model::DataFlow::new("orders", a.id, b.id));
        m.elements.extend([a, b]);
        svc::save(
            c.ws().unwrap(),
            "shop",
            &m,
            Some(&head(&payments.service)),
            "",
            &c.author,
        )
        .unwrap();
        let copy = svc::duplicate(c.ws().unwrap(), &id, "payments (copy)", &c.author).unwrap();
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

        let renamed = svc::rename(c.ws().unwrap(), &id, "checkout", &c.author).unwrap();
        assert_eq!(renamed.name, "checkout");
        assert_eq!(renamed.revisions, 3);
        assert_eq!(
            svc::rename(c.ws().unwrap(), &id, "payments (copy)", &c.author)
                .unwrap_err()
                .code,
            ApiErrorCode::NameTaken
        );

        svc::delete(c.ws().unwrap(), &id).unwrap();
        let info = c.info().unwrap();
        let names: Vec<_> = info.applications[0]
            .services
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(names, ["payments (copy)"]);
        assert_eq!(
            svc::load(c.ws().unwrap(), &id).unwrap_err().code,
            ApiErrorCode::NotFound
        );
        // The name is free again; the deleted service's revisions are still in the file.
        svc::create(c.ws().unwrap(), "shop", "checkout", &c.author).unwrap();
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
        let model = svc::load(c.ws().unwrap(), &id).unwrap().model;
        let first = svc::analyze(c.ws().unwrap(), &model, Some(&id)).unwrap();
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
        let err = svc::decide(
            c.ws().unwrap(),
            &scope,
            threat.key.as_str(),
            &unjustified,
            &c.author,
        )
        .unwrap_err();
        assert_eq!(err.code, ApiErrorCode::JustificationRequired, "{err}");
        assert!(err.message.contains("justification"), "{err}");
        assert!(
            svc::analyze(c.ws().unwrap(), &model, Some(&id))
                .unwrap()
                .decisions
                .is_empty()
        );
        let decided = svc::decide(
            c.ws().unwrap(),
            &scope,
            threat.key.as_str(),
            &change,
            &c.author,
        )
        .unwrap();
        assert_eq!(decided.status, TriageStatus::Accepted);
        let second = svc::analyze(c.ws().unwrap(), &model, Some(&id)).unwrap();
        let t = second
            .analysis
            .threats
            .iter()
            .find(|t| t.key == threat.key)
            .unwrap();
        assert_eq!(t.status, Some(TriageStatus::Accepted));
        assert_eq!(second.decisions[&threat.key].owner, "alice");

        // The application view: consolidated, application-level threats and attack paths.
        let view = svc::application_view(c.ws().unwrap(), "mission-critical", &c.author).unwrap();
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
        svc::decide(
            c.ws().unwrap(),
            &app_scope,
            app_threat.key.as_str(),
            &change,
            &c.author,
        )
        .unwrap();
        let again = svc::application_view(c.ws().unwrap(), "mission-critical", &c.author).unwrap();
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
            svc::decide(c.ws().unwrap(), &unknown, "K", &change, &c.author)
                .unwrap_err()
                .code,
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
