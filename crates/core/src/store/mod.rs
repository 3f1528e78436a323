//! The workspace: one SQLite file (`.stridewise`) holding applications, every revision of
//! their models, and every triage decision with its history.
//!
//! This is the only module that imports sqlx. [`Store`] is the async API (for the desktop
//! shell, which already runs tokio); [`Workspace`] is a synchronous facade over it that owns a
//! current-thread runtime, for the command line and for tests.
//!
//! What holds, whatever happens:
//! - Opening inspects the file before changing anything: a file that is not a workspace, or
//!   one written by a newer schema, is refused and left byte-for-byte untouched.
//! - Every save is one `BEGIN IMMEDIATE` transaction that first checks the revision the save
//!   was based on against the model's head; a stale base is a [`StoreError::Conflict`] naming
//!   both revisions, never a silent overwrite.
//! - A revision's document is canonical JSON with its SHA-256 beside it, so an unchanged model
//!   makes no new revision and `verify` can prove every document whole.
//! - Triage is keyed by stable threat keys; [`Store::sync_threats`] marks decisions of threats
//!   that no longer fire as obsolete and restores them when they fire again.

mod blocking;
mod copy;
mod db;
mod history;
mod imports;
mod notify;
mod open;
mod review;
mod revisions;
mod server;
mod time;

/// The current time as the workspace records it (RFC 3339, UTC, milliseconds).
pub use time::now;
mod triage;

use std::path::{Path, PathBuf};

use uuid::Uuid;

use crate::model::{ApplicationId, ModelId, ModelKind, RevisionId, ThreatKey};
use crate::review::ReviewId;

pub use blocking::Workspace;
pub use copy::CopyReport;
pub use notify::{CHANNEL, Change, ChangeKind, Changes, Heard};
pub use open::supported_schema_version;
pub use review::NewReview;
pub use revisions::{Save, SaveOutcome, stored_document};
pub use server::{DEFAULT_CONNECT_TIMEOUT, Location, ServerProblem};
pub use triage::{HistoryChange, SyncReport, TriageEntry, TriageHistoryEntry, TriageUpdate};

/// Written to the SQLite header (`PRAGMA application_id`): "STRW".
pub const APPLICATION_ID: i32 = 0x5354_5257;

/// The file extension of workspaces.
pub const EXTENSION: &str = "stridewise";

/// What a set of triage decisions belongs to: one service's model, or an application (for
/// threats of the consolidated model).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    Service(ModelId),
    Application(ApplicationId),
}

