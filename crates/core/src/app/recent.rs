//! The recent workspaces a desktop session offers: a JSON list of their paths in the app's
//! configuration folder, most recent first, at most [`KEEP`].

use std::path::Path;

/// How many workspaces the list keeps.
pub const KEEP: usize = 10;

fn file(config: &Path) -> std::path::PathBuf {
    config.join("recent.json")
}

/// The list kept in `config`; a missing or unreadable list is an empty one.
pub fn read(config: &Path) -> Vec<String> {
    std::fs::read(file(config))
        .ok()
        .and_then(|b| serde_json::from_slice::<Vec<String>>(&b).ok())
        .unwrap_or_default()
}

/// Puts `path` first in the list kept in `config` (once), keeping the [`KEEP`] most recent.
pub fn remember(config: &Path, path: &Path) -> std::io::Result<()> {
    let current = path.display().to_string();
    let mut list = read(config);
    list.retain(|p| *p != current);
    list.insert(0, current);
    list.truncate(KEEP);
    std::fs::create_dir_all(config)?;
    crate::file::write_atomic(&file(config), &serde_json::to_vec_pretty(&list)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_comes_first_once_and_the_list_keeps_the_most_recent() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        assert!(read(&config).is_empty());
        for n in 0..=KEEP {
            remember(&config, Path::new(&format!("/w/{n}.stridewise"))).unwrap();
        }
        remember(&config, Path::new("/w/3.stridewise")).unwrap();
        let list = read(&config);
        assert_eq!(list.len(), KEEP);
        assert_eq!(list[0], "/w/3.stridewise");
        assert_eq!(list[1], format!("/w/{KEEP}.stridewise"));
        assert_eq!(list.iter().filter(|p| *p == "/w/3.stridewise").count(), 1);
        assert!(!list.contains(&"/w/0.stridewise".to_string()));
        std::fs::write(file(&config), "not json").unwrap();
        assert!(read(&config).is_empty());
    }
}
