//! `report`, `export` and `check` over a workspace: head revisions, triage decisions from the
//! workspace, and in the report the consolidated application with its attack paths.

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_stridewise");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn workspace_report_has_triage_and_the_application() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("w.stridewise");
    let ws = ws.to_str().unwrap();
    let models = concat!(env!("CARGO_MANIFEST_DIR"), "/models");
    ok(&["workspace", "init", ws]);
    for m in ["mc-global", "mc-operations", "mc-stamp"] {
        ok(&[
            "workspace",
            "add",
            ws,
            "--app",
            "mc",
            &format!("{models}/{m}.stride.json"),
        ]);
    }
    // Accept one threat, then find it accepted in the CSV export and the report.
    let csv = ok(&[
        "export",
        "--workspace",
        ws,
        "--app",
        "mc",
        "--format",
        "csv",
    ]);
    let key = csv
        .lines()
        .nth(1)
        .and_then(|l| l.rsplit(',').next())
        .unwrap()
        .trim_matches('"')
        .to_string();
    ok(&[
        "triage",
        ws,
        &key,
        "--status",
        "accepted",
        "--justification",
        "risk owner signed off",
    ]);
    let csv = ok(&[
        "export",
        "--workspace",
        ws,
        "--app",
        "mc",
        "--format",
        "csv",
    ]);
    let row = csv.lines().find(|l| l.contains(&key)).unwrap();
    assert!(row.contains(",accepted,"), "{row}");

    let html = dir.path().join("r.html");
    ok(&[
        "report",
        "--workspace",
        ws,
        "--app",
        "mc",
        "-o",
        html.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(html).unwrap();
    assert!(html.contains("risk owner signed off"));
    assert!(html.contains("consolidated from 3 services"));
    assert!(html.contains("Attack paths"));
    assert!(html.contains("APP-CICD-DATA-01"));

    // A closed review shows in the report's review history.
    ok(&[
        "review",
        "start",
        "--workspace",
        ws,
        "--sprint",
        "2026.48",
        "--participant",
        "ana",
    ]);
    ok(&[
        "review",
        "close",
        "--workspace",
        ws,
        "--notes",
        "first review",
    ]);
    let html = dir.path().join("r2.html");
    ok(&[
        "report",
        "--workspace",
        ws,
        "--app",
        "mc",
        "-o",
        html.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(html).unwrap();
    assert!(html.contains("Review history"));
    assert!(html.contains("2026.48"));

    // The gate reads the same state.
    let gate = run(&["check", "--workspace", ws, "--fail-on", "critical"]);
    assert_eq!(gate.status.code(), Some(1));
    // Unknown names are errors that say so.
    let bad = run(&[
        "report",
        "--workspace",
        ws,
        "--service",
        "nope",
        "-o",
        "/dev/null",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no service named 'nope'"));
}
