//! The files the user chose, the rule for the paths a desktop webview names. The webview never
//! names a file the backend then reads or writes on its word alone (issue 20, 9): the backend
//! opens the native dialog itself (`pick_path` in `src-tauri/src/lib.rs`), remembers the
//! answer here for the one purpose it was asked for, and the command that uses a path accepts
//! it only if it was chosen so (once), or is one of the app's own files (the recent workspaces, the sample workspace, a report this session wrote). Anything
//! else is refused with `path_not_chosen`, and nothing is opened.
//!
//! A script that took over the webview can still open a dialog, but only the person at the
//! screen can answer it.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::{AppError, ErrorCode};

/// What a dialog is asked for; a path chosen for one purpose is not accepted for another (a
/// file picked to import is not thereby one the app may write over).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum PathPurpose {
    /// An existing workspace to open.
    OpenWorkspace,
    /// A new workspace file to create.
    NewWorkspace,
    /// A model file (any supported format) to import.
    Import,
    /// Where to export a service as `.stride.json`.
    ExportModel,
    /// Where to write an HTML report (the application's or a review's).
    Report,
    /// A Terraform folder to import or check drift against (a folder, not a file).
    TerraformFolder,
    /// Terraform variable files (`.tfvars`) for that folder; several at once.
    TerraformVars,
}

impl PathPurpose {
    /// Whether the dialog asks for a file to read (else a file to write).
    pub fn opens(self) -> bool {
        matches!(
            self,
            PathPurpose::OpenWorkspace
                | PathPurpose::Import
                | PathPurpose::TerraformFolder
                | PathPurpose::TerraformVars
        )
    }

    /// The dialog's file filters: (name, extensions).
    pub fn filters(self) -> &'static [(&'static str, &'static [&'static str])] {
        match self {
            PathPurpose::OpenWorkspace | PathPurpose::NewWorkspace => {
                &[("Stridewise workspace", &["stridewise", "sqlite", "db"])]
            }
            PathPurpose::Import => &[
                ("Threat models", &["json", "tm7", "yaml", "yml"]),
                ("All files", &["*"]),
            ],
            PathPurpose::ExportModel => &[("Stridewise model", &["json"])],
            PathPurpose::Report => &[("HTML report", &["html"])],
            PathPurpose::TerraformFolder => &[],
            PathPurpose::TerraformVars => {
                &[("Terraform variables", &["tfvars"]), ("All files", &["*"])]
            }
        }
    }

    fn describe(self) -> &'static str {
        match self {
            PathPurpose::OpenWorkspace => "a workspace to open",
            PathPurpose::NewWorkspace => "a new workspace",
            PathPurpose::Import => "a file to import",
            PathPurpose::ExportModel => "where to export a model",
            PathPurpose::Report => "where to write a report",
            PathPurpose::TerraformFolder => "a Terraform folder",
            PathPurpose::TerraformVars => "a Terraform variable file",
        }
    }
}

/// The paths chosen in dialogs and not used yet, and the reports written this session.
#[derive(Debug, Default)]
pub struct ChosenPaths {
    chosen: HashSet<(PathPurpose, PathBuf)>,
    reports: HashSet<PathBuf>,
}

impl ChosenPaths {
    /// Records what the user answered to a dialog asking for `purpose`, and gives the path
    /// as the UI will name it back. Only the dialog command (and tests standing in for the
    /// person at the dialog) call this. A path that is not UTF-8 could not be named back
    /// exactly, so it is refused here.
    pub fn choose(&mut self, purpose: PathPurpose, path: PathBuf) -> Result<String, AppError> {
        let Some(text) = path.to_str().map(str::to_string) else {
            return Err(AppError::invalid(format!(
                "'{}' cannot be used: the app needs file names in UTF-8",
                path.display()
            )));
        };
        self.chosen.insert((purpose, path));
        Ok(text)
    }

    /// The path, if the user chose it for `purpose`; each choice is used once.
    pub fn take(&mut self, purpose: PathPurpose, path: &str) -> Result<PathBuf, AppError> {
        if path.trim().is_empty() {
            return Err(AppError::invalid("no file name was given"));
        }
        let wanted = (purpose, PathBuf::from(path));
        if self.chosen.remove(&wanted) {
            Ok(wanted.1)
        } else {
            Err(not_chosen(path, purpose.describe()))
        }
    }

    /// Remembers a report the app wrote, so that it may be opened in the browser.
    pub fn wrote_report(&mut self, path: &Path) {
        self.reports.insert(path.to_path_buf());
    }

    /// The path, if it is a report this session wrote.
    pub fn report(&self, path: &str) -> Result<PathBuf, AppError> {
        let p = PathBuf::from(path);
        if self.reports.contains(&p) {
            Ok(p)
        } else {
            Err(not_chosen(path, "a report the app wrote"))
        }
    }
}

fn not_chosen(path: &str, what: &str) -> AppError {
    AppError::new(
        ErrorCode::PathNotChosen,
        format!(
            "'{path}' was not chosen as {what} in one of the app's dialogs; the app reads and writes only files chosen there"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_choice_is_accepted_once_and_only_for_its_purpose() {
        let mut c = ChosenPaths::default();
        c.choose(PathPurpose::Import, PathBuf::from("/home/u/model.json"))
            .unwrap();
        let other = c
            .take(PathPurpose::ExportModel, "/home/u/model.json")
            .unwrap_err();
        assert_eq!(other.code, ErrorCode::PathNotChosen);
        assert!(other.message.contains("/home/u/model.json"), "{other}");
        assert_eq!(
            c.take(PathPurpose::Import, "/home/u/model.json").unwrap(),
            PathBuf::from("/home/u/model.json")
        );
        assert_eq!(
            c.take(PathPurpose::Import, "/home/u/model.json")
                .unwrap_err()
                .code,
            ErrorCode::PathNotChosen
        );
    }

    #[test]
    fn a_path_that_leads_elsewhere_from_a_choice_is_not_the_choice() {
        let mut c = ChosenPaths::default();
        c.choose(PathPurpose::Import, PathBuf::from("/home/u/model.json"))
            .unwrap();
        for escape in [
            "/home/u/../../etc/passwd",
            "/home/u/model.json/..",
            "/etc/passwd",
        ] {
            assert_eq!(
                c.take(PathPurpose::Import, escape).unwrap_err().code,
                ErrorCode::PathNotChosen,
                "{escape}"
            );
        }
    }

    #[test]
    fn only_written_reports_may_be_opened() {
        let mut c = ChosenPaths::default();
        assert_eq!(
            c.report("/tmp/r.html").unwrap_err().code,
            ErrorCode::PathNotChosen
        );
        c.wrote_report(Path::new("/tmp/r.html"));
        assert_eq!(
            c.report("/tmp/r.html").unwrap(),
            PathBuf::from("/tmp/r.html")
        );
        assert!(c.report("/tmp/other.html").is_err());
    }
}