/// Why a workspace operation failed. Messages are lower case and name the file, model or
/// revision concerned.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The workspace file does not exist.
    #[error("'{path}' does not exist")]
    NotFound { path: PathBuf },
    /// `create` refuses to replace an existing file.
    #[error("'{path}' already exists; a new workspace never replaces a file")]
    AlreadyExists { path: PathBuf },
    /// A copy's destination already holds a workspace with data; it was not changed.
    #[error(
        "cannot copy into '{path}': {tables}; a copy goes only into a new file, an empty database or an empty workspace, and nothing was written"
    )]
    NotEmpty { path: PathBuf, tables: String },
    /// The file is not a Stridewise workspace; it was not changed.
    #[error("'{path}' is not a Stridewise workspace: {reason}; the file was not changed")]
    NotAWorkspace { path: PathBuf, reason: String },
    /// `create` found SQLite's side files of an earlier database of that name beside the path.
    #[error(
        "cannot create '{path}': {} beside it belong to a workspace of that name that was deleted (after a crash, or while a program still had it open), and SQLite would read them into the new workspace; if no program has the old workspace open, move or delete them and run this again",
        files.iter().map(|f| format!("'{}'", f.display())).collect::<Vec<_>>().join(" and ")
    )]
    StaleLog { path: PathBuf, files: Vec<PathBuf> },
    /// The workspace is open read-only and the operation would write.
    #[error("cannot change '{path}': {reason}; reading it still works")]
    ReadOnly { path: PathBuf, reason: String },
    /// The workspace was written by a newer Stridewise; it was not changed.
    #[error(
        "'{path}' uses workspace schema version {found}, but this Stridewise reads versions up to {supported}; upgrade Stridewise to open it (the file was not changed)"
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    /// A save was based on a revision that is no longer the head.
    #[error(
        "conflict saving '{model}': the save is based on {}, but the head is now revision {head} (by {head_author} at {head_time}); load the head, merge and save again",
        based_on.map(|r| format!("revision {r}")).unwrap_or_else(|| "no revision (a new model)".into())
    )]
    Conflict {
        model: String,
        based_on: Option<RevisionId>,
        head: RevisionId,
        head_author: String,
        head_time: String,
    },
    /// No application has this name.
    #[error("no application named '{0}' in the workspace")]
    UnknownApplication(String),
    /// No service has this name (in the application, when one was named).
    #[error("no service named '{name}'{}", application.as_ref().map(|a| format!(" in application '{a}'")).unwrap_or_default())]
    UnknownService {
        name: String,
        application: Option<String>,
    },
    /// The service name is used in several applications.
    #[error("a service named '{name}' exists in several applications ({}); name the application", applications.join(", "))]
    AmbiguousService {
        name: String,
        applications: Vec<String>,
    },
    /// A different model already uses this name in the application.
    #[error(
        "application '{application}' already has a {kind} named '{name}' with model id {existing}, but the model being saved has id {incoming}"
    )]
    NameTaken {
        application: String,
        kind: &'static str,
        name: String,
        existing: ModelId,
        incoming: ModelId,
    },
    /// The model is stored under another application.
    #[error("model {id} ('{name}') belongs to application '{actual}', not '{requested}'")]
    WrongApplication {
        id: ModelId,
        name: String,
        actual: String,
        requested: String,
    },
    /// No model has this id.
    #[error("no model with id {0} in the workspace")]
    UnknownModel(ModelId),
    /// No revision has this id.
    #[error("no revision {0} in the workspace")]
    UnknownRevision(RevisionId),
    /// The document is of another kind than the stored model (a service saved as an
    /// application model, or the reverse).
    #[error(
        "model {id} ('{name}') is stored as a {stored} model, but the document says {document}"
    )]
    WrongKind {
        id: ModelId,
        name: String,
        stored: String,
        document: String,
    },
    /// A save names a base revision of a model the workspace does not have.
    #[error(
        "the save of '{name}' is based on revision {base}, but the workspace has no revision of model {id}"
    )]
    UnknownBase {
        id: ModelId,
        name: String,
        base: RevisionId,
    },
    /// A new application without a name.
    #[error("an application needs a name")]
    EmptyApplicationName,
    /// A model whose ids are not unique or whose references dangle; nothing was stored.
    #[error("'{name}' cannot be stored: {problems}")]
    BrokenModel { name: String, problems: String },
    /// A document of a stored model that shares no object with any of its revisions, so no
    /// revision can be its base (raised by `app::workspace::add_document`).
    #[error(
        "'{name}' (model {model}) shares no element, flow or trust boundary with any revision of that model in the workspace, so it cannot be merged with the head, and adding it would replace the head; export the head (`stridewise workspace export`), copy the changes into that file and add it, or give the document a new model id to add it as another service"
    )]
    Unrelated { name: String, model: ModelId },
    /// No review has this id.
    #[error("no review {0} in the workspace")]
    UnknownReview(ReviewId),
    /// The application already has an open review.
    #[error(
        "review {seq} (sprint {sprint}) of '{application}' is still open; close it before starting another"
    )]
    ReviewOpen {
        application: String,
        seq: i64,
        sprint: String,
    },
    /// A decision or a close on a closed review.
    #[error(
        "review {seq} (sprint {sprint}) of '{application}' is closed; its record is frozen, start a new review to revisit it"
    )]
    ReviewClosed {
        application: String,
        seq: i64,
        sprint: String,
    },
    /// The threat is not on the review's agenda (for that service).
    #[error("'{key}' is not on the agenda of review {seq} (sprint {sprint})")]
    NotOnAgenda {
        key: ThreatKey,
        seq: i64,
        sprint: String,
    },
    /// A stored row does not hold what it should (a damaged or hand-edited file).
    #[error("the workspace holds damaged data: {0}")]
    Damaged(String),
    // The causes below are part of the message and deliberately not `#[source]`: sqlx's
    // errors already print their own causes, and a chain printer (`anyhow`'s `{:#}`) would
    // repeat each of them.
    /// Connecting to a PostgreSQL server failed; `server` is `host:port/database` (never the
    /// password).
    #[error("{}", server_message(server, *problem, detail))]
    Server {
        server: String,
        problem: ServerProblem,
        detail: String,
    },
    /// The server refused a statement for lack of rights (a table the role may not write, or
    /// a row its team does not own); `detail` is the server's message, naming the table.
    #[error(
        "the PostgreSQL server refused {context}: {detail}; ask the workspace's administrator for the rights (docs/workspace.md, \"Roles and rights\")"
    )]
    AccessDenied {
        context: &'static str,
        detail: String,
    },
    /// The connection to the PostgreSQL server broke, or the server stopped answering, in the
    /// middle of an operation. A write was either committed whole or not at all.
    #[error(
        "lost the connection to the PostgreSQL server while {context}: {error}; a change being written was saved whole or not at all (reload to see which), and nothing you were editing is lost: try again when the server is back"
    )]
    ConnectionLost {
        context: &'static str,
        error: sqlx::Error,
    },
    /// Reading or writing the file failed.
    #[error("cannot access '{path}': {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// SQLite reported an error.
    #[error("workspace database error while {context}: {error}")]
    Database {
        context: &'static str,
        error: sqlx::Error,
    },
    /// Bringing the schema up to date failed; the migration's transaction was rolled back.
    #[error("cannot upgrade the workspace schema of '{path}': {error}")]
    Migrate {
        path: PathBuf,
        error: sqlx::migrate::MigrateError,
    },
}

