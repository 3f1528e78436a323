//! The one error of the application layer: a stable code for programs and a sentence for people.
//!
//! Every refusal and failure of a use case is an [`AppError`]. The command-line tool maps the code
//! to its exit status and prints the message; the desktop app passes the code through IPC
//! unchanged (it is generated into the UI's TypeScript bindings), and the UI switches on it,
//! never on the message. Messages are lower case and name the objects concerned.

use serde::{Deserialize, Serialize};

use crate::catalog::{CatalogError, LoadError as CatalogLoadError};
use crate::interop::ImportError;
use crate::model::LoadError;
use crate::store::{ServerProblem, StoreError};

/// What went wrong, as a stable code and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "ApiError"))]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
}

/// The stable error codes. Their snake_case names are part of the CLI's and the UI's contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "ApiErrorCode"))]
pub enum ErrorCode {
    /// A file, workspace, application, service, model, revision, review or threat that does
    /// not exist (a threat key that matches no threat, no open review where one is needed).
    NotFound,
    /// A file exists but could not be read or written.
    Io,
    /// The file is not a readable model (not JSON, or not a Stridewise model).
    Parse,
    /// The document was written by a newer Stridewise.
    NewerVersion,
    /// The file is larger than Stridewise accepts.
    TooLarge,
    /// The request itself is wrong: an empty name, a malformed id, a model with errors.
    InvalidInput,
    /// A save was based on a revision that is no longer the head: someone else saved in
    /// between. Nothing was written; reload, or merge.
    Conflict,
    /// A save or merge names a base revision the workspace does not have for that model.
    StaleRevision,
    /// The file is not a Stridewise workspace (or one from a newer Stridewise); it was not
    /// changed.
    NotAWorkspace,
    /// A new workspace would replace an existing file.
    AlreadyExists,
    /// Another model of the application already has this name.
    NameTaken,
    /// The request matches several objects (services, applications, open reviews); name one.
    Ambiguous,
    /// The desktop app has no workspace open.
    NoWorkspace,
    /// The file's format is not one Stridewise imports, or could not be told from the file.
    UnsupportedFormat,
    /// A file in another tool's format could not be imported.
    ImportFailed,
    /// Accepting a risk, calling a threat not applicable or transferring it needs a
    /// justification.
    JustificationRequired,
    /// The application already has an open review: close it before starting another.
    ReviewOpen,
    /// The review is closed: its record is frozen.
    ReviewClosed,
    /// The catalog or a rule pack does not load.
    InvalidCatalog,
    /// The desktop app was asked to read or write a file its user did not choose in one of
    /// its dialogs (nor one of the app's own files); nothing was read or written.
    PathNotChosen,
    /// The workspace's PostgreSQL server cannot be reached or did not answer in time (or TLS
    /// with it failed); the message names the server.
    ServerUnreachable,
    /// The workspace's PostgreSQL server refused the user name or password.
    AccessDenied,
    /// The workspace file is damaged, SQLite failed, or Stridewise has a bug.
    Internal,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 23] = [
        ErrorCode::NotFound,
        ErrorCode::Io,
        ErrorCode::Parse,
        ErrorCode::NewerVersion,
        ErrorCode::TooLarge,
        ErrorCode::InvalidInput,
        ErrorCode::Conflict,
        ErrorCode::StaleRevision,
        ErrorCode::NotAWorkspace,
        ErrorCode::AlreadyExists,
        ErrorCode::NameTaken,
        ErrorCode::Ambiguous,
        ErrorCode::NoWorkspace,
        ErrorCode::UnsupportedFormat,
        ErrorCode::ImportFailed,
        ErrorCode::JustificationRequired,
        ErrorCode::ReviewOpen,
        ErrorCode::ReviewClosed,
        ErrorCode::InvalidCatalog,
        ErrorCode::PathNotChosen,
        ErrorCode::ServerUnreachable,
        ErrorCode::AccessDenied,
        ErrorCode::Internal,
    ];

    /// The command line's exit status for a refusal with this code: 2 the input is wrong, 3
    /// something named does not exist, 4 the workspace's state refused it (a concurrent save,
    /// an open or closed review, a taken name: the same command can succeed after a reload or
    /// a decision), 5 the system failed (I/O, a damaged workspace, a bug). One table, so a
    /// script can tell a typo from a lost race without parsing messages (0 and 1 are the
    /// CLI's success and "a check found something").
    pub fn exit_status(self) -> u8 {
        use ErrorCode as C;
        match self {
            C::NotFound | C::NoWorkspace => 3,
            C::Conflict
            | C::StaleRevision
            | C::AlreadyExists
            | C::NameTaken
            | C::ReviewOpen
            | C::ReviewClosed => 4,
            C::Io | C::ServerUnreachable | C::Internal => 5,
            C::Parse
            | C::NewerVersion
            | C::TooLarge
            | C::InvalidInput
            | C::NotAWorkspace
            | C::Ambiguous
            | C::UnsupportedFormat
            | C::ImportFailed
            | C::JustificationRequired
            | C::InvalidCatalog
            | C::PathNotChosen
            | C::AccessDenied => 2,
        }
    }

    /// The code as the CLI prints it and the UI receives it: `not_found`, `review_open`...
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NotFound => "not_found",
            ErrorCode::Io => "io",
            ErrorCode::Parse => "parse",
            ErrorCode::NewerVersion => "newer_version",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::Conflict => "conflict",
            ErrorCode::StaleRevision => "stale_revision",
            ErrorCode::NotAWorkspace => "not_a_workspace",
            ErrorCode::AlreadyExists => "already_exists",
            ErrorCode::NameTaken => "name_taken",
            ErrorCode::Ambiguous => "ambiguous",
            ErrorCode::NoWorkspace => "no_workspace",
            ErrorCode::UnsupportedFormat => "unsupported_format",
            ErrorCode::ImportFailed => "import_failed",
            ErrorCode::JustificationRequired => "justification_required",
            ErrorCode::ReviewOpen => "review_open",
            ErrorCode::ReviewClosed => "review_closed",
            ErrorCode::InvalidCatalog => "invalid_catalog",
            ErrorCode::PathNotChosen => "path_not_chosen",
            ErrorCode::ServerUnreachable => "server_unreachable",
            ErrorCode::AccessDenied => "access_denied",
            ErrorCode::Internal => "internal",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError {
            code,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        AppError::new(ErrorCode::InvalidInput, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        AppError::new(ErrorCode::NotFound, message)
    }

    /// A failed read or write of `path`.
    pub fn io(path: &std::path::Path, action: &str, e: &std::io::Error) -> Self {
        let code = if e.kind() == std::io::ErrorKind::NotFound && action == "read" {
            ErrorCode::NotFound
        } else {
            ErrorCode::Io
        };
        AppError::new(code, format!("cannot {action} '{}': {e}", path.display()))
    }

    /// The same error with what was being done in front of the message.
    pub fn context(mut self, what: impl std::fmt::Display) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

pub(crate) fn store_code(err: &StoreError) -> ErrorCode {
    use ErrorCode as C;
    match err {
        StoreError::NotFound { .. }
        | StoreError::UnknownApplication(_)
        | StoreError::UnknownService { .. }
        | StoreError::UnknownModel(_)
        | StoreError::UnknownRevision(_)
        | StoreError::UnknownReview(_)
        | StoreError::NotOnAgenda { .. } => C::NotFound,
        // An old log in the way of a new workspace is, to the user, a file in the way.
        StoreError::AlreadyExists { .. }
        | StoreError::StaleLog { .. }
        | StoreError::NotEmpty { .. } => C::AlreadyExists,
        StoreError::NotAWorkspace { .. } => C::NotAWorkspace,
        StoreError::NewerSchema { .. } => C::NewerVersion,
        StoreError::Conflict { .. } | StoreError::Unrelated { .. } => C::Conflict,
        StoreError::UnknownBase { .. } => C::StaleRevision,
        StoreError::NameTaken { .. } => C::NameTaken,
        StoreError::AmbiguousService { .. } => C::Ambiguous,
        StoreError::WrongApplication { .. }
        | StoreError::WrongKind { .. }
        | StoreError::EmptyApplicationName
        | StoreError::BrokenModel { .. } => C::InvalidInput,
        StoreError::ReviewOpen { .. } => C::ReviewOpen,
        StoreError::ReviewClosed { .. } => C::ReviewClosed,
        StoreError::Io { .. } | StoreError::ReadOnly { .. } => C::Io,
        StoreError::ConnectionLost { .. } => C::ServerUnreachable,
        StoreError::Server { problem, .. } => match problem {
            ServerProblem::Unreachable | ServerProblem::Timeout | ServerProblem::Tls => {
                C::ServerUnreachable
            }
            ServerProblem::Credentials => C::AccessDenied,
            ServerProblem::NoDatabase => C::NotFound,
            ServerProblem::Settings => C::InvalidInput,
        },
        StoreError::AccessDenied { .. } => C::AccessDenied,
        StoreError::Damaged(_) | StoreError::Database { .. } | StoreError::Migrate { .. } => {
            C::Internal
        }
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        AppError::new(store_code(&err), err.to_string())
    }
}

/// The code of a failed read: a path that does not exist is `not_found`; one that names a
/// folder, device or FIFO where a file is expected (`input::ReadError::NotAFile`) is the
/// user's `invalid_input`; anything else the system's `io`.
fn io_code(err: &std::io::Error) -> ErrorCode {
    match err.kind() {
        std::io::ErrorKind::NotFound => ErrorCode::NotFound,
        std::io::ErrorKind::InvalidInput => ErrorCode::InvalidInput,
        _ => ErrorCode::Io,
    }
}

pub(crate) fn load_code(err: &LoadError) -> ErrorCode {
    match err {
        LoadError::Io { source, .. } => io_code(source),
        LoadError::TooLarge { .. } => ErrorCode::TooLarge,
        LoadError::Parse { .. } => ErrorCode::Parse,
        LoadError::NewerVersion { .. } => ErrorCode::NewerVersion,
    }
}

impl From<LoadError> for AppError {
    fn from(err: LoadError) -> Self {
        AppError::new(load_code(&err), err.to_string())
    }
}

pub(crate) fn import_code(err: &ImportError) -> ErrorCode {
    match err {
        ImportError::Io { cause, .. } => io_code(cause),
        ImportError::TooLarge { .. } => ErrorCode::TooLarge,
        ImportError::UnknownFormat { .. } => ErrorCode::UnsupportedFormat,
        _ => ErrorCode::ImportFailed,
    }
}

impl From<ImportError> for AppError {
    fn from(err: ImportError) -> Self {
        AppError::new(import_code(&err), err.to_string())
    }
}

pub(crate) fn catalog_code(err: &CatalogLoadError) -> ErrorCode {
    match err {
        CatalogLoadError::Io { source, .. } => io_code(source),
        CatalogLoadError::Invalid(_) => ErrorCode::InvalidCatalog,
    }
}

impl From<CatalogLoadError> for AppError {
    fn from(err: CatalogLoadError) -> Self {
        AppError::new(catalog_code(&err), err.to_string())
    }
}

impl From<CatalogError> for AppError {
    fn from(err: CatalogError) -> Self {
        AppError::new(ErrorCode::InvalidCatalog, err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_snake_case_on_the_wire_and_in_as_str() {
        for code in ErrorCode::ALL {
            let wire = serde_json::to_value(code).unwrap();
            assert_eq!(wire, serde_json::json!(code.as_str()), "{code:?}");
        }
        let mut names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ErrorCode::ALL.len(), "codes are distinct");
    }

    #[test]
    fn store_refusals_keep_their_meaning() {
        let id = crate::review::ReviewId::new();
        let e = AppError::from(StoreError::UnknownReview(id));
        assert_eq!(e.code, ErrorCode::NotFound);
        assert!(e.message.contains(&id.to_string()), "{}", e.message);
        let e = AppError::from(StoreError::ReviewOpen {
            application: "shop".into(),
            seq: 2,
            sprint: "2026.24".into(),
        });
        assert_eq!(e.code, ErrorCode::ReviewOpen);
        assert!(e.message.contains("'shop'"), "{}", e.message);
    }
}
