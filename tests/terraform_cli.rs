//! `stridewise import DIR --format terraform` and `stridewise drift` from the outside, on the
//! project's own Terraform fixture: files written, summaries, exit codes and formats.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn app() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/terraform/app")
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

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A copy of the fixture in a temporary folder (`infra/`), imported as `app.stride.json`
/// beside it: (the folder, the Terraform, its variable file).
fn imported_copy() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let tf = dir.path().join("infra");
    copy_dir(&app(), &tf);
    let vars = tf.join("prod.tfvars");
    let out = stridewise(
        &[
            "import",
            tf.to_str().unwrap(),
            "--format",
            "terraform",
            "--var-file",
            vars.to_str().unwrap(),
            "-o",
            "app.stride.json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    (dir, tf, vars)
}

#[test]
fn import_writes_a_valid_model_and_says_what_went_in() {
    let dir = tempfile::tempdir().unwrap();
    let src = app();
    let vars = src.join("prod.tfvars");
    let out = stridewise(
        &[
            "import",
            src.to_str().unwrap(),
            "--format",
            "terraform",
            "--var-file",
            vars.to_str().unwrap(),
            "--service",
            "payments",
            "-o",
            "payments.stride.json",
        ],
        dir.path(),
    );
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("payments ("), "{t}");
    assert!(t.contains("13 elements, 19 flows, 10 boundaries"), "{t}");
    assert!(t.contains("supporting (counted, not drawn):"), "{t}");
    assert!(t.contains("relationships not drawn (4):"), "{t}");
    let out = stridewise(&["validate", "payments.stride.json"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let saved = std::fs::read_to_string(dir.path().join("payments.stride.json")).unwrap();
    assert!(
        saved.contains(r#""iac_address": "module.stamp[\"westeurope\"].azurerm_key_vault.main""#)
    );
}

#[test]
fn terraform_options_need_the_terraform_format_and_bad_folders_fail_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let out = stridewise(&["import", "x.json", "--var-file", "a.tfvars"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("need --format terraform"),
        "{}",
        text(&out)
    );
    let out = stridewise(&["import", ".", "--format", "terraform"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("holds no Terraform root module"),
        "{}",
        text(&out)
    );
}

#[test]
fn drift_exits_1_with_the_threat_a_change_opens_and_0_without_drift() {
    let (dir, tf, vars) = imported_copy();
    let (tf_s, vars_s) = (tf.to_str().unwrap(), vars.to_str().unwrap());
    let drift = |format: &str| {
        stridewise(
            &[
                "drift",
                "app.stride.json",
                "--terraform",
                tf_s,
                "--var-file",
                vars_s,
                "--format",
                format,
            ],
            dir.path(),
        )
    };
    let out = drift("text");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("no drift"), "{}", text(&out));

    let prod = std::fs::read_to_string(&vars).unwrap();
    std::fs::write(
        &vars,
        prod.replace("cosmos_public = false", "cosmos_public = true"),
    )
    .unwrap();
    let out = drift("text");
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("public_network_access is false in the model, true in the code"),
        "{t}"
    );
    assert!(t.contains("opens"), "{t}");
    let out = drift("json");
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["items"][0]["property"], "public_network_access");
    let out = drift("sarif");
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "DRIFT-PROPERTY");
}

#[test]
fn check_fails_on_drift_when_asked_and_says_why() {
    let (dir, tf, vars) = imported_copy();
    let (tf_s, vars_s) = (tf.to_str().unwrap(), vars.to_str().unwrap());
    let check = |fail_on: &str, terraform: bool| {
        let mut args = vec!["check", "app.stride.json", "--fail-on", fail_on];
        if terraform {
            args.extend_from_slice(&["--terraform", tf_s, "--var-file", vars_s]);
        }
        stridewise(&args, dir.path())
    };
    let out = check("drift", true);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("passed: no drift from the Terraform"), "{t}");

    let prod = std::fs::read_to_string(&vars).unwrap();
    std::fs::write(
        &vars,
        prod.replace("cosmos_public = false", "cosmos_public = true"),
    )
    .unwrap();
    let out = check("critical,drift", true);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("public_network_access is false in the model, true in the code"),
        "{t}"
    );
    assert!(t.contains("failed: "), "{t}");
    assert!(
        t.contains("1 of 1 models drifted from the Terraform"),
        "{t}"
    );
    // Drift is only a gate when asked for; a severity alone does not import the Terraform.
    let out = check("critical", false);
    assert!(!text(&out).contains("drift"), "{}", text(&out));
    // Asking for drift without the folder, or giving a folder without drift, is an error.
    let out = check("drift", false);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("--fail-on drift needs --terraform DIR"),
        "{}",
        text(&out)
    );
    let out = check("high", true);
    assert_eq!(out.status.code(), Some(2));
    let out = check("high,bogus", false);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("'bogus' is not one of"),
        "{}",
        text(&out)
    );
}