fn server_message(server: &str, problem: ServerProblem, detail: &str) -> String {
    match problem {
        ServerProblem::Unreachable => format!(
            "cannot reach the PostgreSQL server at {server}: {detail}; check the host and port (URL, PGHOST, PGPORT) and that the server is running"
        ),
        ServerProblem::Timeout => format!(
            "the PostgreSQL server at {server} did not answer: {detail}; check the host, the network and the firewall"
        ),
        ServerProblem::Credentials => format!(
            "the PostgreSQL server at {server} refused the login: {detail}; check the user name and the password (URL, PGUSER, PGPASSWORD or the password file ~/.pgpass / PGPASSFILE)"
        ),
        ServerProblem::NoDatabase => format!(
            "the PostgreSQL server at {server} has no such database: {detail}; create it first (createdb, or CREATE DATABASE)"
        ),
        ServerProblem::Settings => {
            format!("the PostgreSQL connection settings for {server} are wrong: {detail}")
        }
        ServerProblem::Tls => format!(
            "cannot set up TLS with the PostgreSQL server at {server}: {detail}; check sslmode and the certificates"
        ),
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Attaches what was being done to a sqlx error.
pub(crate) trait Context<T> {
    fn context(self, context: &'static str) -> Result<T>;
}

impl<T> Context<T> for std::result::Result<T, sqlx::Error> {
    fn context(self, context: &'static str) -> Result<T> {
        self.map_err(|error| match error.as_database_error() {
            // insufficient_privilege: a missing GRANT or a row-level security policy.
            Some(db) if db.code().as_deref() == Some("42501") => StoreError::AccessDenied {
                context,
                detail: db.message().to_string(),
            },
            _ => StoreError::lost(context, error),
        })
    }
}

impl StoreError {
    /// A database error while `context`: [`StoreError::ConnectionLost`] when the connection
    /// broke or could not be had (the server stopped, restarted, or cut it), else
    /// [`StoreError::Database`].
    pub(crate) fn lost(context: &'static str, error: sqlx::Error) -> StoreError {
        let gone = match &error {
            sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::Protocol(_) => true,
            // PostgreSQL's SQLSTATEs: class 08 (connection exception), 57P01-57P03 (the
            // server shut down, crashed, or cannot take connections yet).
            sqlx::Error::Database(db) => db
                .code()
                .is_some_and(|c| c.starts_with("08") || matches!(&*c, "57P01" | "57P02" | "57P03")),
            _ => false,
        };
        if gone {
            StoreError::ConnectionLost { context, error }
        } else {
            StoreError::Database { context, error }
        }
    }
}

/// An application of the workspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Application {
    pub id: ApplicationId,
    pub name: String,
    pub created_at: String,
}

/// A model of the workspace with its head revision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelSummary {
    pub id: ModelId,
    pub kind: ModelKind,
    pub name: String,
    pub application: String,
    pub application_id: ApplicationId,
    pub head: Option<RevisionInfo>,
    pub revisions: i64,
}

/// One saved revision, without its document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevisionInfo {
    pub id: RevisionId,
    pub model: ModelId,
    /// 1 for a model's first revision, then 2, 3...
    pub seq: i64,
    pub author: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub message: String,
    /// SHA-256 of the stored document, lower-case hex.
    pub content_hash: String,
    /// None for the first revision, one for a save, two for a merge.
    pub parents: Vec<RevisionId>,
}

