//! Crash safety: `stridewise workspace stress-save` saves a large model in a loop and is killed
//! with SIGKILL at random moments. After every kill the workspace must pass SQLite's integrity
//! check and hold exactly the revisions that were committed, whole: the last one reported as
//! committed, or the one in flight if its commit landed just before the kill, and nothing else.
//! The same with four writers saving at once, and with the workspace file deleted after a kill
//! and a new one made under its name (issue 20, 1: the new one must never adopt the old log).
//!
//! The sizes come from the environment, so that `bench/crash.sh` runs the same tests at full
//! size (issue 20 measured 310 kills with 10,000-element models); CI runs the defaults:
//! `STRIDEWISE_CRASH_KILLS` (30), `STRIDEWISE_CRASH_ELEMENTS` (1000),
//! `STRIDEWISE_CRASH_INIT_ROUNDS` (6), `STRIDEWISE_CRASH_CONCURRENT_ROUNDS` (6). Each test
//! prints its figures (`-- --nocapture`) and writes them to `target/crash-figures/`, where
//! `scripts/test.sh` prints them (a passing test's output is captured).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use stridewise_core::model::ModelId;
use stridewise_core::store::{StoreError, Workspace};

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A line every tenth of a long run (`bench/crash.sh` takes its time), so that a run cut short
/// still says how far it got.
fn progress(round: usize, rounds: usize, started: Instant, expected: &Expected) {
    if rounds >= 50 && (round + 1).is_multiple_of(rounds / 10) {
        eprintln!(
            "crash: progress: {}/{rounds} SIGKILLs during saves of {}-element models in {:.0} s: {} revisions committed, {} kills after a commit, {} saves in flight that landed, 0 corruptions so far",
            round + 1,
            elements(),
            started.elapsed().as_secs_f64(),
            expected.revisions,
            expected.kills_after_a_commit,
            expected.in_flight_landed
        );
    }
}

/// A finished test's figures: on stderr, and in `target/crash-figures/TEST.txt` for the test
/// script to print (it removes the folder before the tests, so a stale file cannot pass for a run).
fn figures(test: &str, line: String) {
    eprintln!("{line}");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/crash-figures");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("{test}.txt")), format!("{line}\n"));
}

fn elements() -> usize {
    setting("STRIDEWISE_CRASH_ELEMENTS", 1000)
}

/// Writer N's model id (see `generated_model` in src/cli/workspace.rs).
fn stress_model_id(writer: u32) -> ModelId {
    let name = match writer {
        0 => "stridewise-stress".to_string(),
        w => format!("stridewise-stress-{w}"),
    };
    ModelId::derived(uuid::Uuid::nil(), &name)
}

/// A small deterministic generator; the kill moments need spread, not cryptography.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// A running `stress-save` and the lines it has printed.
struct Writer {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    reader: JoinHandle<()>,
}

impl Writer {
    fn start(ws: &Path, writer: u32) -> Writer {
        let mut child = Command::new(env!("CARGO_BIN_EXE_stridewise"))
            .args(["workspace", "stress-save", ws.to_str().unwrap()])
            .args(["--elements", &elements().to_string()])
            .args(["--writer", &writer.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let reader = {
            let lines = Arc::clone(&lines);
            let stdout = child.stdout.take().unwrap();
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    match line {
                        Ok(l) => lines.lock().unwrap().push(l),
                        Err(_) => break,
                    }
                }
            })
        };
        Writer {
            child,
            lines,
            reader,
        }
    }

    /// Waits (at most a minute) until the writer has committed a save.
    fn wait_for_commit(&self) {
        let started = Instant::now();
        while !self
            .lines
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.starts_with("committed"))
            && started.elapsed() < Duration::from_secs(60)
        {
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// SIGKILL, then what it printed.
    fn kill(mut self) -> Log {
        self.child.kill().unwrap(); // SIGKILL on Unix
        self.child.wait().unwrap();
        self.reader.join().unwrap();
        parse(&self.lines.lock().unwrap())
    }
}

#[derive(Debug, Default)]
struct Log {
    /// (save number, revision id, content hash) of each save reported committed.
    committed: Vec<(u64, String, String)>,
    /// The hash of the save announced last but not reported committed.
    in_flight: Option<String>,
}

fn parse(lines: &[String]) -> Log {
    let mut log = Log::default();
    for line in lines {
        let parts: Vec<&str> = line.split(' ').collect();
        match parts.as_slice() {
            ["saving", _, hash] => log.in_flight = Some(hash.to_string()),
            ["committed", n, rev, hash] => {
                log.committed
                    .push((n.parse().unwrap(), rev.to_string(), hash.to_string()));
                log.in_flight = None;
            }
            _ => panic!("unexpected line from stress-save: {line}"),
        }
    }
    log
}

