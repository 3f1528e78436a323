//! Workspaces on a PostgreSQL server: where a workspace lives ([`Location`]), connecting,
//! creating and opening one in a database, and the write lock.
//!
//! A server workspace is one database: the same tables as the file (migrations in
//! `migrations-postgres/`, numbered like the file's so that a schema version means the same
//! thing in both), the same `meta` rows. Connection settings are PostgreSQL's own: the URL,
//! then the `PG*` environment variables (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`,
//! `PGDATABASE`, `PGSSLMODE`...) for what it leaves out, and the password file (`PGPASSFILE`,
//! else `~/.pgpass`) when no password is given, as `psql` does. How long connecting may take is
//! libpq's `connect_timeout` (seconds, in the URL) or `PGCONNECT_TIMEOUT`, else
//! [`DEFAULT_CONNECT_TIMEOUT`].
//!
//! Opening inspects before it writes, as for a file: a database with tables but no workspace
//! in it is refused untouched, and so is one written by a newer schema.
//!
//! Writers take turns on a transaction-scoped advisory lock, like SQLite's `BEGIN IMMEDIATE`:
//! a save's head check and its write then see every save committed before them (each
//! statement of a READ COMMITTED transaction reads what was committed when it starts, and the
//! lock is taken first), and nothing can be committed between them. Readers never wait.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use uuid::Uuid;

use super::db::{self, Pool, Tx};
use super::{Context, Result, Store, StoreError, supported_schema_version, time};

pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations-postgres");

/// The advisory lock key of the workspace's writers: "STRW" as a number, as in the file's
/// header.
const WRITE_LOCK: i64 = super::APPLICATION_ID as i64;

/// How long connecting may take before it fails naming the server.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a workspace lives: a file, or a database on a PostgreSQL server.
#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    File(PathBuf),
    /// A `postgres://` or `postgresql://` URL, as given (it may hold a password; it is never
    /// displayed: see [`Location::fmt`]).
    Server(String),
}

impl Location {
    /// A `postgres://` or `postgresql://` URL is a server; anything else is a file path.
    pub fn parse(text: &str) -> Location {
        let lower = text.get(..13).unwrap_or(text).to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Location::Server(text.to_string())
        } else {
            Location::File(PathBuf::from(text))
        }
    }

    /// A workspace named as a path (a command-line argument, a recent-workspaces entry): a
    /// `postgres://` URL given that way is a server, anything else the file.
    pub fn from_arg(path: &Path) -> Location {
        match path.to_str() {
            Some(text) => Location::parse(text),
            None => Location::File(path.to_path_buf()),
        }
    }

    /// The file, for a file workspace.
    pub fn as_path(&self) -> Option<&Path> {
        match self {
            Location::File(p) => Some(p),
            Location::Server(_) => None,
        }
    }
}

impl From<&Path> for Location {
    fn from(path: &Path) -> Self {
        Location::File(path.to_path_buf())
    }
}

impl From<PathBuf> for Location {
    fn from(path: PathBuf) -> Self {
        Location::File(path)
    }
}

/// A file as its path; a server as its URL without the password.
impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File(p) => write!(f, "{}", p.display()),
            Location::Server(url) => f.write_str(&redacted(url)),
        }
    }
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File(p) => write!(f, "File({p:?})"),
            Location::Server(_) => write!(f, "Server({self})"),
        }
    }
}

/// The URL without its password (`postgres://ana@db/x`), for messages.
pub(crate) fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            format!("{scheme}://{user}@{host}{tail}")
        }
        None => url.to_string(),
    }
}

/// What connecting to a server found wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerProblem {
    /// Nothing answers at the address (refused, no route, name not found).
    Unreachable,
    /// The server did not answer within the connect timeout.
    Timeout,
    /// The server refused the user name or password.
    Credentials,
    /// The server has no database of that name.
    NoDatabase,
    /// The URL or a `PG*` setting is malformed.
    Settings,
    /// TLS could not be set up (`sslmode`).
    Tls,
}

fn options(url: &str) -> Result<PgConnectOptions> {
    PgConnectOptions::from_str(url).map_err(|error| StoreError::Server {
        server: redacted(url),
        problem: ServerProblem::Settings,
        detail: error.to_string(),
    })
}

/// `host:port/database` as the options resolve them (after the `PG*` variables).
fn describe(options: &PgConnectOptions) -> String {
    format!(
        "{}:{}/{}",
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or(options.get_username())
    )
}

