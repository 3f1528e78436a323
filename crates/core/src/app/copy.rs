//! Moving a whole workspace between a file and a PostgreSQL server (`stridewise workspace
//! copy`): a team can start with a file and move to a server, or take a server's workspace
//! home as a file. The copy keeps everything, history included, and is all or nothing; the
//! store does the row-by-row work.

use crate::store::{CopyReport, Location, Workspace};

use super::error::{AppError, Result};

/// Copies the workspace at `from` into `to`, which must be a new file, an empty database or a
/// database with an empty workspace; anything else is refused (`already_exists`) and left as
/// it was. The error names both places (a URL without its password).
pub fn copy_workspace(from: &Location, to: &Location) -> Result<CopyReport> {
    Workspace::copy(from, to)
        .map_err(|e| AppError::from(e).context(format!("cannot copy '{from}' to '{to}'")))
}
