//! `stridewise analyze` end to end: both input formats, both output formats, rule packs and
//! exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use stridewise_core::model::{self, DataFlow, Element, ElementKind, ServiceModel};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stridewise"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const PYTM: &str = r#"{
  "name": "my test tm", "description": "aaa", "isOrdered": true, "onDuplicates": "IGNORE",
  "boundaries": [{"name": "Internet"}, {"name": "Server/DB"}],
  "data": [{"name": "Password", "classification": "SECRET", "lifetime": "LONG"}],
  "elements": [
    {"__class__": "Actor", "name": "User", "inBoundary": "Internet"},
    {"__class__": "Server", "name": "Web Server"},
    {"__class__": "Datastore", "name": "SQL Database", "inBoundary": "Server/DB"}
  ],
  "flows": [
    {"name": "Request", "source": "User", "sink": "Web Server", "data": ["Password"], "note": "bbb"},
    {"name": "Insert", "source": "Web Server", "sink": "SQL Database", "note": "ccc"},
    {"name": "Select", "source": "SQL Database", "sink": "Web Server"},
    {"name": "Response", "source": "Web Server", "sink": "User"}
  ]
}"#;

fn native(dir: &Path) -> PathBuf {
    let mut m = ServiceModel::new("orders");
    let user = Element::new(ElementKind::ExternalEntity, "Shopper");
    let api = Element::new(ElementKind::Process, "Orders API");
    let db = Element::new(ElementKind::DataStore, "Orders DB");
    m.flows.push(DataFlow::new("place order", user.id, api.id));
    m.flows.push(DataFlow::new("store order", api.id, db.id));
    m.elements = vec![user, api, db];
    let p = dir.join("orders.stride.json");
    model::save(&m, &p).unwrap();
    p
}

#[test]
fn pytm_model_gives_json_with_the_contract_fields() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "tm.json", PYTM);
    let out = run(&["analyze", "--format", "json", file.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let obj = v.as_object().unwrap();
    assert_eq!(obj.keys().collect::<Vec<_>>(), ["threats", "summary"]);
    let threats = v["threats"].as_array().unwrap();
    assert!(!threats.is_empty());
    let mut strides: Vec<&str> = threats
        .iter()
        .map(|t| t["stride"].as_str().unwrap())
        .collect();
    strides.sort();
    strides.dedup();
    assert_eq!(strides.len(), 6, "{strides:?}");
    for t in threats {
        assert!(
            t["key"]
                .as_str()
                .unwrap()
                .starts_with(t["rule"].as_str().unwrap())
        );
        assert!(["low", "medium", "high", "critical"].contains(&t["severity"].as_str().unwrap()));
        assert!(t["target"]["name"].is_string());
        assert!(!t["mitigations"].as_array().unwrap().is_empty());
        assert!(t["source"]["quote"].is_string());
    }
    assert_eq!(
        v["summary"]["total"].as_u64().unwrap() as usize,
        threats.len()
    );
}

#[test]
fn text_output_groups_by_element_and_fail_on_sets_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let file = native(dir.path());
    let f = file.to_str().unwrap();
    let out = run(&["analyze", f]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("process \"Orders API\""), "{text}");
    assert!(
        text.contains("flow \"place order\" (Shopper -> Orders API)"),
        "{text}"
    );
    assert!(text.contains("BASE-PROC-S-01"), "{text}");
    // Each threat's key, as `triage` takes it.
    assert!(text.contains("key: BASE-PROC-S-01@"), "{text}");
    assert_eq!(
        run(&["analyze", "--fail-on", "low", f]).status.code(),
        Some(1)
    );
    assert_eq!(
        run(&["analyze", "--fail-on", "critical", f]).status.code(),
        Some(0)
    );
}

#[test]
fn a_typo_in_a_rule_pack_is_reported_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let model = native(dir.path());
    let pack = write(
        dir.path(),
        "pack.toml",
        "[[threat]]\nid = \"ACME-01\"\nstride = \"spoofing\"\napplies_to = \"process\"\nwhen = \"not element.authenticate_callers\"\ntitle = \"{element}\"\nmitigations = [\"MIT-ENCRYPTION\"]\nsource = { section = \"s\", quote = \"q\" }\n",
    );
    let out = run(&[
        "analyze",
        "--catalog",
        pack.to_str().unwrap(),
        model.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("pack.toml:5:21:"), "{err}");
    assert!(
        err.contains("did you mean 'authenticates_callers'"),
        "{err}"
    );
}

#[test]
fn a_rule_pack_adds_threats_and_needs_stencils_without_the_builtin_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let model = native(dir.path());
    let pack = write(
        dir.path(),
        "pack.toml",
        r#"
[[mitigation]]
id = "MIT-ACME-REVIEW"
title = "Review orders"
source = { section = "s", quote = "q" }

[[threat]]
id = "ACME-01"
stride = "tampering"
applies_to = "process"
when = "element.name == 'Orders API'"
title = "{element} needs a review"
mitigations = ["MIT-ACME-REVIEW"]
source = { section = "s", quote = "q" }
"#,
    );
    let m = model.to_str().unwrap();
    let p = pack.to_str().unwrap();
    let out = run(&["analyze", "--format", "json", "--catalog", p, m]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = v["threats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"ACME-01") && rules.contains(&"BASE-PROC-S-01"));
    // Without the built-in catalog the pack has no stencils to check its rule against.
    let out = run(&["analyze", "--no-builtin-catalog", "--catalog", p, m]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pack.toml"));
}

#[test]
fn unreadable_and_invalid_models_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(dir.path(), "bad.json", "{ not json");
    let out = run(&["analyze", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.json"));
    let dangling = write(
        dir.path(),
        "dangling.json",
        &PYTM.replace("\"sink\": \"SQL Database\"", "\"sink\": \"Nowhere\""),
    );
    let out = run(&["analyze", dangling.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("'Nowhere'"));
}
