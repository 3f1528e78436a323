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
    let groups = agenda["groups"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(
        groups.len() < items.len(),
        "threats of one rule are one item: {} items for {} threats",
        groups.len(),
        items.len()
    );
    assert_eq!(agenda["progress"]["decided"], 0);
    assert_eq!(agenda["progress"]["total"], groups.len());
    assert_eq!(agenda["progress"]["threats"], items.len());
    assert_eq!(groups[0]["reasons"][0], "new");
    let total = groups.len();

    // A group with several threats: decided at once, but for one exception.
    let group = groups
        .iter()
        .find(|g| g["members"].as_array().unwrap().len() >= 2)
        .expect("a rule fires on several elements");
    let id = group["id"].as_str().unwrap().to_string();
    assert!(!id.contains('@'), "a group is named by its rule id: {id}");
    let members = group["members"].as_array().unwrap();
    let rows = |m: &serde_json::Value| m["items"].as_array().unwrap().len();
    let all_rows: usize = members.iter().map(rows).sum();
    let exception = members.last().unwrap()["items"][0]["item"]["key"]
        .as_str()
        .unwrap()
        .to_string();
    let decided = ok(&[
        "review",
        "decide",
        "--workspace",
        ws,
        &id,
        "--except",
        &exception,
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
        decided.contains(&format!(
            "{id}: accepted for {} threat(s) (progress 0 of {total})",
            all_rows - rows(members.last().unwrap())
        )),
        "{decided}"
    );
    // A member decided on its own, in its service: the item is complete.
    let (key, service) = {
        let row = &members[0]["items"][0];
        (
            row["item"]["key"].as_str().unwrap().to_string(),
            row["service"].as_str().unwrap().to_string(),
        )
    };
    let triage = ok(&["triage", ws, &key, "--service", &service]);
    assert!(triage.contains("accepted"), "{triage}");
    let exception_service = members.last().unwrap()["items"][0]["service"]
        .as_str()
        .unwrap()
        .to_string();
    let alone = ok(&[
        "review",
        "decide",
        "--workspace",
        ws,
        &exception,
        "--service",
        &exception_service,
        "--status",
        "needs_investigation",
    ]);
    assert!(
        alone.contains(&format!(
            "{exception}: needs_investigation for 1 threat(s) (progress 1 of {total})"
        )),
        "{alone}"
    );
    // An exception outside the group is refused by name.
    let stray = stridewise(&[
        "review",
        "decide",
        "--workspace",
        ws,
        &id,
        "--except",
        "NOPE@1",
        "--status",
        "open",
    ]);
    assert_eq!(stray.status.code(), Some(3)); // not found
    assert!(
        String::from_utf8_lossy(&stray.stderr).contains("'NOPE@1' is not a threat of agenda item"),
        "{}",
        String::from_utf8_lossy(&stray.stderr)
    );

    let text = ok(&["review", "agenda", "--workspace", ws]);
    assert!(
        text.contains(&format!("progress: 1 of {total} decided")),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "[x] {} {id} ({} threats)",
            group["severity"].as_str().unwrap(),
            members.len()
        )),
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
