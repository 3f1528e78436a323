//! Concurrency: several processes edit the same service through export/edit/add. Saves based
//! on the same revision race; exactly one wins. A loser that checked the head before the
//! winner committed gets the conflict error naming both revisions; one that checked after is
//! merged three-way with its clash recorded. Either way nothing is silently overwritten, and
//! writers that retry lose no update.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use stridewise_core::model::{self, Element, ElementKind, ServiceModel};

fn stridewise(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stridewise"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn export(ws: &Path, out: &Path) {
    let o = stridewise(&[
        "workspace",
        "export",
        s(ws),
        "--service",
        "orders",
        "-o",
        s(out),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("race.stridewise");
    let mut m = ServiceModel::new("orders");
    m.elements.push(Element::new(ElementKind::Process, "API"));
    let file = dir.path().join("orders.stride.json");
    model::save(&m, &file).unwrap();
    assert!(stridewise(&["workspace", "init", s(&ws)]).status.success());
    let o = stridewise(&["workspace", "add", s(&ws), "--app", "shop", s(&file)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (dir, ws)
}

#[test]
fn two_processes_saving_on_the_same_base_never_overwrite_each_other() {
    let (dir, ws) = setup();
    for round in 0..4 {
        let base = dir.path().join("base.stride.json");
        export(&ws, &base);
        let mut files = Vec::new();
        for side in ["a", "b"] {
            let mut m = model::load(&base).unwrap();
            m.description = format!("round {round} side {side}");
            let f = dir.path().join(format!("{side}.stride.json"));
            model::save(&m, &f).unwrap();
            files.push(f);
        }
        let children: Vec<_> = files
            .iter()
            .map(|f| {
                Command::new(env!("CARGO_BIN_EXE_stridewise"))
                    .args(["workspace", "add", s(&ws), "--app", "shop", s(f)])
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let outputs: Vec<Output> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        let winners: Vec<usize> = (0..2)
            .filter(|&i| outputs[i].status.code() == Some(0))
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: exactly one save wins");
        let loser = &outputs[1 - winners[0]];
        let head = dir.path().join("head.stride.json");
        export(&ws, &head);
        let head = model::load(&head).unwrap();
        let winner_side = ["a", "b"][winners[0]];
        let loser_side = ["a", "b"][1 - winners[0]];
        assert_eq!(
            head.description,
            format!("round {round} side {winner_side}")
        );
        match loser.status.code() {
            Some(2) => {
                // Refused: the conflict names the base and the winner's revision.
                let err = String::from_utf8_lossy(&loser.stderr);
                assert!(err.contains("conflict"), "round {round}: {err}");
                let base_rev = model::load(&base)
                    .unwrap()
                    .lineage
                    .unwrap()
                    .revision
                    .to_string();
                assert!(err.contains(&base_rev), "{err}");
            }
            Some(1) => {
                // Merged: the clash is kept in the model with the loser's value.
                let out = String::from_utf8_lossy(&loser.stdout);
                assert!(out.contains("conflict [edit/edit] /description"), "{out}");
                let c = &head.conflicts[0];
                assert_eq!(
                    c.theirs,
                    Some(serde_json::json!(format!(
                        "round {round} side {loser_side}"
                    )))
                );
                // the next round starts from a model without the recorded conflict
                let mut clean = head.clone();
                clean.conflicts.clear();
                let f = dir.path().join("resolved.stride.json");
                model::save(&clean, &f).unwrap();
                let o = stridewise(&["workspace", "add", s(&ws), "--app", "shop", s(&f)]);
                assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            }
            other => panic!(
                "round {round}: the loser exited {other:?}: {}",
                String::from_utf8_lossy(&loser.stderr)
            ),
        }
    }
}

#[test]
fn writers_that_retry_on_conflict_lose_no_update() {
    let (dir, ws) = setup();
    let writers = 3;
    let edits = 3;
    let handles: Vec<_> = (0..writers)
        .map(|w| {
            let ws = ws.clone();
            let dir = dir.path().to_path_buf();
            std::thread::spawn(move || {
                let file = dir.join(format!("writer{w}.stride.json"));
                let mut conflicts = 0;
                for e in 0..edits {
                    loop {
                        export(&ws, &file);
                        let mut m = model::load(&file).unwrap();
                        m.elements
                            .push(Element::new(ElementKind::DataStore, format!("w{w}-e{e}")));
                        model::save(&m, &file).unwrap();
                        let o =
                            stridewise(&["workspace", "add", s(&ws), "--app", "shop", s(&file)]);
                        if o.status.success() {
                            break;
                        }
                        let err = String::from_utf8_lossy(&o.stderr);
                        assert!(err.contains("conflict"), "writer {w}: {err}");
                        conflicts += 1;
                    }
                }
                conflicts
            })
        })
        .collect();
    let _conflicts: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    let head = dir.path().join("final.stride.json");
    export(&ws, &head);
    let m = model::load(&head).unwrap();
    assert_eq!(m.elements.len(), 1 + writers * edits, "every edit is kept");
    for w in 0..writers {
        for e in 0..edits {
            let name = format!("w{w}-e{e}");
            assert!(m.elements.iter().any(|x| x.name == name), "{name} was lost");
        }
    }
    let history = stridewise(&[
        "workspace",
        "history",
        s(&ws),
        "--service",
        "orders",
        "--format",
        "json",
    ]);
    let history: serde_json::Value = serde_json::from_slice(&history.stdout).unwrap();
    assert_eq!(history.as_array().unwrap().len(), 1 + writers * edits);
}
