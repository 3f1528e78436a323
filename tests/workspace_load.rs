//! Load (issue 19): many writer processes saving edits of the same service of one
//! application at once, with reader processes reading it all the while. No update may be
//! lost: every edit lands as exactly one revision, either saved on the head it was made on or,
//! when a teammate saved first (a reported conflict), merged three-way with the new head by
//! `app::workspace::add_document`, as the desktop's "merge mine" and `workspace add` do, and
//! retried when it loses the race again. No other error may surface, to writers or readers.
//!
//! Each writer adds its own elements (`w3-17`: writer 3, save 17), so the final head must
//! hold every one of them exactly once, and the history exactly one revision per save.
//!
//! The same test runs on a workspace file and on the PostgreSQL test server
//! (scripts/pg-test-server.sh). Size: `STRIDEWISE_LOAD=WRITERSxSAVES`, 4x10 by default (what
//! CI runs); `bench/pg-load.sh` runs 20x50 and prints the figures for docs/PERFORMANCE.md.
//! The writers and readers are this test binary run again on its ignored `writer_process`
//! and `reader_process` tests.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use stridewise_core::app::{self, Location, Save, SaveOutcome, StoreError, Workspace};
use stridewise_core::model::{Element, ElementKind, Lineage, ModelId, ServiceModel};

const READERS: usize = 2;
const APPLICATION: &str = "shop";

fn size() -> (usize, usize) {
    let text = std::env::var("STRIDEWISE_LOAD").unwrap_or_else(|_| "4x10".into());
    let (w, s) = text
        .split_once('x')
        .unwrap_or_else(|| panic!("STRIDEWISE_LOAD '{text}' is not WRITERSxSAVES"));
    (w.parse().unwrap(), s.parse().unwrap())
}

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is set by the load test"))
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// This test binary, run on one ignored test with the given settings.
fn spawn(test: &str, env: &[(&str, String)]) -> Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--ignored",
        "--exact",
        test,
        "--nocapture",
        "--test-threads=1",
    ]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.spawn().unwrap()
}

/// The numbers a child printed on its `LOAD` line.
fn numbers(child: Child, who: &str) -> Vec<u64> {
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{who} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|l| l.split_once("LOAD ").map(|(_, rest)| rest))
        .unwrap_or_else(|| panic!("{who} printed no LOAD line:\n{stdout}"));
    line.split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect()
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

fn run(location: &Location, label: &str) {
    let (writers, saves) = size();
    let ws = Workspace::create_at(location).unwrap();
    let mut model = ServiceModel::new("orders");
    model
        .elements
        .push(Element::new(ElementKind::Process, "API"));
    ws.save(Save {
        application: APPLICATION,
        model: &model,
        expected_head: None,
        merge_parent: None,
        author: "setup",
        message: "first",
    })
    .unwrap();
    let id = model.id;
    let dir = tempfile::tempdir().unwrap();
    let stop = dir.path().join("stop");
    let where_ = match location {
        Location::Server(url) => url.clone(),
        Location::File(p) => p.display().to_string(),
    };
    let common = [
        ("LOAD_WORKSPACE", where_),
        ("LOAD_MODEL", id.to_string()),
        ("LOAD_STOP", stop.display().to_string()),
        ("LOAD_SAVES", saves.to_string()),
    ];
    let load_before = load_average();
    let readers: Vec<Child> = (0..READERS)
        .map(|_| spawn("reader_process", &common))
        .collect();
    let started = Instant::now();
    let children: Vec<Child> = (0..writers)
        .map(|i| {
            let mut env = common.to_vec();
            env.push(("LOAD_WRITER", i.to_string()));
            spawn("writer_process", &env)
        })
        .collect();
    let mut latencies = Vec::new();
    let (mut conflicts, mut merges) = (0, 0);
    for (i, child) in children.into_iter().enumerate() {
        let n = numbers(child, &format!("writer {i}"));
        conflicts += n[0];
        merges += n[1];
        latencies.extend_from_slice(&n[2..]);
    }
    let wall = started.elapsed();
    std::fs::write(&stop, "").unwrap();
    let (mut reads, mut read_latencies) = (0, Vec::new());
    for (i, child) in readers.into_iter().enumerate() {
        let n = numbers(child, &format!("reader {i}"));
        reads += n[0];
        read_latencies.extend_from_slice(&n[1..]);
    }
    let load_after = load_average();

    // No lost update: every writer's every element is in the head, once; one revision per
    // save; every revision whole.
    let (head, last) = ws.load_head(id).unwrap().unwrap();
    for w in 0..writers {
        for s in 0..saves {
            let name = format!("w{w}-{s}");
            let found = last.elements.iter().filter(|e| e.name == name).count();
            assert_eq!(
                found, 1,
                "{label}: element {name} is in the head {found} times"
            );
        }
    }
    assert_eq!(last.elements.len(), 1 + writers * saves, "{label}");
    assert_eq!(
        head.seq as usize,
        1 + writers * saves,
        "{label}: one revision per save"
    );
    assert_eq!(ws.history(id).unwrap().len(), 1 + writers * saves);
    let report = ws.verify().unwrap();
    assert!(report.is_ok(), "{label}: {report:?}");
    assert_eq!(latencies.len(), writers * saves);
    assert!(reads > 0, "{label}: the readers read");

    latencies.sort_unstable();
    read_latencies.sort_unstable();
    println!(
        "{label}: {writers} writers x {saves} saves + {READERS} readers: {} saves in {:.1} s = {:.1} saves/s; save p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms; {conflicts} conflicts reported, {merges} merged; {reads} reads, p50 {:.1} ms, p95 {:.1} ms; 0 lost, verify ok; load average {load_before} before, {load_after} after",
        writers * saves,
        wall.as_secs_f64(),
        (writers * saves) as f64 / wall.as_secs_f64(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.95),
        percentile(&latencies, 1.0),
        percentile(&read_latencies, 0.5),
        percentile(&read_latencies, 0.95),
    );
}

