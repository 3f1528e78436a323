//! `analyze --workspace`: triage shows on each threat and survives re-analysis after the model
//! changes; a threat that stops firing keeps its decision and gets it back when it returns.
//! This is the README's walk-through for a new user, run through the real binary.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_stridewise");

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(args: &[&str]) -> String {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "{args:?}\nstdout: {out}\nstderr: {err}");
    out
}

fn threats(ws: &str) -> Vec<Value> {
    let out = ok(&[
        "analyze",
        "--workspace",
        ws,
        "--app",
        "shop",
        "--format",
        "json",
    ]);
    let doc: Value = serde_json::from_str(&out).unwrap();
    doc["threats"].as_array().unwrap().clone()
}

fn status_of(threats: &[Value], key: &str) -> Option<String> {
    threats
        .iter()
        .find(|t| t["key"] == key)
        .map(|t| t["status"].as_str().unwrap().to_string())
}

#[test]
fn triage_survives_reanalysis_and_comes_back_with_its_threat() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("shop.stridewise");
    let ws = ws.to_str().unwrap();
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let stamp = models.join("mc-stamp.stride.json");
    let work = dir.path().join("mc-stamp.stride.json");
    std::fs::copy(&stamp, &work).unwrap();
    let work_s = work.to_str().unwrap();

    ok(&["workspace", "init", ws]);
    ok(&["workspace", "add", ws, "--app", "shop", work_s]);
    let first = threats(ws);
    assert!(!first.is_empty());
    assert!(first.iter().all(|t| t["status"] == "open"));

    // Decide on a threat about the stamp's storage account.
    let text = std::fs::read_to_string(&work).unwrap();
    let mut model: Value = serde_json::from_str(&text).unwrap();
    let elements = model["elements"].as_array().unwrap();
    let storage = elements
        .iter()
        .find(|e| e["stencil"] == "azure.storage_account")
        .expect("the stamp has a storage account");
    let storage_id = storage["id"].as_str().unwrap().to_string();
    let key = first
        .iter()
        .map(|t| t["key"].as_str().unwrap())
        .find(|k| k.ends_with(&format!("@{storage_id}")))
        .expect("a threat about the storage account")
        .to_string();
    ok(&[
        "triage",
        ws,
        &key,
        "--status",
        "accepted",
        "--justification",
        "tolerated until 2027",
        "--owner",
        "ana",
    ]);

    // Edit the model elsewhere (rename an unrelated element) and re-analyse: the decision holds.
    let other = model["elements"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|e| e["id"] != storage_id.as_str())
        .unwrap();
    other["name"] = Value::String("Renamed element".into());
    std::fs::write(&work, serde_json::to_string_pretty(&model).unwrap()).unwrap();
    ok(&["fmt", work_s]);
    ok(&["workspace", "add", ws, "--app", "shop", work_s]);
    assert_eq!(status_of(&threats(ws), &key).as_deref(), Some("accepted"));

    // Remove the storage account: its threats stop firing; the decision is kept, obsolete.
    let saved = model.clone();
    model["elements"]
        .as_array_mut()
        .unwrap()
        .retain(|e| e["id"] != storage_id.as_str());
    model["flows"]
        .as_array_mut()
        .unwrap()
        .retain(|f| f["source"] != storage_id.as_str() && f["target"] != storage_id.as_str());
    if let Some(nodes) = model["layout"]["nodes"].as_object_mut() {
        nodes.remove(&storage_id);
    }
    std::fs::write(&work, serde_json::to_string_pretty(&model).unwrap()).unwrap();
    ok(&["fmt", work_s]);
    ok(&["workspace", "add", ws, "--app", "shop", work_s]);
    assert_eq!(status_of(&threats(ws), &key), None);
    let shown = ok(&["triage", ws, &key, "--service", "mc-stamp"]);
    assert!(shown.contains("obsolete"), "{shown}");

    // Put it back: the threat returns with its decision. The old file as it was would be a
    // stale copy (it equals an older revision), which `add` merges and never lets revert the
    // head; putting something back is an edit on the head, so the file names the head.
    let head = dir.path().join("head.stride.json");
    ok(&[
        "workspace",
        "export",
        ws,
        "--service",
        "mc-stamp",
        "-o",
        head.to_str().unwrap(),
    ]);
    let head: Value = serde_json::from_str(&std::fs::read_to_string(&head).unwrap()).unwrap();
    let mut saved = saved;
    saved["lineage"] = head["lineage"].clone();
    std::fs::write(&work, serde_json::to_string_pretty(&saved).unwrap()).unwrap();
    ok(&["fmt", work_s]);
    ok(&["workspace", "add", ws, "--app", "shop", work_s]);
    assert_eq!(status_of(&threats(ws), &key).as_deref(), Some("accepted"));
}

#[test]
fn unknown_application_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("w.stridewise");
    let ws = ws.to_str().unwrap();
    ok(&["workspace", "init", ws]);
    let (code, _, err) = run(&["analyze", "--workspace", ws, "--app", "nope"]);
    assert_eq!(code, 3, "not_found");
    assert!(err.contains("no application 'nope'"), "{err}");
}
