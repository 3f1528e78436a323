//! Regression tests of issue 20 through the real binary: what a crash, another user, a hostile
//! file or a shared folder can do to a workspace or to the person running the command.

mod common;
use common::{ok, s, sample, stridewise};

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use stridewise_core::model::{self, Element, ElementKind, ServiceModel};

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
    assert_eq!(out.status.code(), Some(4));
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

    let mut changed = model::load(&orders).unwrap();
    changed.description = "from the other user".into();
    let theirs = dir.join("theirs.stride.json");
    model::save(&changed, &theirs).unwrap();
    other.own(&theirs);
    let files = listing(&dir);
    let out = other.run(&["workspace", "add", s(&ws), "--app", "shop", s(&theirs)]);
    assert_eq!(out.status.code(), Some(5));
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
    assert_eq!(out.status.code(), Some(5));
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

fn head_of(ws: &Path, dir: &Path, service: &str) -> ServiceModel {
    let out = dir.join(format!("{service}-head.stride.json"));
    ok(&[
        "workspace",
        "export",
        s(ws),
        "--service",
        service,
        "-o",
        s(&out),
    ]);
    model::load(&out).unwrap()
}

fn element<'a>(m: &'a ServiceModel, name: &str) -> &'a Element {
    m.elements.iter().find(|e| e.name == name).unwrap()
}

// Issue 20, 10: a file without lineage (from git, another tool) made before the head moved on
// must not revert the head. Before the fix it replaced the head ("revision #3").
#[test]
fn issue_20_a_file_without_lineage_is_merged_against_the_revision_it_was_made_from() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, orders) = workspace_with_orders(dir.path());
    // The file in git: revision #1's content, no lineage.
    let in_git = model::load(&orders).unwrap();

    // The sprint's change, made in the workspace: revision #2.
    let mut sprint = head_of(&ws, dir.path(), "orders");
    sprint
        .elements
        .iter_mut()
        .find(|e| e.name == "API")
        .unwrap()
        .description = "validates every order".into();
    let sprint_file = dir.path().join("sprint.stride.json");
    model::save(&sprint, &sprint_file).unwrap();
    ok(&["workspace", "add", s(&ws), "--app", "shop", s(&sprint_file)]);

    // Someone edits the old file from git and adds it: a new element, the API renamed.
    let mut edited = in_git.clone();
    assert!(edited.lineage.is_none());
    let api = element(&edited, "API").id;
    edited
        .elements
        .iter_mut()
        .find(|e| e.id == api)
        .unwrap()
        .name = "Orders API".into();
    edited
        .elements
        .push(Element::new(ElementKind::DataStore, "Orders DB"));
    let edited_file = dir.path().join("edited.stride.json");
    model::save(&edited, &edited_file).unwrap();
    let said = ok(&["workspace", "add", s(&ws), "--app", "shop", s(&edited_file)]);
    assert!(said.contains("merged three-way"), "{said}");

    let head = head_of(&ws, dir.path(), "orders");
    let api = head.elements.iter().find(|e| e.id == api).unwrap();
    assert_eq!(
        api.description, "validates every order",
        "the sprint's change survives"
    );
    assert_eq!(api.name, "Orders API", "the file's change is in");
    assert!(head.elements.iter().any(|e| e.name == "Orders DB"));
    assert!(head.conflicts.is_empty(), "{:?}", head.conflicts);

    // The unchanged old file again: nothing to add, the head stays.
    let said = ok(&["workspace", "add", s(&ws), "--app", "shop", s(&orders)]);
    let again = head_of(&ws, dir.path(), "orders");
    assert_eq!(
        element(&again, "Orders API").description,
        "validates every order",
        "{said}"
    );
    assert!(
        again.elements.iter().any(|e| e.name == "Orders DB"),
        "{said}"
    );
}