/// Sorts a failed connection into what the user can act on.
fn connect_error(options: &PgConnectOptions, timeout: Duration, error: sqlx::Error) -> StoreError {
    let server = describe(options);
    let (problem, detail) = match &error {
        sqlx::Error::PoolTimedOut => (
            ServerProblem::Timeout,
            format!("no answer within {} s", timeout.as_secs_f64()),
        ),
        sqlx::Error::Io(e) => (ServerProblem::Unreachable, e.to_string()),
        sqlx::Error::Tls(e) => (ServerProblem::Tls, e.to_string()),
        sqlx::Error::Configuration(e) => (ServerProblem::Settings, e.to_string()),
        sqlx::Error::Database(db) => match db.code().as_deref() {
            // invalid_password, invalid_authorization_specification
            Some("28P01") | Some("28000") => (ServerProblem::Credentials, db.message().to_string()),
            // invalid_catalog_name
            Some("3D000") => (ServerProblem::NoDatabase, db.message().to_string()),
            _ => {
                return StoreError::Database {
                    context: "connecting to the server",
                    error,
                };
            }
        },
        _ => {
            return StoreError::Database {
                context: "connecting to the server",
                error,
            };
        }
    };
    StoreError::Server {
        server,
        problem,
        detail,
    }
}

/// `connect_timeout` of the URL, else `PGCONNECT_TIMEOUT`, else `default` (libpq's rules: whole
/// seconds, 0 or less means the default here rather than forever).
fn connect_timeout(url: &str, default: Duration) -> Result<Duration> {
    let from_url = url.split_once('?').and_then(|(_, query)| {
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix("connect_timeout="))
            .map(str::to_string)
    });
    let Some(text) = from_url.or_else(|| std::env::var("PGCONNECT_TIMEOUT").ok()) else {
        return Ok(default);
    };
    match text.trim().parse::<i64>() {
        Ok(seconds) if seconds > 0 => Ok(Duration::from_secs(seconds as u64)),
        Ok(_) => Ok(default),
        Err(_) => Err(StoreError::Server {
            server: redacted(url),
            problem: ServerProblem::Settings,
            detail: format!("connect_timeout '{text}' is not a number of seconds"),
        }),
    }
}

async fn connect(url: &str, timeout: Duration) -> Result<PgPool> {
    let options = options(url)?;
    let timeout = connect_timeout(url, timeout)?;
    PgPoolOptions::new()
        .max_connections(4)
        .acquire_timeout(timeout)
        .connect_with(options.clone())
        .await
        .map_err(|e| connect_error(&options, timeout, e))
}

/// What a database holds, decided without writing to it.
enum Contents {
    Empty,
    Workspace { applied: i64 },
}

