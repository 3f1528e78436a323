//! Creating and opening workspace files.
//!
//! Opening is done in two steps so that a file we should not touch stays byte-for-byte as it
//! was: first the SQLite header is read with plain file IO (magic string and application id),
//! then a read-only connection reads the `meta` table and the applied migrations. Only when
//! both say "a workspace this build understands" is the file opened for writing and brought up
//! to date with the embedded migrations.
//!
//! Creating writes a temporary file beside the target and hard-links it into place, so that a
//! crash never leaves a half-initialised workspace under the user's name and an existing file
//! is never replaced. Creating also refuses a name that still has SQLite's side files beside
//! it (`-wal`, `-shm`, `-journal`: left by a workspace of that name that was deleted after a
//! crash or while open): SQLite would read that old log into the new file.
//!
//! A workspace the user may not write (the file, or the folder where SQLite keeps its log) is
//! opened read-only: read commands work, and nothing is created beside the file (no `-wal`
//! or `-shm` owned by someone the owner cannot then save over or delete). A write is refused
//! with [`StoreError::ReadOnly`] saying why.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, SqlitePool};
use uuid::Uuid;

use super::db::{Pool, Tx};
use super::{APPLICATION_ID, Context, Result, Store, StoreError, time};

pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The newest schema version this build knows: the version of its last migration.
pub fn supported_schema_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |error| StoreError::Io {
        path: path.to_path_buf(),
        error,
    }
}

fn write_options(path: &Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: a committed save survives a power cut, not only a crash of the process. It
        // costs one fsync per save.
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT)
}

async fn pool(options: SqliteConnectOptions) -> Result<SqlitePool> {
    SqlitePoolOptions::new()
        .max_connections(4)
        .acquire_timeout(BUSY_TIMEOUT)
        .connect_with(options)
        .await
        .context("opening the workspace")
}

impl Store {
    /// Creates a new, empty workspace at `path`. Fails if anything exists there.
    pub async fn create(path: &Path) -> Result<Store> {
        if path.exists() {
            return Err(StoreError::AlreadyExists {
                path: path.to_path_buf(),
            });
        }
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !dir.is_dir() {
            return Err(StoreError::Io {
                path: dir.to_path_buf(),
                error: std::io::Error::new(std::io::ErrorKind::NotFound, "no such directory"),
            });
        }
        let stale: Vec<PathBuf> = SIDE_FILES
            .iter()
            .map(|suffix| side_path(path, suffix))
            .filter(|p| p.symlink_metadata().is_ok())
            .collect();
        if !stale.is_empty() {
            return Err(StoreError::StaleLog {
                path: path.to_path_buf(),
                files: stale,
            });
        }
        let tmp = temp_beside(path, "init");
        let result = Self::initialise(&tmp).await;
        let linked = result.and_then(|()| link_into_place(&tmp, path));
        for leftover in [
            tmp.clone(),
            side_path(&tmp, "-wal"),
            side_path(&tmp, "-shm"),
        ] {
            let _ = std::fs::remove_file(leftover);
        }
        linked?;
        Self::open(path).await
    }

    async fn initialise(tmp: &Path) -> Result<()> {
        let _ = std::fs::remove_file(tmp);
        let pool = pool(write_options(tmp).create_if_missing(true)).await?;
        let outcome = async {
            // Header fields are written with the first page; set the id before anything else.
            sqlx::query("PRAGMA application_id = 1398035031")
                .execute(&pool)
                .await
                .context("marking the file as a workspace")?;
            MIGRATOR
                .run(&pool)
                .await
                .map_err(|error| StoreError::Migrate {
                    path: tmp.to_path_buf(),
                    error,
                })?;
            let mut tx = pool
                .begin()
                .await
                .context("starting the first transaction")?;
            let now = time::now();
            let workspace_id = Uuid::new_v4().to_string();
            let version = supported_schema_version().to_string();
            for (key, value) in [
                ("format", "stridewise-workspace"),
                ("workspace_id", workspace_id.as_str()),
                ("schema_version", version.as_str()),
                ("created_at", now.as_str()),
            ] {
                sqlx::query("INSERT INTO meta (key, value) VALUES (?, ?)")
                    .bind(key)
                    .bind(value)
                    .execute(&mut *tx)
                    .await
                    .context("writing the workspace identity")?;
            }
            tx.commit()
                .await
                .context("writing the workspace identity")?;
            Ok(())
        }
        .await;
        pool.close().await;
        outcome
    }