#[test]
fn import_into_a_workspace_then_reimport_with_the_base_and_gate_on_drift() {
    let dir = tempfile::tempdir().unwrap();
    let tf = dir.path().join("infra");
    copy_dir(&app(), &tf);
    let vars = tf.join("prod.tfvars");
    let (tf_s, vars_s) = (tf.to_str().unwrap(), vars.to_str().unwrap());
    let out = stridewise(&["workspace", "init", "shop.stridewise"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let import = |base: bool| {
        let mut args = vec![
            "import",
            tf_s,
            "--format",
            "terraform",
            "--var-file",
            vars_s,
            "--service",
            "payments",
            "--workspace",
            "shop.stridewise",
            "--app",
            "shop",
            "--author",
            "ci",
        ];
        if base {
            args.extend_from_slice(&["--base", "payments.import.stride.json"]);
        }
        stridewise(&args, dir.path())
    };
    let out = import(true);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("imported as revision #1"), "{t}");
    assert!(dir.path().join("payments.import.stride.json").is_file());
    // Without --base, the workspace's kept import is the ancestor: nothing changed.
    let out = import(false);
    assert!(
        text(&out).contains("unchanged at revision #1"),
        "{}",
        text(&out)
    );
    let out = import(true);
    assert!(
        text(&out).contains("unchanged at revision #1"),
        "{}",
        text(&out)
    );

    let prod = std::fs::read_to_string(&vars).unwrap();
    std::fs::write(
        &vars,
        prod.replace("cosmos_public = false", "cosmos_public = true"),
    )
    .unwrap();
    let gate = || {
        stridewise(
            &[
                "check",
                "--workspace",
                "shop.stridewise",
                "--fail-on",
                "drift",
                "--terraform",
                tf_s,
                "--var-file",
                vars_s,
            ],
            dir.path(),
        )
    };
    let out = gate();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let out = import(true);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("re-imported (merged) as revision #2"), "{t}");
    let out = gate();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn reimport_merges_into_an_edited_model_and_refreshes_the_base() {
    let dir = tempfile::tempdir().unwrap();
    let tf = dir.path().join("infra");
    copy_dir(&app(), &tf);
    let vars = tf.join("prod.tfvars");
    let (tf_s, vars_s) = (tf.to_str().unwrap(), vars.to_str().unwrap());
    let import = |extra: &[&str]| {
        let mut args = vec![
            "import",
            tf_s,
            "--format",
            "terraform",
            "--var-file",
            vars_s,
        ];
        args.extend_from_slice(extra);
        stridewise(&args, dir.path())
    };
    assert_eq!(import(&["-o", "base.stride.json"]).status.code(), Some(0));
    // People add a note to the model.
    let base = std::fs::read_to_string(dir.path().join("base.stride.json")).unwrap();
    let edited = base.replacen(
        r#""name": "pay-cosmos","#,
        "\"name\": \"pay-cosmos\",\n      \"notes\": \"Owned by the data team\",",
        1,
    );
    assert_ne!(edited, base);
    std::fs::write(dir.path().join("app.stride.json"), edited).unwrap();
    let prod = std::fs::read_to_string(&vars).unwrap();
    std::fs::write(
        &vars,
        prod.replace("cosmos_public = false", "cosmos_public = true"),
    )
    .unwrap();
    let out = import(&["--into", "app.stride.json", "--base", "base.stride.json"]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains("merged into app.stride.json (0 conflicts)"),
        "{t}"
    );
    let merged = std::fs::read_to_string(dir.path().join("app.stride.json")).unwrap();
    assert!(merged.contains("Owned by the data team"));
    let out = stridewise(
        &[
            "drift",
            "app.stride.json",
            "--terraform",
            tf_s,
            "--var-file",
            vars_s,
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let new_base = std::fs::read_to_string(dir.path().join("base.stride.json")).unwrap();
    assert_ne!(new_base, base, "the base now holds this import");
}

#[test]
fn catalog_check_checks_the_terraform_mapping_and_locates_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = stridewise(&["catalog", "check"], dir.path());
    let t = text(&out);
    assert!(
        t.contains("terraform mapping: catalog/terraform.toml:"),
        "{t}"
    );
    let builtin = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog/terraform.toml"),
    )
    .unwrap();
    let line = builtin
        .lines()
        .position(|l| l == "name = \"purge_protection\"")
        .unwrap()
        + 1;
    std::fs::write(
        dir.path().join("mine.toml"),
        builtin.replacen(
            "name = \"purge_protection\"",
            "name = \"purge_protected\"",
            1,
        ),
    )
    .unwrap();
    let out = stridewise(
        &["catalog", "check", "--terraform-mapping", "mine.toml"],
        dir.path(),
    );
    let t = text(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert!(
        t.contains(&format!("mine.toml:{line}:")) && t.contains("no property 'purge_protected'"),
        "{t}"
    );
}