// Issue 20, 10: an export from a copy of the workspace names revisions this one does not have;
// it failed with "no revision … in the workspace". It is now matched by content.
#[test]
fn issue_20_an_export_from_a_copy_of_the_workspace_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _) = workspace_with_orders(dir.path());
    let copy = dir.path().join("copy.stridewise");
    std::fs::copy(&ws, &copy).unwrap();

    // In the copy: the API gets a description (a revision only the copy has), then exported.
    let mut theirs = head_of(&copy, dir.path(), "orders");
    element_mut(&mut theirs, "API").description = "from the copy".into();
    let theirs_file = dir.path().join("theirs.stride.json");
    model::save(&theirs, &theirs_file).unwrap();
    ok(&[
        "workspace",
        "add",
        s(&copy),
        "--app",
        "shop",
        s(&theirs_file),
    ]);
    let out = dir.path().join("from-copy");
    std::fs::create_dir(&out).unwrap();
    let exported = head_of(&copy, &out, "orders");
    assert!(exported.lineage.is_some());

    // In the original: the customer is renamed.
    let mut ours = head_of(&ws, dir.path(), "orders");
    element_mut(&mut ours, "Customer").name = "Shopper".into();
    let ours_file = dir.path().join("ours.stride.json");
    model::save(&ours, &ours_file).unwrap();
    ok(&["workspace", "add", s(&ws), "--app", "shop", s(&ours_file)]);

    let exported_file = out.join("orders-head.stride.json");
    ok(&[
        "workspace",
        "add",
        s(&ws),
        "--app",
        "shop",
        s(&exported_file),
    ]);
    let head = head_of(&ws, dir.path(), "orders");
    assert_eq!(element(&head, "API").description, "from the copy");
    assert!(head.elements.iter().any(|e| e.name == "Shopper"));
}

// Issue 20, 10: a file that shares nothing with the model's history cannot be merged; it is
// refused with the way out instead of replacing the head.
#[test]
fn issue_20_a_file_with_nothing_in_common_is_refused_with_the_way_out() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, orders) = workspace_with_orders(dir.path());
    let mut stranger = sample("orders");
    stranger.id = model::load(&orders).unwrap().id;
    let file = dir.path().join("stranger.stride.json");
    model::save(&stranger, &file).unwrap();
    let out = stridewise(&["workspace", "add", s(&ws), "--app", "shop", s(&file)]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("shares no element"), "{err}");
    assert!(err.contains("workspace export"), "{err}");
    let head = head_of(&ws, dir.path(), "orders");
    assert_eq!(head.elements.len(), 2);
    assert!(
        head.elements
            .iter()
            .all(|e| stranger.elements.iter().all(|x| x.id != e.id))
    );
}

fn element_mut<'a>(m: &'a mut ServiceModel, name: &str) -> &'a mut Element {
    m.elements.iter_mut().find(|e| e.name == name).unwrap()
}

/// Bytes a terminal would act on: ESC, CR, BEL, C1 controls (as UTF-8) and bidi overrides.
fn terminal_controls(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n' && c != '\t')
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .map(|c| format!("U+{:04X}", c as u32))
        .collect()
}

