//! `workspace add` of a file exported from another copy of the workspace: the common ancestor
//! comes from the lineage the file carries, the edits of both copies are merged, and the new
//! revision has two parents.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_stridewise");

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn ok(args: &[&str]) -> String {
    let (code, text) = run(args);
    assert_eq!(code, 0, "{args:?}: {text}");
    text
}

fn rename(path: &Path, from: &str, to: &str) {
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let e = doc["elements"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|e| e["name"] == from)
        .unwrap_or_else(|| panic!("no element '{from}'"));
    e["name"] = Value::String(to.into());
    std::fs::write(path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    ok(&["fmt", path.to_str().unwrap()]);
}

fn head_names(ws: &str, dir: &Path) -> Vec<String> {
    let out = dir.join("head.stride.json");
    ok(&[
        "workspace",
        "export",
        ws,
        "--service",
        "mc-stamp",
        "-o",
        out.to_str().unwrap(),
    ]);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
    doc["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn an_exported_file_edited_elsewhere_merges_with_the_moved_head() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.stridewise");
    let a_s = a.to_str().unwrap();
    let stamp = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/mc-stamp.stride.json");
    ok(&["workspace", "init", a_s]);
    ok(&[
        "workspace",
        "add",
        a_s,
        "--app",
        "mc",
        stamp.to_str().unwrap(),
    ]);

    // A colleague copies the workspace and exports the service from the copy.
    let b = dir.path().join("b.stridewise");
    std::fs::copy(&a, &b).unwrap();
    let exported = dir.path().join("exported.stride.json");
    ok(&[
        "workspace",
        "export",
        b.to_str().unwrap(),
        "--service",
        "mc-stamp",
        "-o",
        exported.to_str().unwrap(),
    ]);
    rename(&exported, "HealthService", "Health probe service");

    // Meanwhile the original moves on with another edit.
    let local = dir.path().join("local.stride.json");
    ok(&[
        "workspace",
        "export",
        a_s,
        "--service",
        "mc-stamp",
        "-o",
        local.to_str().unwrap(),
    ]);
    rename(&local, "BackgroundProcessor", "Background worker");
    ok(&[
        "workspace",
        "add",
        a_s,
        "--app",
        "mc",
        local.to_str().unwrap(),
    ]);

    // Adding the colleague's file merges both edits.
    let text = ok(&[
        "workspace",
        "add",
        a_s,
        "--app",
        "mc",
        exported.to_str().unwrap(),
    ]);
    assert!(text.contains("merged three-way"), "{text}");
    assert!(text.contains("(0 conflicts)"), "{text}");
    let names = head_names(a_s, dir.path());
    assert!(
        names.contains(&"Health probe service".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"Background worker".to_string()),
        "{names:?}"
    );

    let history = ok(&[
        "workspace",
        "history",
        a_s,
        "--service",
        "mc-stamp",
        "--format",
        "json",
    ]);
    let revisions: Value = serde_json::from_str(&history).unwrap();
    let merges: Vec<&Value> = revisions
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["parents"].as_array().unwrap().len() == 2)
        .collect();
    assert_eq!(merges.len(), 1, "{history}");
}

#[test]
fn clashing_edits_are_recorded_as_conflicts_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.stridewise");
    let a_s = a.to_str().unwrap();
    let stamp = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/mc-stamp.stride.json");
    ok(&["workspace", "init", a_s]);
    ok(&[
        "workspace",
        "add",
        a_s,
        "--app",
        "mc",
        stamp.to_str().unwrap(),
    ]);
    let theirs = dir.path().join("theirs.stride.json");
    ok(&[
        "workspace",
        "export",
        a_s,
        "--service",
        "mc-stamp",
        "-o",
        theirs.to_str().unwrap(),
    ]);
    let ours = dir.path().join("ours.stride.json");
    std::fs::copy(&theirs, &ours).unwrap();
    rename(&ours, "HealthService", "Health A");
    ok(&[
        "workspace",
        "add",
        a_s,
        "--app",
        "mc",
        ours.to_str().unwrap(),
    ]);
    rename(&theirs, "HealthService", "Health B");
    let (code, text) = run(&[
        "workspace",
        "add",
        a_s,
        "--app",
        "mc",
        theirs.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("conflict [edit/edit]"), "{text}");
    // Ours is kept for the field, and the conflict travels with the model.
    assert!(head_names(a_s, dir.path()).contains(&"Health A".to_string()));
    let head: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("head.stride.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(head["conflicts"].as_array().map(Vec::len), Some(1));
}
