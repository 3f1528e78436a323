//! The workspace from the command line: init, add, triage, export, history, list, verify, and
//! the refusal of files that are not workspaces.

mod common;
use common::{ok, s, sample, stridewise};

use std::path::PathBuf;

use stridewise_core::model::{self, ServiceModel, TriageStatus};

struct Setup {
    _dir: tempfile::TempDir,
    ws: PathBuf,
    orders: PathBuf,
    model: ServiceModel,
    root: PathBuf,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let ws = root.join("shop.stridewise");
    let model = sample("orders");
    let orders = root.join("orders.stride.json");
    model::save(&model, &orders).unwrap();
    model::save(&sample("billing"), &root.join("billing.stride.json")).unwrap();
    ok(&["workspace", "init", s(&ws)]);
    Setup {
        _dir: dir,
        ws,
        orders,
        model,
        root,
    }
}

#[test]
fn add_triage_export_history_round_trip() {
    let t = setup();
    let billing = t.root.join("billing.stride.json");
    let out = ok(&[
        "workspace",
        "add",
        s(&t.ws),
        "--app",
        "shop",
        s(&t.orders),
        s(&billing),
        "-m",
        "first import",
    ]);
    assert!(out.contains("'orders' revision #1"), "{out}");
    assert!(out.contains("'billing' revision #1"), "{out}");
    let out = ok(&["workspace", "add", s(&t.ws), "--app", "shop", s(&t.orders)]);
    assert!(out.contains("unchanged"), "{out}");

    // The service is found from the element id in the key.
    let element = t.model.elements[1].id.to_string();
    let key =
        stridewise_core::analysis::analyze(&t.model, stridewise_core::catalog::Catalog::builtin())
            .threats
            .iter()
            .map(|threat| threat.key.to_string())
            .find(|k| k.ends_with(&element))
            .expect("a threat about the element");
    let out = ok(&[
        "triage",
        s(&t.ws),
        &key,
        "--status",
        "accepted",
        "--justification",
        "rate limited",
        "--owner",
        "ana",
        "--mitigation",
        "MIT-WAF=implemented",
    ]);
    assert!(out.starts_with("shop/orders: "), "{out}");
    let shown = ok(&["triage", s(&t.ws), &key]);
    assert!(
        shown.contains("accepted") && shown.contains("rate limited"),
        "{shown}"
    );
    assert!(shown.contains("tester"), "the author is recorded: {shown}");

    // An edit makes revision 2; the export carries lineage and the decision.
    let mut edited = t.model.clone();
    edited.description = "takes orders".into();
    model::save(&edited, &t.orders).unwrap();
    ok(&[
        "workspace",
        "add",
        s(&t.ws),
        "--app",
        "shop",
        s(&t.orders),
        "-m",
        "describe",
    ]);
    let exported = t.root.join("exported.stride.json");
    ok(&[
        "workspace",
        "export",
        s(&t.ws),
        "--service",
        "orders",
        "-o",
        s(&exported),
    ]);
    let back = model::load(&exported).unwrap();
    assert_eq!(back.description, "takes orders");
    assert!(back.lineage.is_some());
    let decision = &back.triage[&model::ThreatKey(key.clone())];
    assert_eq!(decision.status, TriageStatus::Accepted);
    assert_eq!(
        decision.mitigations["MIT-WAF"],
        model::MitigationStatus::Implemented
    );

    let history = ok(&[
        "workspace",
        "history",
        s(&t.ws),
        "--service",
        "orders",
        "--format",
        "json",
    ]);
    let history: serde_json::Value = serde_json::from_str(&history).unwrap();
    let revs = history.as_array().unwrap();
    assert_eq!(revs.len(), 2);
    assert_eq!(revs[0]["message"], "describe");
    assert_eq!(revs[0]["parents"][0], revs[1]["revision"]);
    assert_eq!(
        back.lineage.unwrap().revision.to_string(),
        revs[0]["revision"].as_str().unwrap()
    );

    let list = ok(&["workspace", "list", s(&t.ws), "--format", "json"]);
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    assert_eq!(list["models"].as_array().unwrap().len(), 2);
    assert!(ok(&["workspace", "verify", s(&t.ws)]).contains(": ok"));
}

#[test]
fn a_stale_export_is_merged_never_silently_overwritten() {
    let t = setup();
    ok(&["workspace", "add", s(&t.ws), "--app", "shop", s(&t.orders)]);
    let a = t.root.join("a.stride.json");
    ok(&[
        "workspace",
        "export",
        s(&t.ws),
        "--service",
        "orders",
        "-o",
        s(&a),
    ]);
    let mut edit = model::load(&a).unwrap();
    let base = edit.lineage.clone().unwrap().revision.to_string();
    edit.description = "first".into();
    model::save(&edit, &a).unwrap();
    let b = t.root.join("b.stride.json");
    edit.description = "second".into();
    model::save(&edit, &b).unwrap();
    ok(&["workspace", "add", s(&t.ws), "--app", "shop", s(&a)]);
    // b was exported at the same revision as a, which is no longer the head: it is merged
    // three-way with that revision as the ancestor, and the clash is recorded, not resolved.
    let merged = stridewise(&["workspace", "add", s(&t.ws), "--app", "shop", s(&b)]);
    assert_eq!(merged.status.code(), Some(1));
    let out = String::from_utf8_lossy(&merged.stdout);
    assert!(
        out.contains(&format!("exported at revision {base}")),
        "{out}"
    );
    assert!(out.contains("conflict [edit/edit] /description"), "{out}");
    let head = t.root.join("head.stride.json");
    ok(&[
        "workspace",
        "export",
        s(&t.ws),
        "--service",
        "orders",
        "-o",
        s(&head),
    ]);
    let head = model::load(&head).unwrap();
    assert_eq!(
        head.description, "first",
        "ours is kept for the clashing field"
    );
    assert_eq!(head.conflicts.len(), 1);
}

#[test]
fn files_that_are_not_workspaces_are_refused_and_left_untouched() {
    let t = setup();
    // A model file given where the workspace goes.
    let before = std::fs::read(&t.orders).unwrap();
    let out = stridewise(&["workspace", "list", s(&t.orders)]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not a Stridewise workspace"), "{err}");
    assert_eq!(std::fs::read(&t.orders).unwrap(), before);
    // A missing file is not created.
    let missing = t.root.join("missing.stridewise");
    let out = stridewise(&["triage", s(&missing)]);
    assert_eq!(out.status.code(), Some(3));
    assert!(!missing.exists());
}

#[test]
fn triage_explains_unknown_keys_and_bad_statuses() {
    let t = setup();
    ok(&["workspace", "add", s(&t.ws), "--app", "shop", s(&t.orders)]);
    let out = stridewise(&["triage", s(&t.ws), "RULE@not-an-id", "--status", "accepted"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--service"));
    let key = format!("R@{}", t.model.elements[0].id);
    let out = stridewise(&["triage", s(&t.ws), &key, "--status", "done"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown status 'done'"));
    // A key that names no threat of the service is refused by name, even with --service.
    let out = stridewise(&[
        "triage",
        s(&t.ws),
        "RULE@x",
        "--service",
        "orders",
        "--status",
        "not_applicable",
        "--justification",
        "typo",
    ]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("error[not_found]") && err.contains("'RULE@x'") && err.contains("'orders'"),
        "{err}"
    );
    let list = ok(&["triage", s(&t.ws), "--service", "orders"]);
    assert!(!list.contains("RULE@x"), "{list}");
}