async fn inspect(pool: &PgPool, server: &str) -> Result<Contents> {
    let not_workspace = |reason: String| StoreError::NotAWorkspace {
        path: PathBuf::from(server),
        reason,
    };
    let p = Pool::Postgres(pool.clone());
    let tables: Vec<String> = db::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()",
    )
    .fetch_all(&p)
    .await
    .context("inspecting the database")?;
    if tables.is_empty() {
        return Ok(Contents::Empty);
    }
    if !tables.iter().any(|t| t == "meta") {
        return Err(not_workspace(format!(
            "the database has tables ({}) but no workspace",
            tables
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let format: Option<String> = db::query_scalar("SELECT value FROM meta WHERE key = 'format'")
        .fetch_optional(&p)
        .await
        .context("inspecting the database")?;
    if format.as_deref() != Some("stridewise-workspace") {
        return Err(not_workspace(
            "its 'meta' table does not name the format".into(),
        ));
    }
    if !tables.iter().any(|t| t == "_sqlx_migrations") {
        return Err(not_workspace("it has no schema history".into()));
    }
    let applied: Vec<(i64, Vec<u8>, bool)> =
        sqlx::query_as("SELECT version, checksum, success FROM _sqlx_migrations ORDER BY version")
            .fetch_all(pool)
            .await
            .context("inspecting the database")?;
    let recorded: Option<String> =
        db::query_scalar("SELECT value FROM meta WHERE key = 'schema_version'")
            .fetch_optional(&p)
            .await
            .context("inspecting the database")?;
    let recorded: i64 = recorded
        .as_deref()
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| not_workspace("its schema version is missing or not a number".into()))?;
    let applied = super::history::check(Path::new(server), &MIGRATOR, recorded, &applied)?;
    Ok(Contents::Workspace { applied })
}

async fn migrate(pool: &PgPool, server: &str) -> Result<()> {
    MIGRATOR
        .run(pool)
        .await
        .map_err(|error| StoreError::Migrate {
            path: PathBuf::from(server),
            error,
        })
}

async fn workspace_id(pool: &Pool, server: &str) -> Result<Uuid> {
    let id: String = db::query_scalar("SELECT value FROM meta WHERE key = 'workspace_id'")
        .fetch_one(pool)
        .await
        .context("reading the workspace id")?;
    Uuid::from_str(&id).map_err(|_| StoreError::NotAWorkspace {
        path: PathBuf::from(server),
        reason: format!("its workspace id '{id}' is not a UUID"),
    })
}

/// Creates a workspace in the (empty) database the URL names.
pub(crate) async fn create(url: &str, timeout: Duration) -> Result<Store> {
    let server = redacted(url);
    let pool = connect(url, timeout).await?;
    let outcome = async {
        if let Contents::Workspace { .. } = inspect(&pool, &server).await? {
            return Err(StoreError::AlreadyExists {
                path: PathBuf::from(&server),
            });
        }
        migrate(&pool, &server).await?;
        let p = Pool::Postgres(pool.clone());
        let mut tx = begin_write(&pool, "starting the first transaction").await?;
        // Two `init`s at once: the second finds the first's identity and stops.
        let taken: Option<String> = db::query_scalar("SELECT value FROM meta WHERE key = 'format'")
            .fetch_optional(&mut tx)
            .await
            .context("writing the workspace identity")?;
        if taken.is_some() {
            return Err(StoreError::AlreadyExists {
                path: PathBuf::from(&server),
            });
        }
        let now = time::now();
        let id = Uuid::new_v4().to_string();
        let version = supported_schema_version().to_string();
        for (key, value) in [
            ("format", "stridewise-workspace"),
            ("workspace_id", id.as_str()),
            ("schema_version", version.as_str()),
            ("created_at", now.as_str()),
        ] {
            db::query("INSERT INTO meta (key, value) VALUES (?, ?)")
                .bind(key)
                .bind(value)
                .execute(&mut tx)
                .await
                .context("writing the workspace identity")?;
        }
        tx.commit()
            .await
            .context("writing the workspace identity")?;
        workspace_id(&p, &server).await
    }
    .await;
    finish(pool, server, outcome).await
}

/// Opens the workspace in the database the URL names, upgrading its schema when it is older
/// than this build's.
pub(crate) async fn open(url: &str, timeout: Duration) -> Result<Store> {
    let server = redacted(url);
    let pool = connect(url, timeout).await?;
    let outcome = async {
        match inspect(&pool, &server).await? {
            Contents::Empty => {
                return Err(StoreError::NotFound {
                    path: PathBuf::from(format!(
                        "{server} (the database is empty; `stridewise workspace init` creates a workspace in it)"
                    )),
                });
            }
            Contents::Workspace { applied } => {
                if applied < supported_schema_version() {
                    migrate(&pool, &server).await?;
                    let p = Pool::Postgres(pool.clone());
                    db::query("UPDATE meta SET value = ? WHERE key = 'schema_version'")
                        .bind(supported_schema_version().to_string())
                        .execute(&p)
                        .await
                        .context("recording the schema version")?;
                }
            }
        }
        workspace_id(&Pool::Postgres(pool.clone()), &server).await
    }
    .await;
    finish(pool, server, outcome).await
}

async fn finish(pool: PgPool, server: String, outcome: Result<Uuid>) -> Result<Store> {
    // The role this connection writes as: the author of everything it records (the server's
    // triggers record it whatever the client says; the store says the same in what it
    // returns).
    let outcome = match outcome {
        Ok(id) => db::query_scalar("SELECT current_user::text")
            .fetch_one(&Pool::Postgres(pool.clone()))
            .await
            .context("reading the database role")
            .map(|role: String| (id, role)),
        Err(e) => Err(e),
    };
    match outcome {
        Ok((workspace_id, role)) => Ok(Store {
            pool: Pool::Postgres(pool),
            path: PathBuf::from(server),
            workspace_id,
            read_only: None,
            role: Some(role),
        }),
        Err(err) => {
            pool.close().await;
            Err(err)
        }
    }
}

/// A transaction holding the workspace's write lock (see the module's documentation).
pub(crate) async fn begin_write(pool: &PgPool, context: &'static str) -> Result<Tx> {
    let mut tx = Tx::Postgres(pool.begin().await.context(context)?);
    db::query("SELECT pg_advisory_xact_lock(?)")
        .bind(WRITE_LOCK)
        .execute(&mut tx)
        .await
        .context(context)?;
    Ok(tx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_servers_and_everything_else_is_a_file() {
        assert!(matches!(
            Location::parse("postgres://db/x"),
            Location::Server(_)
        ));
        assert!(matches!(
            Location::parse("PostgreSQL://db/x"),
            Location::Server(_)
        ));
        assert_eq!(
            Location::parse("team.stridewise"),
            Location::File("team.stridewise".into())
        );
        assert_eq!(
            Location::parse("postgres.stridewise"),
            Location::File("postgres.stridewise".into())
        );
    }

    #[test]
    fn the_connect_timeout_comes_from_the_url() {
        let default = Duration::from_secs(7);
        assert_eq!(
            connect_timeout("postgres://h/db?sslmode=disable&connect_timeout=3", default).unwrap(),
            Duration::from_secs(3)
        );
        assert!(connect_timeout("postgres://h/db?connect_timeout=soon", default).is_err());
    }

    #[test]
    fn a_password_is_never_displayed() {
        let l = Location::parse("postgres://ana:s3cret@db.example:5432/threats?sslmode=require");
        assert_eq!(
            l.to_string(),
            "postgres://ana@db.example:5432/threats?sslmode=require"
        );
        assert!(!format!("{l:?}").contains("s3cret"));
        assert_eq!(redacted("postgres://db/x"), "postgres://db/x");
        assert_eq!(
            Location::from_arg(Path::new("postgres://ana:pw@db/x")).to_string(),
            "postgres://ana@db/x"
        );
    }
}
