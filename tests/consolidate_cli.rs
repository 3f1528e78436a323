//! `stridewise consolidate` on the sample mission-critical services: shared global resources
//! appear once, the services' mutual calls become internal flows, and the application model has
//! threats that only show across services, each with an attack path.

mod common;

use std::process::Command;

use serde_json::Value;

fn consolidate_samples(out: &std::path::Path) -> Value {
    let models = concat!(env!("CARGO_MANIFEST_DIR"), "/models");
    let output = Command::new(env!("CARGO_BIN_EXE_stridewise"))
        .arg("consolidate")
        .args(
            ["mc-global", "mc-operations", "mc-stamp"].map(|m| format!("{models}/{m}.stride.json")),
        )
        .args(["--name", "mission-critical", "--format", "json", "-o"])
        .arg(out)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn samples_consolidate_into_one_application_with_cross_service_threats() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("app.stride.json");
    let doc = consolidate_samples(&out);
    let app: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(app["kind"], "application");

    // The shared global resources appear once, with every service that draws them.
    let elements = app["elements"].as_array().unwrap();
    for key in ["mc-global-cosmos", "mc-global-acr"] {
        let shared: Vec<_> = elements.iter().filter(|e| e["shared_key"] == key).collect();
        assert_eq!(shared.len(), 1, "{key}");
        assert!(shared[0]["origins"].as_array().unwrap().len() >= 2, "{key}");
    }
    // No reference is left: calls between services are flows between real elements.
    assert!(elements.iter().all(|e| e.get("refers_to").is_none()));
    let names: std::collections::HashMap<&str, &Value> = elements
        .iter()
        .map(|e| (e["id"].as_str().unwrap(), &e["origins"]))
        .collect();
    let cross = app["flows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            let s = names[f["source"].as_str().unwrap()].as_array().unwrap();
            let t = names[f["target"].as_str().unwrap()].as_array().unwrap();
            !s.iter().any(|o| t.contains(o))
        })
        .count();
    assert!(cross > 0, "some flows join elements of different services");

    // Application-level threats, marked so, with origins, and attack paths.
    let threats = doc["threats"].as_array().unwrap();
    let app_level: Vec<_> = threats.iter().filter(|t| t["app_level"] == true).collect();
    assert!(!app_level.is_empty());
    assert!(
        app_level
            .iter()
            .all(|t| t["rule"].as_str().unwrap().starts_with("APP-"))
    );
    assert!(
        threats
            .iter()
            .all(|t| !t["origins"].as_array().unwrap().is_empty())
    );
    let paths = doc["attack_paths"].as_array().unwrap();
    let app_keys: Vec<&Value> = app_level.iter().map(|t| &t["key"]).collect();
    assert!(
        paths
            .iter()
            .any(|p| app_keys.contains(&&p["key"]) && !p["paths"].as_array().unwrap().is_empty()),
        "an application-level threat has an attack path"
    );
    assert!(
        doc["diagnostics"].as_array().unwrap().is_empty(),
        "{}",
        doc["diagnostics"]
    );
}

#[test]
fn consolidating_the_result_again_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let once = dir.path().join("once.stride.json");
    consolidate_samples(&once);
    let twice = dir.path().join("twice.stride.json");
    let status = Command::new(env!("CARGO_BIN_EXE_stridewise"))
        .arg("consolidate")
        .arg(&once)
        .args(["--name", "mission-critical", "-o"])
        .arg(&twice)
        .output()
        .unwrap();
    assert!(status.status.success());
    assert_eq!(
        std::fs::read_to_string(&once).unwrap(),
        std::fs::read_to_string(&twice).unwrap()
    );
}

