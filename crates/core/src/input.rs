//! Reading the user's files with limits: every file Stridewise reads (models, imports, rule
//! packs, merge inputs) goes through [`read_limited`].
//!
//! A size limit checked on metadata alone does not bound memory: `/dev/zero` reports size 0
//! and never ends, a FIFO blocks `open` until a writer comes, and a file can grow between the
//! check and the read. So the type is checked before opening (only regular files are read),
//! the file is opened without blocking and checked again through the open handle, and the
//! read itself stops one byte past the limit.

use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("cannot read '{path}': {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The path names a folder, a device, a FIFO or a socket.
    #[error("cannot read '{path}': it is {kind}, not a file")]
    NotAFile { path: PathBuf, kind: &'static str },
    /// The file is larger than the limit.
    #[error("'{path}' is {size} bytes; files larger than {max} bytes are refused")]
    TooLarge { path: PathBuf, size: u64, max: u64 },
}

impl ReadError {
    /// The reason alone, without the path, for errors that name the path themselves.
    pub fn into_io(self) -> std::io::Error {
        match self {
            ReadError::Io { source, .. } => source,
            ReadError::NotAFile { kind, .. } => std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("it is {kind}, not a file"),
            ),
            ReadError::TooLarge { size, max, .. } => std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                format!("it is {size} bytes; files larger than {max} bytes are refused"),
            ),
        }
    }
}

/// What kind of file system object `metadata` describes, in words.
pub fn file_kind(metadata: &Metadata) -> &'static str {
    let t = metadata.file_type();
    if t.is_file() {
        return "a file";
    }
    if t.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// Opens `path` for reading without blocking on a FIFO or a device that waits for a peer.
pub fn open_file(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    options.open(path)
}

/// Reads a regular file of at most `max` bytes. Anything else (a folder, a device, a FIFO, a
/// socket) is refused before it is opened, and again if the path was swapped for one between
/// the check and the open; a file that grows past `max` while it is read is refused without
/// reading more than `max + 1` bytes.
pub fn read_limited(path: &Path, max: u64) -> Result<Vec<u8>, ReadError> {
    let io = |source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let check = |metadata: &Metadata| -> Result<u64, ReadError> {
        if !metadata.is_file() {
            return Err(ReadError::NotAFile {
                path: path.to_path_buf(),
                kind: file_kind(metadata),
            });
        }
        if metadata.len() > max {
            return Err(ReadError::TooLarge {
                path: path.to_path_buf(),
                size: metadata.len(),
                max,
            });
        }
        Ok(metadata.len())
    };
    check(&std::fs::metadata(path).map_err(io)?)?;
    let file = open_file(path).map_err(io)?;
    let size = check(&file.metadata().map_err(io)?)?;
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(max + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > max {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            size: bytes.len() as u64,
            max,
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_file_within_the_limit_and_refuses_a_larger_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.json");
        std::fs::write(&path, b"0123456789").unwrap();
        assert_eq!(read_limited(&path, 10).unwrap(), b"0123456789");
        let err = read_limited(&path, 9).unwrap_err();
        assert!(
            matches!(
                err,
                ReadError::TooLarge {
                    size: 10,
                    max: 9,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn a_folder_is_not_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_limited(dir.path(), 100).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "cannot read '{}': it is a folder, not a file",
                dir.path().display()
            )
        );
    }

    // Issue 20, 8: `/dev/zero` has size 0 in its metadata and never ends; reading it grew
    // until out of memory.
    #[cfg(unix)]
    #[test]
    fn issue_20_a_device_is_refused_before_it_is_read() {
        let err = read_limited(Path::new("/dev/zero"), 100).unwrap_err();
        assert!(
            matches!(
                err,
                ReadError::NotAFile {
                    kind: "a character device",
                    ..
                }
            ),
            "{err}"
        );
    }

    // Issue 20, 8: opening a FIFO blocks until a writer comes; nothing may wait forever.
    #[cfg(unix)]
    #[test]
    fn issue_20_a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.json");
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
        )
        .unwrap();
        let err = read_limited(&fifo, 100).unwrap_err();
        assert!(
            matches!(
                err,
                ReadError::NotAFile {
                    kind: "a FIFO (named pipe)",
                    ..
                }
            ),
            "{err}"
        );
        // Opening without blocking works even with no writer.
        drop(open_file(&fifo).unwrap());
    }
}
