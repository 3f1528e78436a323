//! The one error type that crosses IPC. The UI switches on `code`, never on `message`.

use serde::Serialize;
use stridewise_core::model::LoadError;

/// What went wrong, as a stable code for the UI and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ApiError {
    pub code: ApiErrorCode,
    pub message: String,
}

/// The stable error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ApiErrorCode {
    /// The file or sample does not exist.
    NotFound,
    /// The file exists but could not be read or written.
    Io,
    /// The file is not a readable model (not JSON, or not a Stridewise model).
    Parse,
    /// The model was written by a newer Stridewise.
    NewerVersion,
    /// The file is larger than Stridewise accepts.
    TooLarge,
    /// The request itself is wrong (an empty path, an unknown sample id).
    InvalidArgument,
    /// A save was based on a revision that is no longer the head: someone else (the CLI,
    /// another window) saved in between. Nothing was written; reload or merge.
    Conflict,
    /// The file is not a Stridewise workspace (or one from a newer Stridewise); it was not changed.
    NotAWorkspace,
    /// A new workspace would replace an existing file.
    AlreadyExists,
    /// Another service of the application already has this name.
    NameTaken,
    /// No workspace is open.
    NoWorkspace,
    /// A file in another tool's format could not be imported.
    Import,
    /// The application already has an open review: close it before starting another.
    ReviewOpen,
    /// The review is closed: its record is frozen; start a new review to revisit a threat.
    ReviewClosed,
    /// The workspace file is damaged or SQLite failed.
    Internal,
}

impl ApiError {
    pub fn new(code: ApiErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.code, self.message)
    }
}

impl From<LoadError> for ApiError {
    fn from(err: LoadError) -> Self {
        let code = match &err {
            LoadError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                ApiErrorCode::NotFound
            }
            LoadError::Io { .. } => ApiErrorCode::Io,
            LoadError::TooLarge { .. } => ApiErrorCode::TooLarge,
            LoadError::Parse { .. } => ApiErrorCode::Parse,
            LoadError::NewerVersion { .. } => ApiErrorCode::NewerVersion,
        };
        ApiError::new(code, err.to_string())
    }
}
