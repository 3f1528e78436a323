//! The Stridewise desktop app: a Tauri 2 shell. Each `#[tauri::command]` calls a use case of
//! `stridewise_core::app` with the session's open workspace and author ([`workspace::AppCore`]),
//! or [`api`]; errors cross IPC as one [`ApiError`]. Workspace commands run on tokio's blocking pool, one at a time (the core's
//! `Workspace` blocks on its own runtime), so the window never waits on SQLite.

pub mod api;
mod error;
#[cfg(test)]
mod review;
#[cfg(test)]
mod revisions;
pub mod terraform;
#[cfg(test)]
mod threats;
pub mod types;
pub mod workspace;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use stridewise_core::app::review_view as rv;
use stridewise_core::app::services as svc;
use stridewise_core::app::{self, models::Side, threat::ThreatEdit};
use stridewise_core::model::{Diagnostic, ServiceModel, StencilSet, TriageDecision};
use tauri::{Emitter, State};

use chosen::PathPurpose;
pub use error::{ApiError, ApiErrorCode};
pub use stridewise_core::app::chosen;
pub use types::*;
use workspace::{AppCore, Dirs, Session};

/// What a command is given to reach the app's state, and what it answers.
type St<'a> = State<'a, AppState>;
type Res<T> = Result<T, ApiError>;

/// Built once at setup.
pub struct AppState {
    core: Arc<Mutex<AppCore>>,
    /// Set once the window has asked the UI to save before closing.
    closing: AtomicBool,
}

/// The event that asks the UI to save its unsaved edits; it answers with `close_window`.
const CLOSE_REQUESTED: &str = "stridewise://close-requested";
/// A teammate changed the open server workspace; the payload says who changed what.
const CHANGED: &str = "stridewise://workspace-changed";
/// How long the window waits for the UI's answer before it closes anyway.
const CLOSE_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// Runs `f` on the app's state on a blocking thread.
async fn with_core<T: Send + 'static>(
    state: St<'_>,
    f: impl FnOnce(&mut AppCore) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let core = Arc::clone(&state.core);
    tauri::async_runtime::spawn_blocking(move || {
        // A panic in an earlier command poisons the lock; the state itself is still sound
        // (every change is one SQLite transaction), so carry on with it.
        let mut core = core.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut core)
    })
    .await
    .map_err(|e| ApiError::new(ApiErrorCode::Internal, format!("the command failed: {e}")))?
}

/// Runs `f` on the open workspace's session with the app's author, as `with_core` does.
async fn with_session<T: Send + 'static>(
    state: St<'_>,
    f: impl FnOnce(&Session, &str) -> Res<T> + Send + 'static,
) -> Res<T> {
    with_core(state, move |c| f(c.session()?, &c.author)).await
}

#[tauri::command]
fn validate(model: ServiceModel) -> Vec<Diagnostic> {
    api::validate(&model)
}

#[tauri::command]
fn stencils() -> StencilSet {
    api::stencils().clone()
}

/// The model's merge conflict at `index` resolved by taking `side`: the core's
/// `app::models::resolve`; the UI saves the result as the next revision.
#[tauri::command]
fn resolve_conflict(model: ServiceModel, index: usize, side: Side) -> Res<ServiceModel> {
    app::models::resolve(&model, index, side).map_err(|e| ApiError::invalid(e.to_string()))
}

/// The model with a threat written by hand added, changed or removed (`app::threat::apply`);
/// the UI commits the result as an undoable edit and autosaves it.
#[tauri::command]
async fn edit_threat(state: St<'_>, model: ServiceModel, edit: ThreatEdit) -> Res<ServiceModel> {
    with_core(state, move |c| {
        svc::edit_threat(c.ws().ok(), model, edit, &c.author)
    })
    .await
}

#[tauri::command]
async fn start(state: St<'_>) -> Res<WorkspaceInfo> {
    with_core(state, |c| c.start()).await
}

#[tauri::command]
async fn workspace(state: St<'_>) -> Res<WorkspaceInfo> {
    with_core(state, |c| c.info()).await
}