// Issue 20, 6: escape sequences in names passed through to the terminal: a hostile branch
// could clear the screen and write "merge ok" over the conflict lines of `git merge`.
#[test]
fn issue_20_names_reach_the_terminal_without_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = "API\u{1b}]0;owned\u{7}\u{1b}[2J\rmerge ok\u{9b}1A\u{202e}gnp.exe";
    let base = sample("orders");
    let mut ours = base.clone();
    ours.elements[1].name = hostile.into();
    let mut theirs = base.clone();
    theirs.elements[1].name = format!("{hostile} (theirs)");
    let [b, o, t] = ["base", "ours", "theirs"].map(|n| dir.path().join(format!("{n}.stride.json")));
    model::save(&base, &b).unwrap();
    model::save(&ours, &o).unwrap();
    model::save(&theirs, &t).unwrap();

    let runs: Vec<(Vec<&str>, Output)> = vec![
        vec!["analyze", s(&o)],
        vec!["analyze", "--format", "json", s(&o)],
        vec!["validate", s(&o)],
        vec!["diff", s(&b), s(&o)],
        vec!["merge-driver", s(&b), s(&o), s(&t), "orders.stride.json"],
    ]
    .into_iter()
    .map(|args| {
        let out = stridewise(&args);
        (args, out)
    })
    .collect();
    for (args, out) in &runs {
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "{args:?}: {out:?}"
        );
        for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let found = terminal_controls(bytes);
            assert!(found.is_empty(), "{args:?} {stream} holds {found:?}");
        }
    }
    // Shown, not hidden: the escapes are visible in text and mean the same in JSON.
    let (_, analyze) = &runs[0];
    assert!(String::from_utf8_lossy(&analyze.stdout).contains("API\\u001b]0;owned"));
    let json: serde_json::Value = serde_json::from_slice(&runs[1].1.stdout).unwrap();
    assert!(
        json["threats"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["target"]["name"] == hostile),
        "the JSON output still holds the name itself"
    );
    let (_, driver) = &runs[4];
    assert_eq!(
        driver.status.code(),
        Some(1),
        "a conflict: both renamed the API"
    );
    assert!(String::from_utf8_lossy(&driver.stderr).contains("conflict"));
}

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

// Issue 20, 12: `import X.stride.json` named its output after its input, in the current
// folder: the imported file was overwritten by its own import.
#[test]
fn issue_20_import_never_writes_over_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("clinic.stride.json");
    std::fs::copy(fixture("interop/threat-dragon/clinic.json"), &input).unwrap();
    let before = std::fs::read(&input).unwrap();
    for args in [
        vec!["import", "clinic.stride.json"],
        vec!["import", "clinic.stride.json", "-o", "./clinic.stride.json"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_stridewise"))
            .args(&args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("over the file being imported"), "{err}");
        assert_eq!(std::fs::read(&input).unwrap(), before, "{args:?}");
        assert_eq!(listing(dir.path()), ["clinic.stride.json"]);
    }
    // Another name is fine.
    ok(&[
        "import",
        s(&input),
        "-o",
        s(&dir.path().join("out.stride.json")),
    ]);
}

// Issue 20, 12: of concurrent adds, the ones that lost the race to save were told "conflict
// ... load the head, merge and save again", though an add merges by itself. Four writers at
// once, each adding its own element to a copy exported at the same revision: every add
// succeeds and the head holds all four.
#[test]
fn issue_20_concurrent_adds_all_land() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("shop.stridewise");
    let mut big = sample("orders");
    for i in 0..1500 {
        big.elements
            .push(Element::new(ElementKind::Process, format!("worker {i}")));
    }
    let first = dir.path().join("orders.stride.json");
    model::save(&big, &first).unwrap();
    ok(&["workspace", "init", s(&ws)]);
    ok(&["workspace", "add", s(&ws), "--app", "shop", s(&first)]);
    for round in 0..3 {
        let exported = head_of(&ws, dir.path(), "orders");
        let children: Vec<_> = (0..4)
            .map(|w| {
                let mut mine = exported.clone();
                mine.elements.push(Element::new(
                    ElementKind::DataStore,
                    format!("store {round}.{w}"),
                ));
                let file = dir.path().join(format!("writer-{w}.stride.json"));
                model::save(&mine, &file).unwrap();
                Command::new(env!("CARGO_BIN_EXE_stridewise"))
                    .args(["workspace", "add", s(&ws), "--app", "shop", s(&file)])
                    .env("STRIDEWISE_AUTHOR", format!("writer {w}"))
                    .output_async()
            })
            .collect();
        for (w, child) in children.into_iter().enumerate() {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {round}, writer {w}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let head = head_of(&ws, dir.path(), "orders");
        for w in 0..4 {
            let name = format!("store {round}.{w}");
            assert!(
                head.elements.iter().any(|e| e.name == name),
                "{name} was lost"
            );
        }
    }
}

