//! `stridewise threat` on a workspace service, and the behaviours of issue 16 that had no test of
//! their own: hand-written threats on the review agenda, `import -o DIR/` never replacing another
//! model's file, and a closed pipe ending a command quietly.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{ok, s, stridewise};

/// A workspace with `models/mc-global.stride.json` as service `mc-global` of application `mc`.
fn workspace(dir: &Path) -> String {
    let ws = dir.join("mc.stridewise");
    let ws = s(&ws).to_string();
    ok(&["workspace", "init", &ws]);
    ok(&[
        "workspace",
        "add",
        "--app",
        "mc",
        &ws,
        "models/mc-global.stride.json",
    ]);
    ws
}

fn id_of(key: &str) -> String {
    key.trim()
        .strip_prefix("MANUAL-")
        .and_then(|k| k.split('@').next())
        .unwrap_or_else(|| panic!("not a hand-written threat's key: {key}"))
        .to_string()
}

fn history(ws: &str) -> String {
    ok(&["workspace", "history", ws, "--service", "mc-global"])
}

#[test]
fn threats_are_written_by_hand_in_a_workspace_service_as_new_revisions() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let place = ["--workspace", ws.as_str(), "--service", "mc-global"];
    let with = |action: &str, rest: &[&str]| {
        let mut args = vec!["threat", action];
        args.extend_from_slice(&place);
        args.extend_from_slice(rest);
        args.iter().map(|a| a.to_string()).collect::<Vec<_>>()
    };
    let run = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        stridewise(&args)
    };
    let list = || {
        let args = with("list", &[]);
        ok(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };

    // Refusals name the problem and save nothing.
    let out = run(with(
        "add",
        &["--title", "x", "--stride", "spoofing", "--on", "Nowhere"],
    ));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("'Nowhere'"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!history(&ws).contains("#2"), "{}", history(&ws));
    let out = stridewise(&["threat", "list", "--workspace", &ws]);
    assert_eq!(out.status.code(), Some(2), "--workspace needs --service");

    let out = run(with(
        "add",
        &[
            "--title",
            "Operators bypass the pipeline",
            "--stride",
            "elevation_of_privilege",
            "--on",
            "model",
            "--likelihood",
            "high",
            "--impact",
            "high",
        ],
    ));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let key = text.lines().next().unwrap().to_string();
    assert!(
        text.contains("saved as revision #2") && text.contains("of 'mc-global'"),
        "{text}"
    );
    let id = id_of(&key);
    let listed = list();
    assert!(
        listed.contains(&id) && listed.contains("critical") && listed.contains("[open]"),
        "{listed}"
    );
    // The workspace's analysis shows it next to the catalog's threats.
    let analysis = ok(&["analyze", "--workspace", &ws, "--format", "json"]);
    assert!(analysis.contains(&key), "the analysis lacks {key}");

    // Triage works on it like on any other threat, and an edit keeps the decision.
    ok(&[
        "triage",
        &ws,
        &key,
        "--service",
        "mc-global",
        "--status",
        "mitigated",
    ]);
    let out = run(with(
        "edit",
        &[&id, "--impact", "low", "--title", "Operators skip review"],
    ));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("saved as revision #3"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let listed = list();
    assert!(
        listed.contains("Operators skip review")
            && listed.contains(&format!("{id}  medium"))
            && listed.contains("[mitigated]"),
        "{listed}"
    );
    // The model file form is refused with --workspace, and an unknown id is named.
    let out = run(with("edit", &["m.stride.json", &id, "--impact", "low"]));
    assert_eq!(out.status.code(), Some(2));
    let unknown = "00000000-0000-4000-8000-000000000000";
    let out = run(with("remove", &[unknown]));
    assert_eq!(out.status.code(), Some(3), "not found");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(unknown),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = run(with("remove", &[&id]));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("removed 'Operators skip review'"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let listed = list();
    assert!(listed.trim().is_empty(), "{listed}");
    let h = history(&ws);
    assert!(
        h.contains("#4") && h.contains("threat removed by hand"),
        "{h}"
    );
}

#[test]
fn hand_written_threats_are_on_the_review_agenda_new_then_still_open_then_changed() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let key = ok(&[
        "threat",
        "add",
        "--workspace",
        &ws,
        "--service",
        "mc-global",
        "--title",
        "Front Door rules edited by hand",
        "--stride",
        "tampering",
        "--on",
        "Azure Front Door",
    ]);
    let key = key.lines().next().unwrap().to_string();
    let agenda = |ws: &str| -> serde_json::Value {
        serde_json::from_str(&ok(&[
            "review",
            "agenda",
            "--workspace",
            ws,
            "--format",
            "json",
        ]))
        .unwrap()
    };
    let reasons_of = |agenda: &serde_json::Value| -> Vec<String> {
        agenda["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["item"]["key"] == key.as_str())
            .map(|i| {
                i["item"]["reasons"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r.as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };

    ok(&["review", "start", "--workspace", &ws, "--sprint", "1"]);
    assert_eq!(reasons_of(&agenda(&ws)), ["new", "still_open"]);
    ok(&["review", "close", "--workspace", &ws, "--notes", "first"]);

    // Left open: on the next agenda for that alone.
    ok(&["review", "start", "--workspace", &ws, "--sprint", "2"]);
    assert_eq!(reasons_of(&agenda(&ws)), ["still_open"]);
    ok(&["review", "close", "--workspace", &ws, "--notes", "second"]);

    // Its element changes: it is on the agenda as changed.
    let exported = dir.path().join("g.stride.json");
    ok(&[
        "workspace",
        "export",
        &ws,
        "--service",
        "mc-global",
        "-o",
        s(&exported),
    ]);
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&exported).unwrap()).unwrap();
    let front_door = m["elements"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|e| e["name"] == "Azure Front Door")
        .unwrap();
    front_door["description"] = "now with a second origin".into();
    std::fs::write(&exported, serde_json::to_string_pretty(&m).unwrap()).unwrap();
    ok(&["workspace", "add", "--app", "mc", &ws, s(&exported)]);
    ok(&["review", "start", "--workspace", &ws, "--sprint", "3"]);
    assert_eq!(reasons_of(&agenda(&ws)), ["changed", "still_open"]);
    ok(&["review", "close", "--workspace", &ws, "--notes", "third"]);

    // Only what the threat says changes: that is a change too.
    let id = key
        .strip_prefix("MANUAL-")
        .and_then(|rest| rest.split('@').next())
        .unwrap();
    ok(&[
        "threat",
        "edit",
        "--workspace",
        &ws,
        "--service",
        "mc-global",
        id,
        "--description",
        "Rules are edited in the portal, outside the pipeline.",
    ]);
    ok(&["review", "start", "--workspace", &ws, "--sprint", "4"]);
    assert_eq!(reasons_of(&agenda(&ws)), ["changed", "still_open"]);
}

#[test]
fn import_into_a_folder_never_replaces_another_models_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out/");
    let src = "tests/fixtures/interop/threat-dragon/clinic.json";
    ok(&["import", src, "-o", s(&out)]);
    let files = |d: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let first = files(&out);
    assert_eq!(first.len(), 1, "{first:?}");
    let written = out.join(&first[0]);

    // The same model imported again replaces its own file.
    ok(&["import", src, "-o", s(&out)]);
    assert_eq!(files(&out), first);

    // The file now holds another model (another id): the import goes beside it, and says so.
    let mut other: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&written).unwrap()).unwrap();
    let other_id = "7b0c6f55-3f4b-4b7e-9f0e-2d5c9a1e0b11";
    other["id"] = other_id.into();
    let other_text = serde_json::to_string_pretty(&other).unwrap();
    std::fs::write(&written, &other_text).unwrap();
    let text = ok(&["import", src, "-o", s(&out)]);
    assert!(text.contains("holds another model"), "{text}");
    assert_eq!(std::fs::read_to_string(&written).unwrap(), other_text);
    assert_eq!(files(&out).len(), 2, "{:?}", files(&out));
}

/// Runs the binary with its output into a pipe that is closed after the first line, as `| head
/// -1` does: the command must end quietly (no panic, no error), whatever it was writing.
fn closed_after_one_line(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stridewise"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    let n = stdout.read(&mut first).unwrap();
    assert!(n > 0, "{args:?} wrote nothing");
    drop(stdout);
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (status.code(), err)
}

#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    // Outputs far larger than a pipe's buffer, so that writing goes on after the close.
    for args in [
        vec!["analyze", "models/mc-stamp.stride.json", "--format", "json"],
        vec!["analyze", "models/mc-stamp.stride.json"],
        vec!["analyze", "--workspace", &ws, "--format", "json"],
    ] {
        let (code, err) = closed_after_one_line(&args);
        assert!(
            !err.contains("panicked") && !err.contains("Broken pipe"),
            "{args:?}: {err}"
        );
        assert!(
            matches!(code, Some(0) | Some(1)),
            "{args:?} exited {code:?}: {err}"
        );
    }
}