#[tauri::command]
async fn open_workspace(state: St<'_>, path: String) -> Res<WorkspaceInfo> {
    with_core(state, move |c| c.open_workspace(&path)).await
}

#[tauri::command]
async fn create_workspace(state: St<'_>, path: String) -> Res<WorkspaceInfo> {
    with_core(state, move |c| c.create_workspace(&path)).await
}

#[tauri::command]
async fn open_sample_workspace(state: St<'_>) -> Res<WorkspaceInfo> {
    with_core(state, |c| c.open_sample_workspace()).await
}

#[tauri::command]
async fn load_service(state: St<'_>, id: String) -> Res<LoadedService> {
    with_core(state, move |c| svc::load(c.ws()?, &id)).await
}

#[tauri::command]
async fn save_service(
    state: St<'_>,
    application: String,
    model: ServiceModel,
    base: Option<String>,
    message: String,
) -> Res<SavedService> {
    with_core(state, move |c| {
        svc::save(
            c.ws()?,
            &application,
            &model,
            base.as_deref(),
            &message,
            &c.author,
        )
    })
    .await
}

#[tauri::command]
async fn merge_service(
    state: St<'_>,
    application: String,
    model: ServiceModel,
    base: String,
) -> Res<MergedService> {
    with_core(state, move |c| {
        svc::merge(c.ws()?, &application, &model, &base, &c.author)
    })
    .await
}

#[tauri::command]
async fn create_service(state: St<'_>, application: String, name: String) -> Res<LoadedService> {
    with_core(state, move |c| {
        svc::create(c.ws()?, &application, &name, &c.author)
    })
    .await
}

#[tauri::command]
async fn rename_service(state: St<'_>, id: String, name: String) -> Res<ServiceEntry> {
    with_core(state, move |c| svc::rename(c.ws()?, &id, &name, &c.author)).await
}

#[tauri::command]
async fn duplicate_service(state: St<'_>, id: String, name: String) -> Res<LoadedService> {
    with_core(state, move |c| {
        svc::duplicate(c.ws()?, &id, &name, &c.author)
    })
    .await
}

#[tauri::command]
async fn delete_service(state: St<'_>, id: String) -> Res<()> {
    with_core(state, move |c| svc::delete(c.ws()?, &id)).await
}

#[tauri::command]
async fn import_models(state: St<'_>, application: String, path: String) -> Res<ImportOutcome> {
    with_core(state, move |c| c.import_models(&application, &path)).await
}

/// The Terraform folder's root modules imported into `application` as services.
#[tauri::command]
async fn import_terraform(
    state: St<'_>,
    application: String,
    path: String,
    var_files: Vec<String>,
) -> Res<Vec<TerraformService>> {
    with_core(state, move |c| {
        c.import_terraform(&application, &path, &var_files)
    })
    .await
}

/// The service's head revision against the Terraform folder.
#[tauri::command]
async fn terraform_drift(
    state: St<'_>,
    service: String,
    path: String,
    var_files: Vec<String>,
) -> Res<DriftReport> {
    with_core(state, move |c| {
        c.terraform_drift(&service, &path, &var_files)
    })
    .await
}

#[tauri::command]
async fn export_service(state: St<'_>, id: String, path: String) -> Res<()> {
    with_core(state, move |c| c.export_service(&id, &path)).await
}

#[tauri::command]
async fn analyze(
    state: St<'_>,
    model: ServiceModel,
    service: Option<String>,
) -> Res<WireServiceAnalysis> {
    with_core(state, move |c| {
        svc::analyze(c.ws()?, &model, service.as_deref()).map(Into::into)
    })
    .await
}

#[tauri::command]
async fn decide(
    state: St<'_>,
    scope: TriageScope,
    key: String,
    change: TriageChange,
) -> Res<TriageDecision> {
    with_core(state, move |c| {
        svc::decide(c.ws()?, &scope, &key, &change, &c.author)
    })
    .await
}

