//! `stridewise catalog check` and `stridewise catalog docs` end to end.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stridewise"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn builtin_catalog_checks_clean_without_a_document() {
    let out = run(&["catalog", "check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("rules per STRIDE category"), "{text}");
    assert!(text.contains("0 problems"), "{text}");
}

#[test]
fn quotes_missing_from_the_document_and_unquoted_bullets_fail_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let doc = write(
        dir.path(),
        "doc.txt",
        "Network intrusion protection\n\nDesign recommendations\n\n  • Use a moat.\n",
    );
    let out = run(&["catalog", "check", "--source", doc.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("quotes text not in the document"), "{text}");
    assert!(
        text.contains("names a section the document does not have"),
        "{text}"
    );
    assert!(
        text.contains(
            "line 5 (Network intrusion protection / Design recommendations): Use a moat."
        ),
        "{text}"
    );
}

#[test]
fn a_failing_example_in_a_pack_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let pack = write(
        dir.path(),
        "pack.toml",
        r#"
[[threat]]
id = "ACME-01"
stride = "tampering"
applies_to = "process"
when = "not element.validates_input"
title = "{element}"
mitigations = ["MIT-INPUT-VALIDATION"]
source = { section = "s", quote = "q" }

[[threat.example]]
fires = true
elements = [{ id = "api", kind = "process", properties = { validates_input = true } }]

[[threat.example]]
fires = false
elements = [{ id = "api", kind = "process", properties = { validates_input = true } }]
"#,
    );
    let out = run(&[
        "catalog",
        "check",
        "--format",
        "json",
        pack.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let failures = v["example_failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0]["rule"], "ACME-01");
    assert_eq!(failures[0]["line"], 11); // the [[threat.example]] header
}

#[test]
fn docs_catalog_md_is_up_to_date() {
    let out = run(&["catalog", "docs", "--check"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "docs/catalog.md is stale: run `stridewise catalog docs` ({})",
        String::from_utf8_lossy(&out.stdout)
    );
}