    /// Opens an existing workspace, upgrading its schema when it is older than this build's.
    /// When the user may not write the file or its folder, the workspace is opened read-only
    /// instead (see [`Store::open_read_only`]) and every write says why it is refused.
    pub async fn open(path: &Path) -> Result<Store> {
        let applied = inspect(path).await?;
        if let Some(reason) = why_not_writable(path) {
            return Self::open_read_only_inspected(path, applied, reason).await;
        }
        let pool = pool(write_options(path)).await?;
        let outcome = async {
            MIGRATOR
                .run(&pool)
                .await
                .map_err(|error| StoreError::Migrate {
                    path: path.to_path_buf(),
                    error,
                })?;
            // Written only when it changes, so that opening an up-to-date workspace takes no
            // write lock.
            let recorded: Option<String> =
                sqlx::query_scalar("SELECT value FROM meta WHERE key = 'schema_version'")
                    .fetch_optional(&pool)
                    .await
                    .context("reading the schema version")?;
            let supported = supported_schema_version();
            if recorded.and_then(|v| v.parse::<i64>().ok()) != Some(supported) {
                sqlx::query("UPDATE meta SET value = ? WHERE key = 'schema_version'")
                    .bind(supported.to_string())
                    .execute(&pool)
                    .await
                    .context("recording the schema version")?;
            }
            let id: String =
                sqlx::query_scalar("SELECT value FROM meta WHERE key = 'workspace_id'")
                    .fetch_one(&pool)
                    .await
                    .context("reading the workspace id")?;
            Uuid::from_str(&id).map_err(|_| StoreError::NotAWorkspace {
                path: path.to_path_buf(),
                reason: format!("its workspace id '{id}' is not a UUID"),
            })
        }
        .await;
        match outcome {
            Ok(workspace_id) => Ok(Store {
                pool: Pool::Sqlite(pool),
                path: path.to_path_buf(),
                workspace_id,
                read_only: None,
                role: None,
            }),
            Err(err) => {
                pool.close().await;
                Err(err)
            }
        }
    }

    /// Opens a workspace for reading only: nothing in the file or beside it is written. When no
    /// process has the workspace open (no `-wal` beside it), SQLite reads it as immutable and
    /// creates no `-wal` or `-shm`; when one has, the existing log and index are read. Writes
    /// are refused with [`StoreError::ReadOnly`].
    pub async fn open_read_only(path: &Path) -> Result<Store> {
        let applied = inspect(path).await?;
        Self::open_read_only_inspected(path, applied, "it was opened read-only".into()).await
    }