#[tauri::command]
async fn application_view(state: St<'_>, application: String) -> Res<WireApplicationView> {
    with_core(state, move |c| {
        svc::application_view(c.ws()?, &application, &c.author).map(Into::into)
    })
    .await
}

#[tauri::command]
async fn export_report(state: St<'_>, application: String, path: String) -> Res<ReportWritten> {
    with_core(state, move |c| c.export_report(&application, &path)).await
}

#[tauri::command]
async fn revisions(state: St<'_>, service: String) -> Res<Vec<RevisionRef>> {
    with_core(state, move |c| svc::revisions(c.ws()?, &service)).await
}

#[tauri::command]
async fn revision(state: St<'_>, service: String, revision: String) -> Res<RevisionView> {
    with_core(state, move |c| svc::revision(c.ws()?, &service, &revision)).await
}

#[tauri::command]
async fn reviews(state: St<'_>, application: String) -> Res<Vec<ReviewSummary>> {
    with_core(state, move |c| rv::reviews(c.ws()?, &application)).await
}

#[tauri::command]
async fn start_review(
    state: St<'_>,
    application: String,
    sprint: String,
    participants: Vec<String>,
) -> Res<ReviewView> {
    with_session(state, move |s, author| {
        rv::start(
            &s.ws,
            &s.reviewed,
            &application,
            &sprint,
            &participants,
            author,
        )
    })
    .await
}

#[tauri::command]
async fn review(state: St<'_>, id: String) -> Res<ReviewView> {
    with_session(state, move |s, _| rv::show(&s.ws, &s.reviewed, &id)).await
}

#[tauri::command]
async fn decide_review_item(
    state: St<'_>,
    review_id: String,
    key: String,
    service: Option<String>,
    change: TriageChange,
) -> Res<ReviewView> {
    with_session(state, move |s, author| {
        rv::decide(
            &s.ws,
            &s.reviewed,
            &review_id,
            &key,
            service.as_deref(),
            &change,
            author,
        )
    })
    .await
}

#[tauri::command]
async fn close_review(state: St<'_>, review_id: String, notes: String) -> Res<ReviewView> {
    with_session(state, move |s, author| {
        rv::close(&s.ws, &s.reviewed, &review_id, &notes, author)
    })
    .await
}

#[tauri::command]
async fn export_review_report(
    state: St<'_>,
    review_id: String,
    path: String,
) -> Res<ReportWritten> {
    with_core(state, move |c| c.export_review_report(&review_id, &path)).await
}

/// The UI has saved what it had: close for real.
#[tauri::command]
fn close_window(window: tauri::Window) -> Res<()> {
    let failed = |e| {
        ApiError::new(
            ApiErrorCode::Internal,
            format!("cannot close the window: {e}"),
        )
    };
    window.destroy().map_err(failed)
}

/// Opens a report this session wrote with the system's default program.
#[tauri::command]
async fn open_external(state: St<'_>, path: String) -> Res<()> {
    with_core(state, move |c| api::open_external(&c.chosen.report(&path)?)).await
}

/// The native file dialog for `purpose`, with its filters and, where the platform's dialogs
/// support it, the window as its parent (always for a save dialog), as the dialog plugin's own
/// commands do.
fn dialog(
    window: &tauri::Window,
    purpose: PathPurpose,
) -> tauri_plugin_dialog::FileDialogBuilder<tauri::Wry> {
    use tauri_plugin_dialog::DialogExt;
    let mut dialog = window.dialog().file();
    for (name, extensions) in purpose.filters() {
        dialog = dialog.add_filter(*name, extensions);
    }
    if cfg!(any(windows, target_os = "macos")) || !purpose.opens() {
        dialog = dialog.set_parent(window);
    }
    dialog
}

fn dialog_path(picked: tauri_plugin_dialog::FilePath) -> Res<PathBuf> {
    let no_path = |e| ApiError::invalid(format!("the dialog did not give a file path: {e}"));
    picked.into_path().map_err(no_path)
}

