//! Merge conflicts recorded in a model stay visible outside the app until someone decides them
//! (issue 17): `validate` warns, `check` fails unless `--allow-conflicts`, `analyze`, the report
//! and `workspace list` show them, and `stridewise resolve` lists and decides them one by one,
//! in a file or in a workspace.

mod common;

use std::path::{Path, PathBuf};

use common::{ok, s, stridewise};
use stridewise_core::model::{self, Element, ElementKind, ServiceModel};

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A model merged by `stridewise merge` where both sides renamed the same element and set its
/// notes differently: two conflicts, the merged model holding ours.
fn conflicted(dir: &Path) -> PathBuf {
    let mut base = ServiceModel::new("orders");
    base.elements
        .push(Element::new(ElementKind::Process, "Orders API"));
    let mut ours = base.clone();
    ours.elements[0].name = "Order service".into();
    ours.elements[0].notes = "ours".into();
    let mut theirs = base.clone();
    theirs.elements[0].name = "Checkout API".into();
    theirs.elements[0].notes = "theirs".into();
    let paths = ["base", "ours", "theirs"].map(|n| dir.join(format!("{n}.stride.json")));
    for (m, p) in [base, ours, theirs].iter().zip(&paths) {
        model::save(m, p).unwrap();
    }
    let merged = dir.join("merged.stride.json");
    let out = stridewise(&[
        "merge",
        s(&paths[0]),
        s(&paths[1]),
        s(&paths[2]),
        "-o",
        s(&merged),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(model::load(&merged).unwrap().conflicts.len(), 2);
    merged
}

#[test]
fn validate_warns_check_fails_and_analyze_and_the_report_show_unresolved_conflicts() {
    let dir = tempfile::tempdir().unwrap();
    let merged = conflicted(dir.path());

    let out = ok(&["validate", s(&merged)]);
    assert!(out.contains("0 errors, 2 warnings"), "{out}");
    assert!(
        out.contains(
            "warning[unresolved-conflict] /conflicts/0: merge conflict 1 of 2 is unresolved"
        ),
        "{out}"
    );

    let strict = stridewise(&["check", s(&merged), "--fail-on", "critical"]);
    assert_eq!(strict.status.code(), Some(1), "{}", text(&strict));
    assert!(
        text(&strict).contains("'orders' has 2 unresolved merge conflicts"),
        "{}",
        text(&strict)
    );
    assert!(text(&strict).contains("failed:"), "{}", text(&strict));
    let allowed = stridewise(&[
        "check",
        s(&merged),
        "--fail-on",
        "critical",
        "--allow-conflicts",
    ]);
    assert_eq!(allowed.status.code(), Some(0), "{}", text(&allowed));
    assert!(
        text(&allowed).contains("2 unresolved merge conflicts (allowed)"),
        "{}",
        text(&allowed)
    );

    let analyzed = ok(&["analyze", s(&merged)]);
    assert!(
        analyzed.contains("2 unresolved merge conflicts: the threats use the merged values"),
        "{analyzed}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok(&["analyze", "--format", "json", s(&merged)])).unwrap();
    assert_eq!(json["conflicts"][0]["model"], "orders");
    assert_eq!(
        json["conflicts"][0]["unresolved"].as_array().unwrap().len(),
        2
    );

    let html = dir.path().join("report.html");
    ok(&["report", s(&merged), "-o", s(&html)]);
    let html = std::fs::read_to_string(html).unwrap();
    assert!(
        html.contains("2 unresolved merge conflicts."),
        "the report names them"
    );
}

#[test]
fn resolve_lists_the_conflicts_with_both_sides_and_decides_them_one_by_one() {
    let dir = tempfile::tempdir().unwrap();
    let merged = conflicted(dir.path());

    let listed = stridewise(&["resolve", s(&merged)]);
    assert_eq!(listed.status.code(), Some(1), "{}", text(&listed));
    let listing = text(&listed);
    assert!(
        listing.contains("2 unresolved merge conflicts"),
        "{listing}"
    );
    // Each side says where it came from: the merge recorded the files.
    let ours_file = dir.path().join("ours.stride.json");
    let theirs_file = dir.path().join("theirs.stride.json");
    assert!(
        listing.contains(&format!(
            "yours:  \"Order service\" (from file {})",
            ours_file.display()
        )),
        "{listing}"
    );
    assert!(
        listing.contains(&format!(
            "theirs: \"Checkout API\" (from file {})",
            theirs_file.display()
        )),
        "{listing}"
    );

    // Several conflicts: which one must be said.
    let unnamed = stridewise(&["resolve", s(&merged), "--take", "theirs"]);
    assert_eq!(unnamed.status.code(), Some(2), "{}", text(&unnamed));
    assert!(
        text(&unnamed).contains("name one with --conflict N"),
        "{}",
        text(&unnamed)
    );
    let missing = stridewise(&["resolve", s(&merged), "--conflict", "5", "--take", "yours"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        text(&missing).contains("the model has no conflict 5 (it has 2)"),
        "{}",
        text(&missing)
    );
    let not_json = stridewise(&[
        "resolve",
        s(&merged),
        "--conflict",
        "1",
        "--value",
        "Checkout",
    ]);
    assert_eq!(not_json.status.code(), Some(2));
    assert!(
        text(&not_json).contains("is not JSON"),
        "{}",
        text(&not_json)
    );

    // The name conflict by taking theirs, then the notes with a value of one's own.
    let listed = stridewise(&["resolve", "--format", "json", s(&merged)]);
    assert_eq!(listed.status.code(), Some(1), "{}", text(&listed));
    let json: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(json["conflicts"][0]["number"], 1);
    let rows = json["conflicts"].as_array().unwrap();
    let number_of = |field: &str| {
        rows.iter()
            .find(|r| r["path"].as_str().unwrap().ends_with(field))
            .unwrap()["number"]
            .to_string()
    };
    let name = number_of("/name");
    let first = stridewise(&[
        "resolve",
        s(&merged),
        "--conflict",
        &name,
        "--take",
        "theirs",
    ]);
    assert_eq!(
        first.status.code(),
        Some(1),
        "one is left: {}",
        text(&first)
    );
    assert!(
        text(&first).contains("resolved; 1 left"),
        "{}",
        text(&first)
    );
    let m = model::load(&merged).unwrap();
    assert_eq!(m.elements[0].name, "Checkout API");
    assert_eq!(m.conflicts.len(), 1);

    let last = stridewise(&["resolve", s(&merged), "--value", "\"both reviewed\""]);
    assert_eq!(last.status.code(), Some(0), "{}", text(&last));
    let m = model::load(&merged).unwrap();
    assert_eq!(m.elements[0].notes, "both reviewed");
    assert!(m.conflicts.is_empty());
    assert!(ok(&["validate", s(&merged)]).contains("0 errors, 0 warnings"));
    ok(&["check", s(&merged), "--fail-on", "critical"]);
}

#[test]
fn a_workspace_lists_a_services_conflicts_and_resolve_saves_the_decision_as_a_revision() {
    let dir = tempfile::tempdir().unwrap();
    let merged = conflicted(dir.path());
    let ws = dir.path().join("shop.stridewise");
    ok(&["workspace", "init", s(&ws)]);
    ok(&["workspace", "add", s(&ws), "--app", "shop", s(&merged)]);

    let list = ok(&["workspace", "list", s(&ws)]);
    assert!(list.contains("2 unresolved merge conflicts"), "{list}");
    let json: serde_json::Value =
        serde_json::from_str(&ok(&["workspace", "list", s(&ws), "--format", "json"])).unwrap();
    assert_eq!(json["models"][0]["conflicts"], 2);

    for _ in 0..2 {
        let out = stridewise(&[
            "resolve",
            "--workspace",
            s(&ws),
            "--service",
            "orders",
            "--conflict",
            "1",
            "--take",
            "yours",
        ]);
        assert!(out.status.code() != Some(2), "{}", text(&out));
        assert!(
            text(&out).contains("resolved as revision"),
            "{}",
            text(&out)
        );
    }
    let list = ok(&["workspace", "list", s(&ws)]);
    assert!(!list.contains("unresolved"), "{list}");
    assert!(list.contains("3 revision(s)"), "{list}");
    let history = ok(&["workspace", "history", s(&ws), "--service", "orders"]);
    assert!(history.contains("resolved merge conflict 1"), "{history}");
    let head = dir.path().join("head.stride.json");
    ok(&[
        "workspace",
        "export",
        s(&ws),
        "--service",
        "orders",
        "-o",
        s(&head),
    ]);
    let m = model::load(&head).unwrap();
    assert_eq!(
        (m.elements[0].name.as_str(), m.elements[0].notes.as_str()),
        ("Order service", "ours")
    );
}

#[test]
fn a_workspace_merge_names_the_head_revision_and_its_author_and_the_file_added() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("shop.stridewise");
    ok(&["workspace", "init", s(&ws)]);
    let mut first = ServiceModel::new("orders");
    first
        .elements
        .push(Element::new(ElementKind::Process, "Orders API"));
    let file = |name: &str, element: &str| {
        let mut m = first.clone();
        m.elements[0].name = element.into();
        let p = dir.path().join(name);
        model::save(&m, &p).unwrap();
        p
    };
    let add = |p: &Path, who: &str| {
        ok(&[
            "workspace",
            "add",
            s(&ws),
            "--app",
            "shop",
            s(p),
            "--author",
            who,
        ])
    };
    add(&file("first.stride.json", "Orders API"), "carol");
    // Alice exports the first revision and renames the element; Bob's rename lands first, so
    // hers is merged into it.
    let alice = dir.path().join("alice.stride.json");
    ok(&[
        "workspace",
        "export",
        s(&ws),
        "--service",
        "orders",
        "-o",
        s(&alice),
    ]);
    add(&file("bob.stride.json", "Order service"), "bob");
    let mut exported = model::load(&alice).unwrap();
    exported.elements[0].name = "Checkout API".into();
    model::save(&exported, &alice).unwrap();
    let out = stridewise(&[
        "workspace",
        "add",
        s(&ws),
        "--app",
        "shop",
        s(&alice),
        "--author",
        "alice",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));

    let listing = text(&stridewise(&[
        "resolve",
        "--workspace",
        s(&ws),
        "--service",
        "orders",
    ]));
    assert!(
        listing.contains("yours:  \"Order service\" (from revision #2 by bob)"),
        "{listing}"
    );
    assert!(
        listing.contains(&format!(
            "theirs: \"Checkout API\" (from file {} (added by alice))",
            alice.display()
        )),
        "{listing}"
    );
}