    async fn open_read_only_inspected(path: &Path, applied: i64, reason: String) -> Result<Store> {
        let supported = supported_schema_version();
        if applied < supported {
            return Err(StoreError::ReadOnly {
                path: path.to_path_buf(),
                reason: format!(
                    "{reason}, and its schema (version {applied}) must first be upgraded to version {supported} by opening it with write access"
                ),
            });
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .acquire_timeout(BUSY_TIMEOUT)
            .connect_with(read_options(path)?)
            .await
            .context("opening the workspace read-only")?;
        let id: std::result::Result<String, _> =
            sqlx::query_scalar("SELECT value FROM meta WHERE key = 'workspace_id'")
                .fetch_one(&pool)
                .await
                .context("reading the workspace id");
        let id = match id {
            Ok(id) => id,
            Err(err) => {
                pool.close().await;
                return Err(err);
            }
        };
        match Uuid::from_str(&id) {
            Ok(workspace_id) => Ok(Store {
                pool: Pool::Sqlite(pool),
                path: path.to_path_buf(),
                workspace_id,
                read_only: Some(reason),
                role: None,
            }),
            Err(_) => {
                pool.close().await;
                Err(StoreError::NotAWorkspace {
                    path: path.to_path_buf(),
                    reason: format!("its workspace id '{id}' is not a UUID"),
                })
            }
        }
    }

    /// Starts a write transaction, or says why this workspace cannot be written. Writers take
    /// turns: SQLite's `BEGIN IMMEDIATE` takes the file's write lock; on PostgreSQL the
    /// transaction first takes the workspace's write lock (a transaction-scoped advisory lock,
    /// see `server.rs`). Either way the head check of a save and its write see every save
    /// committed before, and no other save can come between them.
    pub(crate) async fn begin_write(&self, context: &'static str) -> Result<Tx> {
        if let Some(reason) = &self.read_only {
            return Err(StoreError::ReadOnly {
                path: self.path.clone(),
                reason: reason.clone(),
            });
        }
        match &self.pool {
            Pool::Sqlite(pool) => Ok(Tx::Sqlite(
                pool.begin_with("BEGIN IMMEDIATE").await.context(context)?,
            )),
            Pool::Postgres(pool) => super::server::begin_write(pool, context).await,
        }
    }

    /// Why writes are refused, when this workspace was opened read-only.
    pub fn read_only(&self) -> Option<&str> {
        self.read_only.as_deref()
    }
}

/// A temporary name beside `path`, in its folder (so that linking it into place stays on one
/// file system), for a workspace being built there.
pub(crate) fn temp_beside(path: &Path, purpose: &str) -> PathBuf {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "workspace".into());
    dir.join(format!(".{name}.{}.{purpose}.tmp", std::process::id()))
}

/// Puts the finished workspace `tmp` in place at `path`, never replacing a file: a hard link
/// (where links are not supported, a rename after a last check).
pub(crate) fn link_into_place(tmp: &Path, path: &Path) -> Result<()> {
    std::fs::hard_link(tmp, path).or_else(|error| match error.kind() {
        std::io::ErrorKind::AlreadyExists => Err(StoreError::AlreadyExists {
            path: path.to_path_buf(),
        }),
        _ if path.exists() => Err(StoreError::AlreadyExists {
            path: path.to_path_buf(),
        }),
        _ => std::fs::rename(tmp, path).map_err(io_err(path)),
    })
}

/// The files SQLite keeps beside a database while it is open or after a crash.
const SIDE_FILES: [&str; 3] = ["-wal", "-shm", "-journal"];

fn side_path(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Options for a connection that reads without writing anything, in the file or beside it.
///
/// Without a `-wal` file no connection has the database open (SQLite removes the log when the
/// last one closes), so it is read as immutable, which creates no `-wal` or `-shm` either.
/// With both present (another process has it open, or one crashed), SQLite needs them to read
/// the newest data, and a plain read-only connection uses them without creating anything. A
/// log without its index (`-shm`) is left by a crash: a read-only connection would create the
/// index, owned by whoever reads, so it is refused until someone who may write opens it.
fn read_options(path: &Path) -> Result<SqliteConnectOptions> {
    let wal = side_path(path, "-wal").exists();
    let shm = side_path(path, "-shm").exists();
    if wal && !shm {
        return Err(StoreError::ReadOnly {
            path: path.to_path_buf(),
            reason: format!(
                "its write-ahead log '{}' was left without its index by a crash; open it once with write access to recover it",
                side_path(path, "-wal").display()
            ),
        });
    }
    Ok(SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .immutable(!wal)
        .busy_timeout(BUSY_TIMEOUT))
}

/// Why the current user cannot save to the workspace at `path`, if they cannot: SQLite needs
/// to write the file, and to create its log (`-wal`) and index (`-shm`) in the folder, or to
/// write them when they exist.
fn why_not_writable(path: &Path) -> Option<String> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !writable(path) {
        return Some("you may not write the file".into());
    }
    if !writable(dir) {
        return Some(format!(
            "you may not write its folder '{}', where SQLite keeps the workspace's log while it is open",
            dir.display()
        ));
    }
    SIDE_FILES[..2]
        .iter()
        .map(|suffix| side_path(path, suffix))
        .find(|side| side.exists() && !writable(side))
        .map(|side| {
            format!(
                "you may not write '{}' beside it (another user has the workspace open, or left it after a crash)",
                side.display()
            )
        })
}