#[test]
fn concurrent_writers_and_readers_lose_no_update_on_a_file() {
    let dir = tempfile::tempdir().unwrap();
    run(&Location::File(dir.path().join("load.stridewise")), "file");
}

#[test]
fn concurrent_writers_and_readers_lose_no_update_on_a_server() {
    let Some(admin) = common::pg_admin() else {
        return;
    };
    let db = common::pg_fresh_database(&admin);
    run(&Location::Server(common::pg_url(&admin, &db)), "server");
}

/// One writer: `LOAD_SAVES` edits, each saved on the head it was made on; a conflict is
/// merged with the new head, and tried again from the newer head if that loses too. Prints
/// `LOAD conflicts merges latency-µs...`.
#[test]
#[ignore = "a writer process of the load test, run by it"]
fn writer_process() {
    let ws = Workspace::open_at(&Location::parse(&var("LOAD_WORKSPACE"))).unwrap();
    let id = ModelId(var("LOAD_MODEL").parse().unwrap());
    let me: usize = var("LOAD_WRITER").parse().unwrap();
    let saves: usize = var("LOAD_SAVES").parse().unwrap();
    let author = format!("writer {me}");
    let (mut conflicts, mut merges, mut latencies) = (0u64, 0u64, Vec::new());
    for s in 0..saves {
        let started = Instant::now();
        loop {
            let (head, mut model) = ws.load_head(id).unwrap().unwrap();
            model
                .elements
                .push(Element::new(ElementKind::Process, format!("w{me}-{s}")));
            let saved = ws.save(Save {
                application: APPLICATION,
                model: &model,
                expected_head: Some(head.id),
                merge_parent: None,
                author: &author,
                message: "load",
            });
            match saved {
                Ok(SaveOutcome::Saved(_)) => break,
                Ok(SaveOutcome::Unchanged(_)) => panic!("an edit saved as unchanged"),
                Err(StoreError::Conflict { .. }) => conflicts += 1,
                Err(e) => panic!("writer {me}, save {s}: {e}"),
            }
            model.lineage = Some(Lineage {
                workspace: ws.workspace_id(),
                revision: head.id.0,
            });
            match app::workspace::add_document(
                &ws,
                APPLICATION,
                &model,
                &author,
                &author,
                "load, merged",
            ) {
                Ok(added) => {
                    assert!(added.conflicts.is_empty(), "{:?}", added.conflicts);
                    assert!(matches!(added.outcome, SaveOutcome::Saved(_)));
                    merges += 1;
                    break;
                }
                // The merge lost the race a few times over: start again from the head.
                Err(StoreError::Conflict { .. }) => conflicts += 1,
                Err(e) => panic!("writer {me}, merging save {s}: {e}"),
            }
        }
        latencies.push(started.elapsed().as_micros() as u64);
    }
    let line: Vec<String> = [conflicts, merges]
        .into_iter()
        .chain(latencies)
        .map(|n| n.to_string())
        .collect();
    println!("LOAD {}", line.join(" "));
}

/// One reader: lists the workspace and loads the service's head and history until told to
/// stop. Prints `LOAD reads latency-µs...`.
#[test]
#[ignore = "a reader process of the load test, run by it"]
fn reader_process() {
    let ws = Workspace::open_at(&Location::parse(&var("LOAD_WORKSPACE"))).unwrap();
    let id = ModelId(var("LOAD_MODEL").parse().unwrap());
    let stop = var("LOAD_STOP");
    let mut latencies = Vec::new();
    while !Path::new(&stop).exists() {
        let started = Instant::now();
        let models = ws.models().unwrap();
        assert_eq!(models.len(), 1);
        let (head, model) = ws.load_head(id).unwrap().unwrap();
        assert_eq!(model.elements.len() as i64, head.seq, "a head is whole");
        latencies.push(started.elapsed().as_micros() as u64);
        std::thread::sleep(Duration::from_millis(20));
    }
    let line: Vec<String> = std::iter::once(latencies.len() as u64)
        .chain(latencies)
        .map(|n| n.to_string())
        .collect();
    println!("LOAD {}", line.join(" "));
}
