//! `stridewise import` and `stridewise export` from the outside: files written, summaries
//! printed, exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The project's own fixtures (the corpus tier runs the same on third-party files).
fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/interop")
        .join(rel)
}

fn stridewise(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stridewise"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn import_writes_a_model_and_prints_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let src = fixture("threat-dragon/clinic.json");
    let src = src.to_str().unwrap();
    let out = stridewise(&["import", src, "-o", "demo.stride.json"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("3 elements, 2 flows, 2 boundaries, 5 threats"),
        "{t}"
    );
    assert!(t.contains("not mapped (1)"), "{t}");
    assert!(t.contains("text block"), "{t}");
    let first = std::fs::read(dir.path().join("demo.stride.json")).unwrap();

    let out = stridewise(&["validate", "demo.stride.json"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    let out = stridewise(&["import", src, "-o", "demo.stride.json"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let second = std::fs::read(dir.path().join("demo.stride.json")).unwrap();
    assert_eq!(first, second, "importing twice gives identical output");
}

#[test]
fn several_diagrams_get_one_file_each() {
    let dir = tempfile::tempdir().unwrap();
    let doc = r#"{"summary": {"title": "Shop"}, "detail": {"diagrams": [
        {"id": 0, "title": "Checkout", "cells": [{"shape": "process", "id": "p", "data": {"name": "API"}}]},
        {"id": 1, "title": "Admin", "cells": [{"shape": "actor", "id": "a", "data": {"name": "Admin"}}]}
    ]}}"#;
    std::fs::write(dir.path().join("shop.json"), doc).unwrap();
    let out = stridewise(
        &["import", "shop.json", "-o", "shop.stride.json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        dir.path().join("shop-shop-checkout.stride.json").exists(),
        "{}",
        text(&out)
    );
    assert!(dir.path().join("shop-shop-admin.stride.json").exists());

    let out = stridewise(&["import", "shop.json", "-o", "models/"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        dir.path().join("models/shop-checkout.stride.json").exists(),
        "{}",
        text(&out)
    );
    assert!(dir.path().join("models/shop-admin.stride.json").exists());
}

#[test]
fn bad_input_exits_2_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let src = fixture("threat-dragon/missing-detail.json");
    let out = stridewise(&["import", src.to_str().unwrap()], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("'detail' is missing"), "{}", text(&out));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn export_writes_threat_dragon_and_otm() {
    let dir = tempfile::tempdir().unwrap();
    let src = fixture("tmt/clinic.tm7");
    let out = stridewise(
        &[
            "import",
            src.to_str().unwrap(),
            "--format",
            "tmt",
            "-o",
            "m.stride.json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    let out = stridewise(
        &[
            "export",
            "m.stride.json",
            "--format",
            "threat-dragon",
            "-o",
            "m.td.json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let td: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("m.td.json")).unwrap()).unwrap();
    let cells = td["detail"]["diagrams"][0]["cells"].as_array().unwrap();
    let count = |shape: &str| cells.iter().filter(|c| c["shape"] == shape).count();
    assert_eq!(count("flow"), 2);
    assert_eq!(count("trust-boundary-box"), 2);
    assert_eq!(
        (count("actor"), count("process"), count("store")),
        (1, 1, 1)
    );
    let threats: usize = cells
        .iter()
        .map(|c| c["data"]["threats"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(threats, 3);

    let out = stridewise(&["export", "m.stride.json", "--format", "otm"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let otm: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(otm["otmVersion"], "0.2.0");
    assert_eq!(otm["components"].as_array().unwrap().len(), 3);
    assert_eq!(otm["dataflows"].as_array().unwrap().len(), 2);
    assert_eq!(otm["trustZones"].as_array().unwrap().len(), 2);
    assert_eq!(otm["threats"].as_array().unwrap().len(), 3);
}
