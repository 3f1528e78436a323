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
    // Accept one threat, then find it accepted in the CSV export and the report. (A threat on
    // a resource the services share stays open while another service leaves its copy open.)
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
        .skip(1)
        .find(|l| !l.contains("Shared by "))
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
    assert_eq!(bad.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no service named 'nope'"));
}

/// The report, the CSV and SARIF exports and the gate count the same threats for a workspace:
/// the services' threats once each, a threat on a resource several services share once (as
/// the review agenda does), plus the threats only the application model shows.
#[test]
fn report_exports_and_gate_count_each_threat_once() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("w.stridewise");
    let ws = ws.to_str().unwrap();
    let models = concat!(env!("CARGO_MANIFEST_DIR"), "/models");
    ok(&["workspace", "init", ws]);
    let mut service_threats = 0;
    for m in ["mc-global", "mc-operations", "mc-stamp"] {
        let file = format!("{models}/{m}.stride.json");
        ok(&["workspace", "add", ws, "--app", "mc", &file]);
        let json: serde_json::Value =
            serde_json::from_str(&ok(&["analyze", "--format", "json", &file])).unwrap();
        service_threats += json["threats"].as_array().unwrap().len();
    }
    let scope = ["--workspace", ws, "--app", "mc"];

    let csv = ok(&[&["export"][..], &scope, &["--format", "csv"]].concat());
    let keys: Vec<&str> = csv
        .split("\r\n")
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| l.rsplit(',').next().unwrap().trim_matches('"'))
        .collect();
    let unique: std::collections::BTreeSet<&str> = keys.iter().copied().collect();
    assert_eq!(unique.len(), keys.len(), "a threat is listed twice");
    // The application-level threats are exported too.
    assert!(keys.iter().any(|k| k.starts_with("APP-")));
    assert!(csv.contains("Shared by "), "no shared threat is marked");

    let sarif: serde_json::Value =
        serde_json::from_str(&ok(
            &[&["export"][..], &scope, &["--format", "sarif"]].concat()
        ))
        .unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), keys.len(), "SARIF results");
    // Each service's threat is a location of exactly one result: a shared resource's threat is
    // one result with a location in each service that shows it.
    let service_results: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| r["properties"]["model"] != "mc")
        .collect();
    let locations: usize = service_results
        .iter()
        .map(|r| r["locations"].as_array().unwrap().len())
        .sum();
    assert_eq!(locations, service_threats);
    assert!(
        service_results.len() < service_threats,
        "{} of {service_threats}",
        service_results.len()
    );

    let gate = run(&[&["check"][..], &scope, &["--fail-on", "critical"]].concat());
    let text = String::from_utf8_lossy(&gate.stdout);
    assert!(
        text.contains(&format!(": {} threats,", keys.len())),
        "check says: {text}"
    );

    let html = dir.path().join("r.html");
    ok(&[&["report"][..], &scope, &["-o", html.to_str().unwrap()]].concat());
    let html = std::fs::read_to_string(html).unwrap();
    assert!(
        html.contains(&format!(
            "<span class=\"n\">{}</span><span class=\"l\">threats</span>",
            keys.len()
        )),
        "the report's count differs from the exports' {}",
        keys.len()
    );
}