/// What [`Store::verify`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// The lines of `PRAGMA integrity_check`; `["ok"]` when the file is sound.
    pub integrity: Vec<String>,
    /// The lines of `PRAGMA foreign_key_check`, one per violation.
    pub foreign_keys: Vec<String>,
    /// Revisions whose document does not hash to its stored hash or does not parse.
    pub damaged_revisions: Vec<String>,
    pub revisions_checked: usize,
}

impl VerifyReport {
    pub fn is_ok(&self) -> bool {
        self.integrity == ["ok"]
            && self.foreign_keys.is_empty()
            && self.damaged_revisions.is_empty()
    }
}

/// An open workspace (async API). Cheap to clone: clones share one connection pool.
#[derive(Clone, Debug)]
pub struct Store {
    pool: db::Pool,
    path: PathBuf,
    workspace_id: Uuid,
    /// Why writes are refused, when the workspace is open read-only.
    read_only: Option<String>,
    /// On a server, the database role of the connections: the author of every revision and
    /// decision they record (see `migrations-postgres/0006_roles.sql`).
    role: Option<String>,
}

impl Store {
    /// Creates a new, empty workspace: a file (never replacing one), or the tables of a
    /// workspace in an empty database on a PostgreSQL server.
    pub async fn create_at(location: &Location) -> Result<Store> {
        match location {
            Location::File(path) => Store::create(path).await,
            Location::Server(url) => server::create(url, DEFAULT_CONNECT_TIMEOUT).await,
        }
    }

    /// Opens an existing workspace, a file or a database; see [`Store::open`].
    pub async fn open_at(location: &Location) -> Result<Store> {
        Self::open_at_with_timeout(location, DEFAULT_CONNECT_TIMEOUT).await
    }

    /// [`Store::open_at`] with another limit on connecting to a server.
    pub async fn open_at_with_timeout(
        location: &Location,
        timeout: std::time::Duration,
    ) -> Result<Store> {
        match location {
            Location::File(path) => Store::open(path).await,
            Location::Server(url) => server::open(url, timeout).await,
        }
    }

    /// Whether this workspace is on a PostgreSQL server rather than in a file.
    pub fn is_server(&self) -> bool {
        self.pool.is_postgres()
    }

    /// The file this workspace lives in; for a server workspace, its URL without the
    /// password (there is no file to watch or copy).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// On a server, the database role this workspace is open as: the recorded author of
    /// every save and decision, whatever author the caller names. None for a file.
    pub fn role(&self) -> Option<&str> {
        self.role.as_deref()
    }

    /// Who a write is recorded as: the caller's `given` author in a file, the database role
    /// on a server.
    pub(crate) fn author<'a>(&'a self, given: &'a str) -> &'a str {
        self.role.as_deref().unwrap_or(given)
    }

    /// The workspace's id: shared by copies of the file, carried by exported models.
    pub fn workspace_id(&self) -> Uuid {
        self.workspace_id
    }

    /// Closes every connection; the last one folds the write-ahead log back into the file.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

pub(crate) fn parse_uuid<T: std::str::FromStr>(text: &str, what: &str) -> Result<T> {
    text.parse()
        .map_err(|_| StoreError::Damaged(format!("{what} '{text}' is not a UUID")))
}

pub(crate) fn kind_str(kind: ModelKind) -> &'static str {
    match kind {
        ModelKind::Service => "service",
        ModelKind::Application => "application",
    }
}

pub(crate) fn parse_kind(text: &str) -> Result<ModelKind> {
    match text {
        "service" => Ok(ModelKind::Service),
        "application" => Ok(ModelKind::Application),
        other => Err(StoreError::Damaged(format!("unknown model kind '{other}'"))),
    }
}

/// SHA-256 of `text` as lower-case hex.
pub fn content_hash(text: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(text.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest.iter() {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

#[cfg(test)]
mod roles_tests;
#[cfg(test)]
pub(crate) mod test_server;
#[cfg(test)]
mod tests;
