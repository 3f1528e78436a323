//! The merge driver inside a real `git merge`: a repository in a temporary directory, a model
//! committed, edited on two branches, merged with the driver switched on as docs/merge.md says.

use std::path::Path;
use std::process::{Command, Output};

use stridewise_core::model::{
    self, DataFlow, Element, ElementKind, PropertyValue, ServiceModel, StencilSet,
};

const FILE: &str = "orders.stride.json";

fn git(dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        // Keep the user's and the system's git configuration out of the test.
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", dir.join(".no-global-config"))
        .env("HOME", dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .expect("git runs")
}

fn git_ok(dir: &Path, args: &[&str]) {
    let out = git(dir, args);
    assert!(
        out.status.success(),
        "git {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A repository with the driver switched on and a committed model; returns the model.
fn repository(dir: &Path) -> ServiceModel {
    git_ok(dir, &["init", "-q", "-b", "main"]);
    git_ok(dir, &["config", "user.name", "Test"]);
    git_ok(dir, &["config", "user.email", "test@example.invalid"]);
    git_ok(
        dir,
        &["config", "merge.stridewise.name", "Stridewise model merge"],
    );
    let driver = format!(
        "\"{}\" merge-driver %O %A %B %P",
        env!("CARGO_BIN_EXE_stridewise")
    );
    git_ok(dir, &["config", "merge.stridewise.driver", &driver]);
    std::fs::write(
        dir.join(".gitattributes"),
        "*.stride.json merge=stridewise\n",
    )
    .unwrap();

    let mut m = ServiceModel::new("orders");
    let customer = Element::new(ElementKind::ExternalEntity, "Customer");
    let mut api = Element::new(ElementKind::Process, "Orders API");
    api.properties.insert("authenticated".into(), false.into());
    let mut db = Element::new(ElementKind::DataStore, "Orders DB");
    db.properties
        .insert("encrypted_at_rest".into(), false.into());
    m.flows
        .push(DataFlow::new("Place order", customer.id, api.id));
    m.flows.push(DataFlow::new("Store order", api.id, db.id));
    m.elements = vec![customer, api, db];
    model::save(&m, &dir.join(FILE)).unwrap();
    git_ok(dir, &["add", "."]);
    git_ok(dir, &["commit", "-q", "-m", "model"]);
    m
}

fn edit_on_branch(dir: &Path, branch: &str, from: &str, edit: impl FnOnce(&mut ServiceModel)) {
    git_ok(dir, &["checkout", "-q", "-b", branch, from]);
    let path = dir.join(FILE);
    let mut m = model::load(&path).unwrap();
    edit(&mut m);
    model::save(&m, &path).unwrap();
    git_ok(dir, &["commit", "-q", "-am", branch]);
}

fn element<'a>(m: &'a mut ServiceModel, name: &str) -> &'a mut Element {
    m.elements.iter_mut().find(|e| e.name == name).unwrap()
}

#[test]
fn disjoint_edits_merge_cleanly_even_on_neighbouring_lines() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    repository(dir);
    // Both sides edit the same element on neighbouring lines (`name` and `stencil`), where
    // git's line-based merge would clash; field by field, the edits are disjoint.
    edit_on_branch(dir, "ours", "main", |m| {
        element(m, "Orders DB").name = "Orders database".into();
    });
    edit_on_branch(dir, "theirs", "main", |m| {
        let db = element(m, "Orders DB");
        db.stencil = "azure.sql_database".into();
        db.properties
            .insert("encrypted_at_rest".into(), true.into());
        let api = element(m, "Orders API");
        api.properties.insert("authenticated".into(), true.into());
        m.flows.retain(|f| f.name != "Place order");
    });
    git_ok(dir, &["checkout", "-q", "ours"]);
    let out = git(dir, &["merge", "--no-edit", "theirs"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    let mut merged = model::load(&dir.join(FILE)).unwrap();
    let db = element(&mut merged, "Orders database").clone();
    assert_eq!(db.stencil.as_str(), "azure.sql_database");
    assert_eq!(
        db.properties["encrypted_at_rest"],
        PropertyValue::Bool(true)
    );
    assert_eq!(
        element(&mut merged, "Orders API").properties["authenticated"],
        PropertyValue::Bool(true)
    );
    assert_eq!(merged.flows.len(), 1);
    assert!(merged.conflicts.is_empty());
    // The driver writes canonical text, so the merge commit diffs cleanly later.
    let text = std::fs::read_to_string(dir.join(FILE)).unwrap();
    assert_eq!(text, model::to_canonical_json(&merged));
}

#[test]
fn clashing_edits_leave_a_conflicted_but_valid_file_with_the_conflicts_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    repository(dir);
    edit_on_branch(dir, "ours", "main", |m| {
        element(m, "Orders API").name = "Order service".into();
        element(m, "Customer").notes = "from ours".into();
    });
    edit_on_branch(dir, "theirs", "main", |m| {
        element(m, "Orders API").name = "Checkout API".into();
        element(m, "Orders DB").notes = "from theirs".into();
    });
    git_ok(dir, &["checkout", "-q", "ours"]);
    let out = git(dir, &["merge", "--no-edit", "theirs"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("CONFLICT"), "{stdout}");
    assert!(stderr.contains("1 conflict(s)"), "{stderr}");

    // No conflict markers: the file is still a model, with the clash recorded and the rest
    // of both sides merged.
    let text = std::fs::read_to_string(dir.join(FILE)).unwrap();
    assert!(!text.contains("<<<<<<<"));
    let mut merged = model::load(&dir.join(FILE)).unwrap();
    assert_eq!(merged.conflicts.len(), 1);
    let c = &merged.conflicts[0];
    assert_eq!(c.kind, "edit/edit");
    assert!(c.path.ends_with("/name"), "{}", c.path);
    assert_eq!(c.ours, Some("Order service".into()));
    assert_eq!(c.theirs, Some("Checkout API".into()));
    assert_eq!(element(&mut merged, "Customer").notes, "from ours");
    assert_eq!(element(&mut merged, "Orders DB").notes, "from theirs");
    assert!(
        model::validate(&merged, &StencilSet::default())
            .iter()
            .all(|d| !d.is_error())
    );

    // git marks the path conflicted until someone decides and adds it.
    let status = git(dir, &["status", "--porcelain"]);
    assert!(
        String::from_utf8_lossy(&status.stdout).contains(&format!("UU {FILE}")),
        "{}",
        String::from_utf8_lossy(&status.stdout)
    );
}