/// Asks the user for a file (or a Terraform folder) in a native dialog, and remembers the
/// answer for `purpose`: the one way a path the UI names becomes one the commands accept (see
/// `chosen.rs`). `None` when the dialog was cancelled. `suggested` is a file name for a save
/// dialog (its folder part is ignored). The blocking call runs on the async runtime, never on
/// the main thread.
#[tauri::command]
async fn pick_path(
    window: tauri::Window,
    state: St<'_>,
    purpose: PathPurpose,
    suggested: Option<String>,
) -> Res<Option<String>> {
    let mut dialog = dialog(&window, purpose);
    if let Some(name) = suggested.as_deref().and_then(|s| Path::new(s).file_name()) {
        dialog = dialog.set_file_name(name.to_string_lossy());
    }
    let picked = if purpose == PathPurpose::TerraformFolder {
        dialog.blocking_pick_folder()
    } else if purpose.opens() {
        dialog.blocking_pick_file()
    } else {
        dialog.blocking_save_file()
    };
    let Some(path) = picked.map(dialog_path).transpose()? else {
        return Ok(None);
    };
    with_core(state, move |c| c.chosen.choose(purpose, path).map(Some)).await
}

/// Opens the native dialog for several files to read (Terraform variable files) and
/// remembers each answer for `purpose`, as `pick_path` does for one; empty when cancelled.
#[tauri::command]
async fn pick_paths(
    window: tauri::Window,
    state: St<'_>,
    purpose: PathPurpose,
) -> Res<Vec<String>> {
    if !purpose.opens() || purpose == PathPurpose::TerraformFolder {
        return Err(ApiError::invalid(
            "several paths can only be chosen as files to read",
        ));
    }
    let picked = dialog(&window, purpose)
        .blocking_pick_files()
        .unwrap_or_default();
    let paths = picked
        .into_iter()
        .map(dialog_path)
        .collect::<Res<Vec<_>>>()?;
    with_core(state, move |c| {
        paths
            .into_iter()
            .map(|p| c.chosen.choose(purpose, p))
            .collect()
    })
    .await
}

/// Starts the app. The first command-line argument, if any, is a workspace file to open (made
/// when it does not exist).
pub fn run() {
    let initial = std::env::args_os().nth(1).map(PathBuf::from);
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .setup(move |app| {
            use tauri::Manager;
            let paths = app.path();
            let dirs = Dirs {
                config: paths.app_config_dir()?,
                data: paths.app_data_dir()?,
            };
            let mut core = AppCore::new(dirs, initial);
            let handle = app.handle().clone();
            core.on_change = Some(Arc::new(move |text| drop(handle.emit(CHANGED, text))));
            app.manage(AppState {
                core: Arc::new(Mutex::new(core)),
                closing: AtomicBool::new(false),
            });
            Ok(())
        })
        // Closing the window first lets the UI save its unsaved edits (autosave waits 800 ms
        // after the last edit); the UI then calls `close_window`. A UI that does not answer
        // cannot keep the window open: it closes after CLOSE_GRACE.
        .on_window_event(|window, event| {
            use tauri::Manager;
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                let state = window.state::<AppState>();
                if !state.closing.swap(true, Ordering::SeqCst) {
                    api.prevent_close();
                    let _ = window.emit(CLOSE_REQUESTED, ());
                    let window = window.clone();
                    std::thread::spawn(move || {
                        std::thread::sleep(CLOSE_GRACE);
                        let _ = window.destroy();
                    });
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            validate,
            resolve_conflict,
            edit_threat,
            stencils,
            start,
            workspace,
            open_workspace,
            create_workspace,
            open_sample_workspace,
            load_service,
            save_service,
            merge_service,
            create_service,
            rename_service,
            duplicate_service,
            delete_service,
            import_models,
            import_terraform,
            terraform_drift,
            export_service,
            analyze,
            decide,
            application_view,
            export_report,
            revisions,
            revision,
            reviews,
            start_review,
            review,
            decide_review_item,
            close_review,
            export_review_report,
            open_external,
            pick_path,
            pick_paths,
            close_window
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("error: stridewise-app could not start: {e}");
            std::process::exit(2);
        });
}
