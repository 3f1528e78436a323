//! The check of a workspace's schema history, the same for a file and a server.

use std::path::Path;

use super::{Result, StoreError};

/// Checks a workspace's schema history (`_sqlx_migrations` rows: version, checksum, success)
/// and recorded schema version against the migrations this build carries; returns the
/// version of the last applied migration.
pub(crate) fn check(
    path: &Path,
    migrator: &sqlx::migrate::Migrator,
    recorded: i64,
    applied: &[(i64, Vec<u8>, bool)],
) -> Result<i64> {
    let found = recorded.max(applied.last().map_or(0, |a| a.0));
    let supported = migrator.iter().map(|m| m.version).max().unwrap_or(0);
    if found > supported {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found,
            supported,
        });
    }
    for (version, checksum, success) in applied {
        let known = migrator.iter().find(|m| m.version == *version);
        let reason = if known.is_none_or(|m| m.checksum.as_ref() != checksum.as_slice()) {
            format!("its schema history does not match Stridewise's (migration {version})")
        } else if !success {
            format!("a schema upgrade (migration {version}) did not finish")
        } else {
            continue;
        };
        return Err(StoreError::NotAWorkspace {
            path: path.to_path_buf(),
            reason,
        });
    }
    Ok(applied.last().map_or(0, |a| a.0))
}
