//! Crash safety: `stridewise workspace stress-save` saves a large model in a loop and is killed
//! with SIGKILL at random moments. After every kill the workspace must pass SQLite's integrity
//! check and hold exactly the revisions that were committed, whole: the last one reported as
//! committed, or the one in flight if its commit landed just before the kill, and nothing else.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use stridewise_core::model::ModelId;
use stridewise_core::store::{StoreError, Workspace};

/// The stress model's id (see `generated_model` in src/cli/workspace.rs).
fn stress_model_id() -> ModelId {
    ModelId::derived(uuid::Uuid::nil(), "stridewise-stress")
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

#[test]
fn sigkill_during_saves_never_loses_or_damages_a_committed_revision() {
    let dir = tempfile::tempdir().unwrap();
    let ws_path = dir.path().join("crash.stridewise");
    drop(Workspace::create(&ws_path).unwrap());
    let mut rng = XorShift(0x5eed_1234_abcd_9876);
    let mut expected_revisions = 0i64;
    let mut expected_head: Option<(String, String)> = None;
    let mut kills_after_a_commit = 0;
    let mut in_flight_landed = 0;

    for round in 0..30 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_stridewise"))
            .args(["workspace", "stress-save", ws_path.to_str().unwrap()])
            .args(["--elements", "1000"])
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
        // Two rounds in three wait for the first commit, so that most kills land in the
        // middle of the save loop; the others may also land while the process starts.
        if round % 3 != 0 {
            let started = std::time::Instant::now();
            while !lines
                .lock()
                .unwrap()
                .iter()
                .any(|l| l.starts_with("committed"))
                && started.elapsed() < Duration::from_secs(20)
            {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        std::thread::sleep(Duration::from_millis(rng.next() % 400));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        reader.join().unwrap();
        let log = parse(&lines.lock().unwrap());
        if !log.committed.is_empty() {
            kills_after_a_commit += 1;
        }

        let ws = Workspace::open(&ws_path)
            .unwrap_or_else(|e| panic!("round {round}: cannot reopen after SIGKILL: {e}"));
        assert_eq!(ws.integrity_check().unwrap(), ["ok"], "round {round}");

        expected_revisions += log.committed.len() as i64;
        if let Some((_, rev, hash)) = log.committed.last() {
            expected_head = Some((rev.clone(), hash.clone()));
        }
        let head = match ws.head(stress_model_id()) {
            Ok(h) => h,
            Err(StoreError::UnknownModel(_)) => None,
            Err(e) => panic!("round {round}: {e}"),
        };
        match (&head, &expected_head) {
            (None, None) => {}
            (Some(h), Some((rev, hash))) if h.id.to_string() == *rev => {
                assert_eq!(h.content_hash, *hash, "round {round}");
            }
            // The save in flight committed just before the kill: it must be the announced
            // document, a child of the last reported head, and the only extra revision.
            (Some(h), last) if log.in_flight.as_deref() == Some(h.content_hash.as_str()) => {
                let parent = last.as_ref().map(|(rev, _)| rev.clone());
                assert_eq!(
                    h.parents.first().map(|p| p.to_string()),
                    parent,
                    "round {round}"
                );
                expected_revisions += 1;
                in_flight_landed += 1;
                expected_head = Some((h.id.to_string(), h.content_hash.clone()));
            }
            (h, e) => panic!("round {round}: head {h:?}, expected {e:?}, log {log:?}"),
        }
        if let Some(h) = &head {
            // Whole: the document hashes to its hash and parses (load_revision checks both).
            let (_, model) = ws.load_revision(h.id).unwrap();
            assert_eq!(model.elements.len(), 1000);
            assert_eq!(
                ws.history(stress_model_id()).unwrap().len() as i64,
                expected_revisions
            );
        }
    }
    // Finally every revision of every round, not only the heads, must be whole.
    let report = Workspace::open(&ws_path).unwrap().verify().unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.revisions_checked as i64, expected_revisions);
    eprintln!(
        "{expected_revisions} revisions committed over 30 kills, {kills_after_a_commit} kills after a commit, {in_flight_landed} saves in flight that landed"
    );
    assert!(
        kills_after_a_commit >= 10,
        "too few kills landed after a commit ({kills_after_a_commit}); the test is not testing"
    );
}