#[cfg(unix)]
fn writable(path: &Path) -> bool {
    rustix::fs::access(path, rustix::fs::Access::WRITE_OK).is_ok()
}

#[cfg(not(unix))]
fn writable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.permissions().readonly())
}

/// Decides, without writing a byte to `path` or beside it, whether it is a workspace this
/// build can open; returns the version of its last applied migration.
async fn inspect(path: &Path) -> Result<i64> {
    let not_workspace = |reason: String| StoreError::NotAWorkspace {
        path: path.to_path_buf(),
        reason,
    };
    let metadata = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(StoreError::NotFound {
                path: path.to_path_buf(),
            });
        }
        Err(e) => return Err(io_err(path)(e)),
    };
    if !metadata.is_file() {
        return Err(not_workspace(format!(
            "it is {}, not a file",
            crate::input::file_kind(&metadata)
        )));
    }
    let mut header = Vec::with_capacity(100);
    crate::input::open_file(path)
        .and_then(|f| f.take(100).read_to_end(&mut header))
        .map_err(io_err(path))?;
    if header.len() < 100 || &header[..16] != b"SQLite format 3\0" {
        return Err(not_workspace("it is not a SQLite database".into()));
    }
    let app_id = i32::from_be_bytes([header[68], header[69], header[70], header[71]]);
    if app_id != APPLICATION_ID {
        return Err(not_workspace(format!(
            "it is a SQLite database of another program (application id {app_id:#010x})"
        )));
    }

    // A log without its index is inspected as immutable (the main file alone): reading the
    // log would create the index. Whether such a workspace can be opened is decided later.
    let options = read_options(path).unwrap_or_else(|_| {
        SqliteConnectOptions::new()
            .filename(path)
            .read_only(true)
            .immutable(true)
    });
    let mut conn = options
        .connect()
        .await
        .context("inspecting the workspace")?;
    let outcome = async {
        let tables: Vec<String> =
            sqlx::query_scalar("SELECT name FROM sqlite_schema WHERE type = 'table'")
                .fetch_all(&mut conn)
                .await
                .context("inspecting the workspace")?;
        if !tables.iter().any(|t| t == "meta") {
            return Err(not_workspace("it has no 'meta' table".into()));
        }
        let format: Option<String> =
            sqlx::query_scalar("SELECT value FROM meta WHERE key = 'format'")
                .fetch_optional(&mut conn)
                .await
                .context("inspecting the workspace")?;
        if format.as_deref() != Some("stridewise-workspace") {
            return Err(not_workspace(
                "its 'meta' table does not name the format".into(),
            ));
        }
        let recorded: Option<String> =
            sqlx::query_scalar("SELECT value FROM meta WHERE key = 'schema_version'")
                .fetch_optional(&mut conn)
                .await
                .context("inspecting the workspace")?;
        let recorded: i64 = recorded
            .as_deref()
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| not_workspace("its schema version is missing or not a number".into()))?;
        // Every workspace has its schema history (`create` runs the migrations); a file
        // without it, or with a history this build did not write, only looks like one, and
        // upgrading it would change it before failing.
        if !tables.iter().any(|t| t == "_sqlx_migrations") {
            return Err(not_workspace("it has no schema history".into()));
        }
        let applied: Vec<(i64, Vec<u8>, bool)> = sqlx::query_as(
            "SELECT version, checksum, success FROM _sqlx_migrations ORDER BY version",
        )
        .fetch_all(&mut conn)
        .await
        .context("inspecting the workspace")?;
        super::history::check(path, &MIGRATOR, recorded, &applied)
    }
    .await;
    let _ = conn.close().await;
    outcome
}
