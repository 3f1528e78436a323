//! Regression tests of issue 20 through the real binary: what a crash, another user, a hostile
//! file or a shared folder can do to a workspace or to the person running the command.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use stridewise_core::model::{self, DataFlow, Element, ElementKind, ServiceModel};

fn stridewise(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stridewise"))
        .args(args)
        .env("STRIDEWISE_AUTHOR", "tester")
        .output()
        .expect("the binary runs")
}

fn ok(args: &[&str]) -> String {
    let out = stridewise(args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn sample(name: &str) -> ServiceModel {
    let mut m = ServiceModel::new(name);
    let user = Element::new(ElementKind::ExternalEntity, "Customer");
    let api = Element::new(ElementKind::Process, "API");
    let flow = DataFlow::new("Request", user.id, api.id);
    m.elements = vec![user, api];
    m.flows = vec![flow];
    m
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Another user than the one who owns the test's files. As root that is `nobody` (root may
/// write anything, so it cannot play the reader); as anyone else it is the same user, and the
/// test's file modes take away what the other user may not do.
struct Other {
    as_root: bool,
}

impl Other {
    fn new(dir: &Path) -> Other {
        let probe = dir.join("probe");
        std::fs::write(&probe, b"").unwrap();
        let uid = std::fs::metadata(&probe).unwrap().uid();
        std::fs::remove_file(&probe).unwrap();
        Other { as_root: uid == 0 }
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_stridewise"));
        cmd.args(args).env("STRIDEWISE_AUTHOR", "other");
        if self.as_root {
            // Root's supplementary group (0) stays; the test's files give group 0 no write.
            cmd.uid(65534).gid(65534);
        }
        cmd.output().expect("the binary runs")
    }

    /// Hands `path` to the other user (as root), or leaves it with the test's user.
    fn own(&self, path: &Path) {
        if self.as_root {
            std::os::unix::fs::chown(path, Some(65534), Some(65534)).unwrap();
        }
    }
}

/// A folder the other user can reach.
fn shared_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    chmod(dir.path(), 0o755);
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    (dir, shared)
}

fn workspace_with_orders(dir: &Path) -> (PathBuf, PathBuf) {
    let ws = dir.join("shop.stridewise");
    let orders = dir.join("orders.stride.json");
    model::save(&sample("orders"), &orders).unwrap();
    ok(&["workspace", "init", s(&ws)]);
    ok(&["workspace", "add", s(&ws), "--app", "shop", s(&orders)]);
    (ws, orders)
}

// Issue 20, 1, through the binary exactly as reported: a save committed and the process killed
// before it folds its log back, the workspace file deleted, `init` on the same name.
#[test]
fn issue_20_init_after_a_killed_save_and_a_deleted_workspace_refuses_the_old_log() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("w.stridewise");
    ok(&["workspace", "init", s(&ws)]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_stridewise"))
        .args(["workspace", "stress-save", s(&ws), "--elements", "200"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        use std::io::BufRead;
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "stress-save ended"
        );
        if line.starts_with("committed") {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let wal = dir.path().join("w.stridewise-wal");
    assert!(wal.exists(), "the killed process left its log");
    std::fs::remove_file(&ws).unwrap();

    let out = stridewise(&["workspace", "init", s(&ws)]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("w.stridewise-wal"), "{err}");
    assert!(err.contains("move or delete them"), "{err}");
    assert!(!ws.exists());

    std::fs::remove_file(&wal).unwrap();
    let _ = std::fs::remove_file(dir.path().join("w.stridewise-shm"));
    ok(&["workspace", "init", s(&ws)]);
    let verify = ok(&["workspace", "verify", s(&ws)]);
    assert!(verify.contains("ok (0 revisions checked)"), "{verify}");
}

// Issue 20, 2: another user who may only read the workspace, in a shared (sticky) folder:
// read commands work, a write command is refused saying why, and nothing is left beside the
// file, so that the owner saves afterwards as before.
#[test]
fn issue_20_a_reader_leaves_no_side_files_and_the_owner_still_saves() {
    let (_tmp, dir) = shared_dir();
    let other = Other::new(&dir);
    let (ws, orders) = workspace_with_orders(&dir);
    chmod(&dir, 0o1777);
    chmod(&ws, 0o644);
    if !other.as_root {
        chmod(&ws, 0o444);
    }
    let files = listing(&dir);
    let before = std::fs::read(&ws).unwrap();

    for args in [
        vec!["workspace", "list", s(&ws)],
        vec!["workspace", "history", s(&ws), "--service", "orders"],
        vec!["analyze", "--workspace", s(&ws)],
        vec!["workspace", "verify", s(&ws)],
    ] {
        let out = other.run(&args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            listing(&dir),
            files,
            "{args:?} left files beside the workspace"
        );
    }

    let mut changed = sample("orders");
    changed.id = model::load(&orders).unwrap().id;
    changed.description = "from the other user".into();
    let theirs = dir.join("theirs.stride.json");
    model::save(&changed, &theirs).unwrap();
    other.own(&theirs);
    let files = listing(&dir);
    let out = other.run(&["workspace", "add", s(&ws), "--app", "shop", s(&theirs)]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("you may not write the file"), "{err}");
    assert!(err.contains("reading it still works"), "{err}");
    assert_eq!(listing(&dir), files, "the refused write left files");
    assert_eq!(std::fs::read(&ws).unwrap(), before);

    chmod(&ws, 0o644);
    let mut mine = model::load(&orders).unwrap();
    mine.description = "the owner's change".into();
    model::save(&mine, &orders).unwrap();
    let out = ok(&["workspace", "add", s(&ws), "--app", "shop", s(&orders)]);
    assert!(out.contains("revision #2"), "{out}");
}

// Issue 20, 12: a workspace in a folder its user may not write could not even be listed
// (SQLite could not create its log there).
#[test]
fn issue_20_a_workspace_in_a_read_only_folder_is_listed_and_writes_say_why() {
    let (_tmp, dir) = shared_dir();
    let other = Other::new(&dir);
    let (ws, orders) = workspace_with_orders(&dir);
    other.own(&ws);
    other.own(&orders);
    chmod(&dir, 0o555);
    let files = listing(&dir);

    let out = other.run(&["workspace", "list", s(&ws)]);
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(listed.contains("service orders: 1 revision(s)"), "{listed}");

    let mut changed = model::load(&orders).unwrap();
    changed.description = "changed".into();
    let elsewhere = tempfile::tempdir().unwrap();
    chmod(elsewhere.path(), 0o755);
    let theirs = elsewhere.path().join("orders.stride.json");
    model::save(&changed, &theirs).unwrap();
    other.own(&theirs);
    let out = other.run(&["workspace", "add", s(&ws), "--app", "shop", s(&theirs)]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("you may not write its folder"), "{err}");
    assert_eq!(listing(&dir), files);
    chmod(&dir, 0o755);
}

/// Runs the binary, killing it if it has not ended after a minute: a reader blocked on a FIFO
/// would otherwise hang the test run instead of failing it.
fn run_bounded(args: &[&str]) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_stridewise"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let out = child.wait_with_output().unwrap();
        let _ = tx.send(());
        out
    });
    if rx.recv_timeout(std::time::Duration::from_secs(60)).is_err() {
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
        panic!("{args:?} did not end within a minute");
    }
    waiter.join().unwrap()
}

// Issue 20, 8: the size limit was checked on metadata only, so `/dev/zero` (size 0) was read
// until memory ran out, and a FIFO blocked forever. Every command that reads a file refuses
// both, naming the path.
#[test]
fn issue_20_every_reader_refuses_devices_and_fifos() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.stride.json");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let good = dir.path().join("good.stride.json");
    model::save(&sample("orders"), &good).unwrap();
    let ws = dir.path().join("w.stridewise");
    ok(&["workspace", "init", s(&ws)]);
    let out = dir.path().join("out");
    let (g, w, o) = (s(&good), s(&ws), s(&out));
    for bad in ["/dev/zero", s(&fifo)] {
        let commands: Vec<Vec<&str>> = vec![
            vec!["validate", bad],
            vec!["fmt", "--check", bad],
            vec!["analyze", bad],
            vec!["report", bad, "-o", o],
            vec!["export", "--format", "csv", bad, "-o", o],
            vec!["check", "--fail-on", "high", bad],
            vec!["consolidate", bad, "-o", o],
            vec!["diff", g, bad],
            vec!["merge", g, g, bad, "-o", o],
            vec!["merge", bad, g, g, "-o", o],
            vec!["workspace", "add", w, "--app", "a", bad],
            vec!["workspace", "list", bad],
            vec!["catalog", "check", bad],
            vec!["analyze", "--catalog", bad, g],
            vec!["import", bad, "-o", o],
        ];
        for args in commands {
            let result = run_bounded(&args);
            // `validate` reports per file on stdout; the rest on stderr.
            let err = String::from_utf8_lossy(&result.stderr).to_string()
                + &String::from_utf8_lossy(&result.stdout);
            assert_eq!(result.status.code(), Some(2), "{args:?}: {err}");
            assert!(err.contains(bad), "{args:?} does not name the file: {err}");
            assert!(
                err.contains("not a file") || err.contains("not a Stridewise workspace"),
                "{args:?}: {err}"
            );
        }
    }
}