#[test]
fn consolidation_in_a_workspace_is_a_revision_with_its_own_triage() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("w.stridewise");
    let ws = ws.to_str().unwrap();
    let bin = env!("CARGO_BIN_EXE_stridewise");
    let run = |args: &[&str]| {
        let out = Command::new(bin).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let models = concat!(env!("CARGO_MANIFEST_DIR"), "/models");
    run(&["workspace", "init", ws]);
    for m in ["mc-global", "mc-operations", "mc-stamp"] {
        run(&[
            "workspace",
            "add",
            ws,
            "--app",
            "mc",
            &format!("{models}/{m}.stride.json"),
        ]);
    }
    let first: Value = serde_json::from_str(&run(&[
        "consolidate",
        "--workspace",
        ws,
        "--app",
        "mc",
        "--format",
        "json",
    ]))
    .unwrap();
    let revision = first["saved_revision"].as_str().unwrap().to_string();
    assert!(run(&["workspace", "list", ws]).contains("application model mc"));
    let key = first["threats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["app_level"] == true)
        .unwrap()["key"]
        .as_str()
        .unwrap()
        .to_string();
    run(&[
        "triage",
        ws,
        &key,
        "--app",
        "mc",
        "--application-model",
        "--status",
        "mitigated",
    ]);
    let second: Value = serde_json::from_str(&run(&[
        "consolidate",
        "--workspace",
        ws,
        "--app",
        "mc",
        "--format",
        "json",
    ]))
    .unwrap();
    // Nothing changed in the services: the same revision, and the decision shows.
    assert_eq!(second["saved_revision"].as_str(), Some(revision.as_str()));
    let t = second["threats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == key.as_str())
        .unwrap();
    assert_eq!(t["status"], "mitigated");
}

/// Issue 15: `consolidate FILES` and `consolidate --workspace` are one use case. The same
/// services give the same application threats at the same severities, and a property the
/// services dispute is settled the same way (the riskier value, from the catalog's risk order)
/// with the same diagnostic, whichever way the user asks.
#[test]
fn files_and_workspace_consolidate_the_same_services_the_same_way() {
    use common::{ok, s};
    let dir = tempfile::tempdir().unwrap();
    let models = concat!(env!("CARGO_MANIFEST_DIR"), "/models");
    // The stamp opens the shared Cosmos DB to the public network; the global service does not.
    let mut files = Vec::new();
    for name in ["mc-global", "mc-stamp"] {
        let mut model: Value = serde_json::from_str(
            &std::fs::read_to_string(format!("{models}/{name}.stride.json")).unwrap(),
        )
        .unwrap();
        if name == "mc-stamp" {
            let cosmos = model["elements"]
                .as_array_mut()
                .unwrap()
                .iter_mut()
                .find(|e| e["shared_key"] == "mc-global-cosmos")
                .unwrap();
            cosmos["properties"]["public_network_access"] = Value::Bool(true);
        }
        let path = dir.path().join(format!("{name}.stride.json"));
        std::fs::write(&path, serde_json::to_string_pretty(&model).unwrap()).unwrap();
        files.push(path);
    }
    let ws = dir.path().join("w.stridewise");
    ok(&["workspace", "init", s(&ws)]);
    for f in &files {
        ok(&["workspace", "add", s(&ws), s(f), "--app", "mc"]);
    }

    let summary = |doc: &Value| {
        let mut threats: Vec<(String, String)> = doc["threats"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["key"].as_str().unwrap().to_owned(),
                    t["severity"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        threats.sort();
        let diagnostics: Vec<String> = doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["message"].as_str().unwrap().to_owned())
            .collect();
        (threats, diagnostics)
    };
    let from_files: Value = serde_json::from_str(&ok(&[
        "consolidate",
        s(&files[0]),
        s(&files[1]),
        "--name",
        "mc",
        "--format",
        "json",
    ]))
    .unwrap();
    let from_workspace: Value = serde_json::from_str(&ok(&[
        "consolidate",
        "--workspace",
        s(&ws),
        "--app",
        "mc",
        "--format",
        "json",
    ]))
    .unwrap();
    let (threats, diagnostics) = summary(&from_files);
    assert!(!threats.is_empty());
    assert_eq!(summary(&from_workspace), (threats, diagnostics.clone()));
    // The dispute is reported once and settled on the riskier value.
    let disputes: Vec<&String> = diagnostics
        .iter()
        .filter(|m| m.contains("public_network_access"))
        .collect();
    assert_eq!(disputes.len(), 1, "{diagnostics:?}");
    assert!(
        disputes[0].contains("takes true, the less secure value"),
        "{}",
        disputes[0]
    );
}