trait Spawn {
    fn output_async(&mut self) -> std::process::Child;
}

impl Spawn for Command {
    fn output_async(&mut self) -> std::process::Child {
        self.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the binary starts")
    }
}

// Issue 20, 11: the driver line named `stridewise`, which git looks up on its own PATH;
// without it every model merge failed as a conflict keeping one side. `--install` writes the
// binary's full path, and a merge then works with nothing on PATH but git.
#[test]
fn issue_20_the_installed_merge_driver_works_without_stridewise_on_path() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    let git_dir = Path::new(
        String::from_utf8(
            Command::new("sh")
                .args(["-c", "command -v git"])
                .output()
                .unwrap()
                .stdout,
        )
        .unwrap()
        .trim(),
    )
    .parent()
    .unwrap()
    .to_path_buf();
    let path = format!("{}:/usr/bin:/bin", git_dir.display());
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(&repo)
            .env("HOME", dir.path())
            .env("PATH", &path)
            .env_remove("GIT_DIR")
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert!(git(&["init", "-q", "-b", "main"]).0);
    let file = repo.join("orders.stride.json");
    let base = sample("orders");
    model::save(&base, &file).unwrap();
    assert!(git(&["add", "."]).0 && git(&["commit", "-qm", "base"]).0);

    let install = Command::new(env!("CARGO_BIN_EXE_stridewise"))
        .args(["merge-driver", "--install"])
        .current_dir(&repo)
        .env("HOME", dir.path())
        .output()
        .unwrap();
    assert!(install.status.success(), "{install:?}");
    let attributes = std::fs::read_to_string(repo.join(".gitattributes")).unwrap();
    assert_eq!(attributes, "*.stride.json merge=stridewise\n");
    assert!(git(&["add", "."]).0 && git(&["commit", "-qm", "driver"]).0);

    // Two branches rename two different elements: a clean merge for Stridewise, a clash on
    // neighbouring lines for git's own merge.
    let mut ours = base.clone();
    ours.elements[0].name = "Shopper".into();
    let mut theirs = base.clone();
    theirs.elements[1].name = "Orders API".into();
    assert!(git(&["checkout", "-qb", "theirs"]).0);
    model::save(&theirs, &file).unwrap();
    assert!(git(&["commit", "-qam", "theirs"]).0);
    assert!(git(&["checkout", "-q", "main"]).0);
    model::save(&ours, &file).unwrap();
    assert!(git(&["commit", "-qam", "ours"]).0);
    let (merged_ok, stderr) = git(&["merge", "-q", "--no-edit", "theirs"]);
    assert!(merged_ok, "{stderr}");
    let merged = model::load(&file).unwrap();
    let names: Vec<&str> = merged.elements.iter().map(|e| e.name.as_str()).collect();
    assert!(
        names.contains(&"Shopper") && names.contains(&"Orders API"),
        "{names:?}"
    );

    // Run again: nothing doubled.
    let again = Command::new(env!("CARGO_BIN_EXE_stridewise"))
        .args(["merge-driver", "--install"])
        .current_dir(&repo)
        .env("HOME", dir.path())
        .output()
        .unwrap();
    assert!(again.status.success());
    assert_eq!(
        std::fs::read_to_string(repo.join(".gitattributes")).unwrap(),
        attributes
    );
}

// Issue 20, 12: SARIF from a workspace had no physicalLocation, although docs/report.md
// promises one on every result; it now points to the workspace file.
#[test]
fn issue_20_workspace_sarif_results_point_to_the_workspace_file() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _) = workspace_with_orders(dir.path());
    let sarif = dir.path().join("out.sarif");
    ok(&[
        "export",
        "--workspace",
        s(&ws),
        "--format",
        "sarif",
        "-o",
        s(&sarif),
    ]);
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap_or_else(|| panic!("no physicalLocation: {r}"));
        assert!(uri.ends_with("shop.stridewise"), "{uri}");
    }
}
