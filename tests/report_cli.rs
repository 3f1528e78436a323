//! The `report`, `export` and `check` commands end to end, over the real analysis.

use std::process::Command;

const CHECKOUT: &str = "tests/fixtures/report-checkout.stride.json";

fn stridewise(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_stridewise"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SOURCE_DATE_EPOCH", "1795923300")
        .output()
        .expect("the binary runs")
}

#[test]
fn report_writes_one_self_contained_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("r.html");
    let out_s = out.to_str().expect("utf-8 path");
    let run = stridewise(&[
        "report",
        CHECKOUT,
        "-o",
        out_s,
        "--title",
        "Checkout <review>",
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let html = std::fs::read_to_string(&out).expect("written");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("Checkout &#60;review&#62;"));
    assert!(html.contains("2026-11-29 03:35 UTC"));
    assert!(!html.to_lowercase().contains("<script"));
    // All six STRIDE categories come from the real catalog on this model.
    for letter in ["S", "T", "R", "I", "D", "E"] {
        assert!(
            html.contains(&format!("\">{letter}</span>")),
            "no {letter} badge"
        );
    }
    // Same input, same bytes.
    let again = dir.path().join("r2.html");
    stridewise(&["report", CHECKOUT, "-o", again.to_str().expect("utf-8")]);
    stridewise(&["report", CHECKOUT, "-o", out_s]);
    assert_eq!(
        std::fs::read(&out).expect("read"),
        std::fs::read(&again).expect("read")
    );
}

#[test]
fn check_exit_codes() {
    let fail = stridewise(&["check", CHECKOUT, "--fail-on", "high"]);
    assert_eq!(fail.status.code(), Some(1));
    let text = String::from_utf8_lossy(&fail.stdout);
    assert!(text.contains("failed:"), "{text}");
    assert!(text.starts_with("1 model: "), "{text}");

    let bad = stridewise(&["check", "missing.stride.json", "--fail-on", "high"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("missing.stride.json"));

    let bad_level = stridewise(&["check", CHECKOUT, "--fail-on", "severe"]);
    assert_eq!(bad_level.status.code(), Some(2));
}

#[test]
fn check_passes_once_the_threats_are_decided() {
    // Decide every threat of the fixture as accepted, in a copy of the model.
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = stridewise(&["export", CHECKOUT, "--format", "csv"]);
    let keys: Vec<String> = String::from_utf8_lossy(&csv.stdout)
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().expect("key column").to_string())
        .collect();
    assert!(!keys.is_empty());
    let mut model: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(CHECKOUT).expect("fixture")).expect("json");
    let triage: serde_json::Map<String, serde_json::Value> = keys
        .iter()
        .map(|k| {
            (
                k.clone(),
                serde_json::json!({ "status": "accepted", "justification": "test" }),
            )
        })
        .collect();
    model["triage"] = serde_json::Value::Object(triage);
    let decided = dir.path().join("decided.stride.json");
    std::fs::write(
        &decided,
        serde_json::to_string_pretty(&model).expect("json"),
    )
    .expect("write");
    let run = stridewise(&[
        "check",
        decided.to_str().expect("utf-8"),
        "--fail-on",
        "low",
    ]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
    assert!(String::from_utf8_lossy(&run.stdout).contains("passed:"));
}

#[test]
fn sarif_export_lists_the_catalog_rules() {
    let run = stridewise(&["export", CHECKOUT, "--format", "sarif"]);
    assert!(run.status.success());
    let log: serde_json::Value = serde_json::from_slice(&run.stdout).expect("json");
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert!(rules.len() > 10);
    assert!(!results.is_empty());
    for r in results {
        let i = r["ruleIndex"].as_u64().expect("index") as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
    }
}

#[test]
fn sarif_export_of_the_real_catalog_is_schema_valid() {
    let run = stridewise(&["export", CHECKOUT, "--format", "sarif"]);
    let log: serde_json::Value = serde_json::from_slice(&run.stdout).expect("json");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/sarif-schema-2.1.0.json"),
        )
        .expect("schema"),
    )
    .expect("json");
    let validator = jsonschema::validator_for(&schema).expect("compiles");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// Every sample model (and the fixture) renders a report that is self-contained and whose
/// in-page links all resolve.
#[test]
fn every_sample_model_renders_a_sound_report() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut models: Vec<String> = vec![CHECKOUT.to_string()];
    if let Ok(dir) = std::fs::read_dir(root.join("models")) {
        let mut found: Vec<String> = dir
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.to_string_lossy().ends_with(".stride.json"))
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        found.sort();
        models.extend(found);
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    for m in &models {
        let out = tmp.path().join("r.html");
        let run = stridewise(&["report", m, "-o", out.to_str().expect("utf-8")]);
        assert!(
            run.status.success(),
            "{m}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let html = std::fs::read_to_string(&out).expect("written");
        let lower = html.to_lowercase();
        assert!(!lower.contains("<script"), "{m}");
        assert!(!lower.contains("<link"), "{m}");
        assert!(!lower.contains("<img"), "{m}");
        for href in html.split("href=\"").skip(1) {
            let target = &href[..href.find('"').expect("closed")];
            assert!(target.starts_with('#'), "{m}: external link {target}");
            assert!(
                html.contains(&format!("id=\"{}\"", &target[1..])),
                "{m}: link to missing anchor {target}"
            );
        }
    }
}