/// What one writer's model must look like in the workspace after the kills so far.
#[derive(Default)]
struct Expected {
    revisions: i64,
    head: Option<(String, String)>,
    kills_after_a_commit: usize,
    in_flight_landed: usize,
}

impl Expected {
    /// Checks the model after a kill whose writer printed `log`.
    fn check(&mut self, ws: &Workspace, writer: u32, log: &Log, round: usize) {
        let id = stress_model_id(writer);
        if !log.committed.is_empty() {
            self.kills_after_a_commit += 1;
        }
        self.revisions += log.committed.len() as i64;
        if let Some((_, rev, hash)) = log.committed.last() {
            self.head = Some((rev.clone(), hash.clone()));
        }
        let head = match ws.head(id) {
            Ok(h) => h,
            Err(StoreError::UnknownModel(_)) => None,
            Err(e) => panic!("round {round}, writer {writer}: {e}"),
        };
        match (&head, &self.head) {
            (None, None) => {}
            (Some(h), Some((rev, hash))) if h.id.to_string() == *rev => {
                assert_eq!(h.content_hash, *hash, "round {round}, writer {writer}");
            }
            // The save in flight committed just before the kill: it must be the announced
            // document, a child of the last reported head, and the only extra revision.
            (Some(h), last) if log.in_flight.as_deref() == Some(h.content_hash.as_str()) => {
                let parent = last.as_ref().map(|(rev, _)| rev.clone());
                assert_eq!(
                    h.parents.first().map(|p| p.to_string()),
                    parent,
                    "round {round}, writer {writer}"
                );
                self.revisions += 1;
                self.in_flight_landed += 1;
                self.head = Some((h.id.to_string(), h.content_hash.clone()));
            }
            (h, e) => {
                panic!("round {round}, writer {writer}: head {h:?}, expected {e:?}, log {log:?}")
            }
        }
        if let Some(h) = &head {
            // Whole: the document hashes to its hash and parses (load_revision checks both).
            let (_, model) = ws.load_revision(h.id).unwrap();
            assert_eq!(model.elements.len(), elements());
            assert_eq!(ws.history(id).unwrap().len() as i64, self.revisions);
        }
    }
}

fn reopen(ws_path: &Path, round: usize) -> Workspace {
    let ws = Workspace::open(ws_path)
        .unwrap_or_else(|e| panic!("round {round}: cannot reopen after SIGKILL: {e}"));
    assert_eq!(ws.integrity_check().unwrap(), ["ok"], "round {round}");
    ws
}

#[test]
fn sigkill_during_saves_never_loses_or_damages_a_committed_revision() {
    let kills = setting("STRIDEWISE_CRASH_KILLS", 30);
    let dir = tempfile::tempdir().unwrap();
    let ws_path = dir.path().join("crash.stridewise");
    drop(Workspace::create(&ws_path).unwrap());
    let mut rng = XorShift(0x5eed_1234_abcd_9876);
    let mut expected = Expected::default();
    let started = Instant::now();

    for round in 0..kills {
        let writer = Writer::start(&ws_path, 0);
        // Two rounds in three wait for the first commit, so that most kills land in the
        // middle of the save loop; the others may also land while the process starts.
        if round % 3 != 0 {
            writer.wait_for_commit();
        }
        std::thread::sleep(Duration::from_millis(rng.next() % 400));
        let log = writer.kill();
        let ws = reopen(&ws_path, round);
        expected.check(&ws, 0, &log, round);
        progress(round, kills, started, &expected);
    }
    // Finally every revision of every round, not only the heads, must be whole.
    let report = Workspace::open(&ws_path).unwrap().verify().unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.revisions_checked as i64, expected.revisions);
    figures(
        "sigkill_during_saves",
        format!(
            "crash: {kills} SIGKILLs during saves of {}-element models in {:.0} s: {} revisions committed, {} kills after a commit, {} saves in flight that landed, 0 corruptions",
            elements(),
            started.elapsed().as_secs_f64(),
            expected.revisions,
            expected.kills_after_a_commit,
            expected.in_flight_landed
        ),
    );
    assert!(
        expected.kills_after_a_commit >= kills / 3,
        "too few kills landed after a commit ({}); the test is not testing",
        expected.kills_after_a_commit
    );
}

