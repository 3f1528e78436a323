//! `stridewise review`: one review through the command line, with the exit codes and the
//! messages a user sees.

use std::path::Path;
use std::process::{Command, Output};

fn stridewise(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stridewise"))
        .args(args)
        .env("STRIDEWISE_AUTHOR", "ana")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = stridewise(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_review_from_start_to_report() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("mc.stridewise");
    let ws = ws.to_str().unwrap();
    ok(&["workspace", "init", ws]);
    ok(&[
        "workspace",
        "add",
        "--app",
        "mc",
        ws,
        "models/mc-global.stride.json",
        "models/mc-stamp.stride.json",
    ]);
    let started = ok(&[
        "review",
        "start",
        "--workspace",
        ws,
        "--sprint",
        "2026.5",
        "--participant",
        "ana",
    ]);
    assert!(
        started.starts_with("started review 1 of 'mc', sprint 2026.5 (open)"),
        "{started}"
    );

    let agenda: serde_json::Value = serde_json::from_str(&ok(&[
        "review",
        "agenda",
        "--workspace",
        ws,
        "--format",
        "json",
    ]))
    .unwrap();
    let items = agenda["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert_eq!(agenda["progress"]["decided"], 0);
    assert_eq!(agenda["progress"]["total"], items.len());
    assert_eq!(items[0]["item"]["reasons"][0], "new");
    let key = items[0]["item"]["key"].as_str().unwrap().to_string();
    let service = items[0]["service"].as_str().unwrap().to_string();

    let decided = ok(&[
        "review",
        "decide",
        "--workspace",
        ws,
        &key,
        "--service",
        &service,
        "--status",
        "accepted",
        "--justification",
        "behind the WAF",
        "--owner",
        "bo",
        "--due",
        "2026.7",
        "--ticket",
        "MC-1",
    ]);
    assert!(
        decided.contains(&format!("accepted (progress 1 of {})", items.len())),
        "{decided}"
    );

    // The decision is the service's triage decision.
    let triage = ok(&["triage", ws, &key, "--service", &service]);
    assert!(triage.contains("accepted"), "{triage}");

    let text = ok(&["review", "agenda", "--workspace", ws]);
    assert!(
        text.contains(&format!("progress: 1 of {} decided", items.len())),
        "{text}"
    );
    assert!(
        text.contains("decided: accepted owner bo due 2026.7 ticket MC-1"),
        "{text}"
    );

    ok(&["review", "close", "--workspace", ws, "--notes", "done"]);
    let late = stridewise(&[
        "review",
        "decide",
        "--workspace",
        ws,
        &key,
        "--service",
        &service,
        "--status",
        "open",
    ]);
    assert_eq!(late.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&late.stderr).contains("no open review"),
        "{}",
        String::from_utf8_lossy(&late.stderr)
    );
    let list = ok(&["review", "list", "--workspace", ws]);
    let id = list.split_whitespace().next().unwrap().to_string();
    let frozen = stridewise(&[
        "review",
        "decide",
        "--workspace",
        ws,
        &key,
        "--service",
        &service,
        "--status",
        "open",
        "--review",
        &id,
    ]);
    assert_eq!(frozen.status.code(), Some(4));
    assert!(
        String::from_utf8_lossy(&frozen.stderr).contains("is closed; its record is frozen"),
        "{}",
        String::from_utf8_lossy(&frozen.stderr)
    );

    let html = dir.path().join("review.html");
    ok(&[
        "review",
        "report",
        "--workspace",
        ws,
        "-o",
        html.to_str().unwrap(),
    ]);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("Threat review 1 of mc, sprint 2026.5"));
    assert!(page.contains("behind the WAF"));
    assert!(Path::new(&html).exists());
}

#[test]
fn bad_input_is_an_error_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("mc.stridewise");
    let ws = ws.to_str().unwrap();
    ok(&["workspace", "init", ws]);
    let empty = stridewise(&["review", "start", "--workspace", ws, "--sprint", "1"]);
    assert_eq!(empty.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&empty.stderr).contains("has no application"));
    let bad = stridewise(&["review", "agenda", "--workspace", ws, "--review", "x"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("'x' is not a review id"));
}
