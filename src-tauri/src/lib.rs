//! The Stridewise desktop app: a Tauri 2 shell. Each `#[tauri::command]` forwards to [`api`],
//! which is a thin layer over `stridewise-core`; errors cross IPC as one [`ApiError`].
//!
//! The threat analysis and the SQLite workspace plug in here as further commands once they land
//! in the core (`analysis::analyze`, `store`); the UI already reaches the backend through one
//! interface (`ui/src/api.ts`).

pub mod api;
mod error;
pub mod types;

use std::path::PathBuf;

use stridewise_core::model::{Diagnostic, ServiceModel, StencilSet};
use tauri::State;

pub use api::{OpenedModel, SampleInfo};
pub use error::{ApiError, ApiErrorCode};
pub use types::*;

/// Built once at setup.
pub struct AppState {
    /// The model file named on the command line, if any.
    pub initial: Option<PathBuf>,
}

#[tauri::command]
fn list_samples() -> Vec<SampleInfo> {
    api::list_samples()
}

#[tauri::command]
fn open_sample(id: String) -> Result<OpenedModel, ApiError> {
    api::open_sample(&id)
}

#[tauri::command]
fn initial_model(state: State<'_, AppState>) -> Result<Option<OpenedModel>, ApiError> {
    api::initial_model(state.initial.as_deref())
}

#[tauri::command]
fn open_file(path: String) -> Result<OpenedModel, ApiError> {
    api::open_file(&path)
}

#[tauri::command]
fn save_file(path: String, model: ServiceModel) -> Result<(), ApiError> {
    api::save_file(&path, &model)
}

#[tauri::command]
fn validate(model: ServiceModel) -> Vec<Diagnostic> {
    api::validate(&model)
}

#[tauri::command]
fn stencils() -> StencilSet {
    api::stencils().clone()
}

/// Starts the app. The first command-line argument, if any, is a model file to open.
pub fn run() {
    let initial = std::env::args_os().nth(1).map(PathBuf::from);
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .setup(move |app| {
            use tauri::Manager;
            app.manage(AppState { initial });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            list_samples,
            open_sample,
            initial_model,
            open_file,
            save_file,
            validate,
            stencils
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("error: stridewise-app could not start: {e}");
            std::process::exit(2);
        });
}