/// Four writers save their own models into one workspace at once and are all killed at the
/// same moment: every writer's model holds exactly what was committed.
#[test]
fn sigkill_of_four_concurrent_writers_loses_nothing_committed() {
    const WRITERS: u32 = 4;
    let rounds = setting("STRIDEWISE_CRASH_CONCURRENT_ROUNDS", 6);
    let dir = tempfile::tempdir().unwrap();
    let ws_path = dir.path().join("concurrent.stridewise");
    drop(Workspace::create(&ws_path).unwrap());
    let mut rng = XorShift(0x4c0c_a11e_d00d_f00d);
    let mut expected: Vec<Expected> = (0..WRITERS).map(|_| Expected::default()).collect();
    let started = Instant::now();
    for round in 0..rounds {
        let writers: Vec<Writer> = (0..WRITERS).map(|w| Writer::start(&ws_path, w)).collect();
        writers.iter().for_each(Writer::wait_for_commit);
        std::thread::sleep(Duration::from_millis(rng.next() % 400));
        let logs: Vec<Log> = writers.into_iter().map(Writer::kill).collect();
        let ws = reopen(&ws_path, round);
        for (w, log) in logs.iter().enumerate() {
            expected[w].check(&ws, w as u32, log, round);
        }
    }
    let report = Workspace::open(&ws_path).unwrap().verify().unwrap();
    assert!(report.is_ok(), "{report:?}");
    let revisions: i64 = expected.iter().map(|e| e.revisions).sum();
    assert_eq!(report.revisions_checked as i64, revisions);
    let after_commit: usize = expected.iter().map(|e| e.kills_after_a_commit).sum();
    figures(
        "four_concurrent_writers",
        format!(
            "crash: {rounds} rounds of {WRITERS} concurrent writers of {}-element models killed together in {:.0} s ({} SIGKILLs, {after_commit} after a commit), {revisions} revisions committed, 0 lost, 0 corruptions",
            elements(),
            started.elapsed().as_secs_f64(),
            rounds * WRITERS as usize
        ),
    );
    assert!(
        after_commit >= rounds * WRITERS as usize / 2,
        "{after_commit}"
    );
}

/// Issue 20, 1, under load: a writer is killed after a commit, the workspace file (only) is
/// deleted, and `workspace init` is run on the same name. It must refuse while the old log
/// is beside the name, and the workspace it makes once the old files are gone is new and
/// empty: never the deleted one, never damaged.
#[test]
fn delete_and_init_after_a_kill_never_adopts_the_old_log() {
    let rounds = setting("STRIDEWISE_CRASH_INIT_ROUNDS", 6);
    let mut rng = XorShift(0x1a17_de1e_7e00_0001);
    let (mut refused, mut clean) = (0, 0);
    let started = Instant::now();
    for round in 0..rounds {
        let dir = tempfile::tempdir().unwrap();
        let ws_path = dir.path().join("w.stridewise");
        drop(Workspace::create(&ws_path).unwrap());
        let writer = Writer::start(&ws_path, 0);
        writer.wait_for_commit();
        std::thread::sleep(Duration::from_millis(rng.next() % 200));
        let log = writer.kill();
        assert!(
            !log.committed.is_empty(),
            "round {round}: nothing committed"
        );
        std::fs::remove_file(&ws_path).unwrap();
        let init = |path: &Path| {
            Command::new(env!("CARGO_BIN_EXE_stridewise"))
                .args(["workspace", "init", path.to_str().unwrap()])
                .output()
                .unwrap()
        };
        let out = init(&ws_path);
        let side: Vec<_> = ["-wal", "-shm", "-journal"]
            .iter()
            .map(|s| dir.path().join(format!("w.stridewise{s}")))
            .filter(|p| p.exists())
            .collect();
        if out.status.success() {
            clean += 1;
        } else {
            let err = String::from_utf8_lossy(&out.stderr);
            // `already_exists`: refused by what is beside the name.
            assert_eq!(out.status.code(), Some(4), "round {round}: {err}");
            assert!(
                err.contains("-wal") || err.contains("-shm") || err.contains("-journal"),
                "round {round}: {err}"
            );
            assert!(
                !ws_path.exists(),
                "round {round}: a refused init left a file"
            );
            refused += 1;
            // The way out the message gives: remove the old files, then init.
            side.iter().for_each(|p| std::fs::remove_file(p).unwrap());
            let out = init(&ws_path);
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let ws = Workspace::open(&ws_path).unwrap();
        assert!(ws.verify().unwrap().is_ok(), "round {round}");
        assert!(
            ws.models().unwrap().is_empty(),
            "round {round}: the new workspace holds old data"
        );
    }
    figures(
        "delete_and_init",
        format!(
            "crash: {rounds} kills after a commit on {}-element models followed by delete and init in {:.0} s: {refused} refused for the old log, {clean} clean, 0 adopted",
            elements(),
            started.elapsed().as_secs_f64()
        ),
    );
}
