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
//! is never replaced.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, SqlitePool};
use uuid::Uuid;

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
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "workspace".into());
        if !dir.is_dir() {
            return Err(StoreError::Io {
                path: dir.to_path_buf(),
                error: std::io::Error::new(std::io::ErrorKind::NotFound, "no such directory"),
            });
        }
        let tmp = dir.join(format!(".{file_name}.{}.init.tmp", std::process::id()));
        let result = Self::initialise(&tmp).await;
        let linked = result.and_then(|()| {
            // A hard link never replaces an existing file. Where links are not supported, a
            // rename after a last check is the fallback.
            std::fs::hard_link(&tmp, path).or_else(|error| match error.kind() {
                std::io::ErrorKind::AlreadyExists => Err(StoreError::AlreadyExists {
                    path: path.to_path_buf(),
                }),
                _ if path.exists() => Err(StoreError::AlreadyExists {
                    path: path.to_path_buf(),
                }),
                _ => std::fs::rename(&tmp, path).map_err(io_err(path)),
            })
        });
        for leftover in [tmp.clone(), wal_path(&tmp, "-wal"), wal_path(&tmp, "-shm")] {
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
    pub async fn open(path: &Path) -> Result<Store> {
        inspect(path).await?;
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
                pool,
                path: path.to_path_buf(),
                workspace_id,
            }),
            Err(err) => {
                pool.close().await;
                Err(err)
            }
        }
    }
}

fn wal_path(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Decides, without writing a byte to `path`, whether it is a workspace this build can open.
async fn inspect(path: &Path) -> Result<()> {
    let not_workspace = |reason: String| StoreError::NotAWorkspace {
        path: path.to_path_buf(),
        reason,
    };
    if !path.exists() {
        return Err(StoreError::NotFound {
            path: path.to_path_buf(),
        });
    }
    let mut header = Vec::with_capacity(100);
    std::fs::File::open(path)
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

    // Read-only: this connection cannot change the database file. Without a `-wal` file no
    // connection has the database open (SQLite removes the log when the last one closes), so
    // it is read as immutable, which creates no `-wal` or `-shm` companions either. With a
    // log present (another process has it open, or one crashed), SQLite needs those files to
    // read the newest data, and a plain read-only connection uses them.
    let idle = !wal_path(path, "-wal").exists();
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .immutable(idle)
        .busy_timeout(BUSY_TIMEOUT)
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
        let applied: Option<i64> = if tables.iter().any(|t| t == "_sqlx_migrations") {
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
                .fetch_one(&mut conn)
                .await
                .context("inspecting the workspace")?
        } else {
            None
        };
        let found = recorded.max(applied.unwrap_or(0));
        let supported = supported_schema_version();
        if found > supported {
            return Err(StoreError::NewerSchema {
                path: path.to_path_buf(),
                found,
                supported,
            });
        }
        Ok(())
    }
    .await;
    let _ = conn.close().await;
    outcome
}
