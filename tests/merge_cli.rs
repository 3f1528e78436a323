//! `stridewise diff`, `stridewise merge` and `stridewise merge-driver` as a user runs them:
//! exit codes, what they print and what they write.

use std::path::Path;
use std::process::{Command, Output};

use stridewise_core::model::{self, Element, ElementKind, ServiceModel};

fn stridewise(args: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stridewise"))
        .args(args)
        .output()
        .expect("stridewise runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Writes base, ours and theirs into `dir`, where ours and theirs rename the same element
/// differently when `clash` is set, and otherwise edit different fields.
fn three(dir: &Path, clash: bool) -> [std::path::PathBuf; 3] {
    let mut base = ServiceModel::new("orders");
    base.elements
        .push(Element::new(ElementKind::Process, "Orders API"));
    let mut ours = base.clone();
    ours.elements[0].name = "Order service".into();
    let mut theirs = base.clone();
    if clash {
        theirs.elements[0].name = "Checkout API".into();
    } else {
        theirs.elements[0].notes = "reviewed".into();
    }
    let paths = ["base", "ours", "theirs"].map(|n| dir.join(format!("{n}.stride.json")));
    for (m, p) in [base, ours, theirs].iter().zip(&paths) {
        model::save(m, p).unwrap();
    }
    paths
}

#[test]
fn diff_exits_0_for_the_same_model_and_1_with_the_changes_listed() {
    let dir = tempfile::tempdir().unwrap();
    let [base, ours, _] = three(dir.path(), false);
    let same = stridewise(&[Path::new("diff"), &base, &base]);
    assert_eq!(same.status.code(), Some(0), "{}", text(&same));
    assert!(same.stdout.is_empty());

    let out = stridewise(&[Path::new("diff"), &base, &ours]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("name: \"Orders API\" -> \"Order service\""),
        "{}",
        text(&out)
    );

    let json = stridewise(&[
        Path::new("diff"),
        Path::new("--format"),
        Path::new("json"),
        &base,
        &ours,
    ]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["elements"]["changed"][0]["fields"][0]["field"], "name");
}

#[test]
fn merge_exits_0_when_clean_and_1_with_the_conflicts_listed_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("merged.stride.json");
    let [base, ours, theirs] = three(dir.path(), false);
    let clean = stridewise(&[
        Path::new("merge"),
        &base,
        &ours,
        &theirs,
        Path::new("-o"),
        &out_path,
    ]);
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean));
    let m = model::load(&out_path).unwrap();
    assert_eq!(m.elements[0].name, "Order service");
    assert_eq!(m.elements[0].notes, "reviewed");

    let [base, ours, theirs] = three(dir.path(), true);
    let clash = stridewise(&[
        Path::new("merge"),
        &base,
        &ours,
        &theirs,
        Path::new("-o"),
        &out_path,
    ]);
    assert_eq!(clash.status.code(), Some(1), "{}", text(&clash));
    assert!(text(&clash).contains("[edit/edit]"), "{}", text(&clash));
    let m = model::load(&out_path).unwrap();
    assert_eq!(m.conflicts.len(), 1);
    assert_eq!(m.elements[0].name, "Order service");
}

#[test]
fn unreadable_input_exits_2_naming_the_file_and_the_driver_leaves_ours_alone() {
    let dir = tempfile::tempdir().unwrap();
    let [base, ours, theirs] = three(dir.path(), false);
    std::fs::write(&theirs, "{ \"schema_version\": 1, \"id\": ").unwrap();
    let before = std::fs::read(&ours).unwrap();
    let out = stridewise(&[Path::new("merge-driver"), &base, &ours, &theirs]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("theirs.stride.json"), "{}", text(&out));
    assert_eq!(std::fs::read(&ours).unwrap(), before);
}

#[test]
fn the_driver_merges_two_added_files_against_an_empty_ancestor() {
    let dir = tempfile::tempdir().unwrap();
    let [base, ours, theirs] = three(dir.path(), false);
    // Both branches added the file: git passes an empty ancestor, and two different models
    // (different ids) clash on the id.
    std::fs::write(&base, "").unwrap();
    let mut other = model::load(&theirs).unwrap();
    other.id = model::ModelId::new();
    model::save(&other, &theirs).unwrap();
    let out = stridewise(&[
        Path::new("merge-driver"),
        &base,
        &ours,
        &theirs,
        Path::new("m.stride.json"),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("m.stride.json"), "{}", text(&out));
    let m = model::load(&ours).unwrap();
    assert!(
        m.conflicts.iter().any(|c| c.path == "/id"),
        "{:?}",
        m.conflicts
    );
}

#[test]
fn merge_lists_conflicts_as_json_for_tools() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("merged.stride.json");
    let [base, ours, theirs] = three(dir.path(), true);
    let out = stridewise(&[
        Path::new("merge"),
        Path::new("--format"),
        Path::new("json"),
        &base,
        &ours,
        &theirs,
        Path::new("-o"),
        &out_path,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["clean"], false);
    assert_eq!(v["conflicts"][0]["kind"], "edit/edit");
    assert_eq!(v["conflicts"][0]["theirs"], "Checkout API");
}
