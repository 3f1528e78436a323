//! Workspace benchmark (run by `bench/store.sh`, not a test): times saving and loading one
//! large model and reports the file size against the JSON size.
//!
//! Usage: store_bench MODEL.stride.json WORKSPACE ROUNDS

use std::path::PathBuf;
use std::time::Instant;

use stridewise_core::model;
use stridewise_core::store::{Save, SaveOutcome, Workspace, stored_document};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

fn file_size(path: &std::path::Path) -> u64 {
    let mut total = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    for suffix in ["-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        total += std::fs::metadata(PathBuf::from(p))
            .map(|m| m.len())
            .unwrap_or(0);
    }
    total
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, model_path, ws_path, rounds] = args.as_slice() else {
        eprintln!("usage: store_bench MODEL.stride.json WORKSPACE ROUNDS");
        std::process::exit(2);
    };
    let rounds: usize = rounds.parse().expect("ROUNDS is a number");
    let ws_path = PathBuf::from(ws_path);
    let _ = std::fs::remove_file(&ws_path);
    let mut m = model::load(model_path.as_ref()).expect("the model loads");
    // The size of the model as a `.stride.json` file, which the file-size target is about.
    let json_bytes = model::to_canonical_json(&m).len() as u64;
    let stored_bytes = stored_document(&m).len() as u64;
    let elements = m.elements.len();

    let ws = Workspace::create(&ws_path).expect("workspace created");
    let t = Instant::now();
    let first = ws
        .save(Save {
            application: "bench",
            model: &m,
            expected_head: None,
            merge_parent: None,
            author: "bench",
            message: "first",
        })
        .expect("first save");
    let first_ms = ms(t);
    let mut head = first.revision().id;
    drop(ws);
    let size_one = file_size(&ws_path);

    let ws = Workspace::open(&ws_path).expect("workspace opens");
    let mut saves = Vec::new();
    for i in 0..rounds {
        m.description = format!("bench round {i}");
        let t = Instant::now();
        let out = ws
            .save(Save {
                application: "bench",
                model: &m,
                expected_head: Some(head),
                merge_parent: None,
                author: "bench",
                message: "round",
            })
            .expect("save");
        saves.push(ms(t));
        let SaveOutcome::Saved(r) = out else {
            panic!("a changed model must make a revision")
        };
        head = r.id;
    }
    let t = Instant::now();
    let unchanged = ws
        .save(Save {
            application: "bench",
            model: &m,
            expected_head: Some(head),
            merge_parent: None,
            author: "bench",
            message: "unchanged",
        })
        .expect("unchanged save");
    let unchanged_ms = ms(t);
    assert!(matches!(unchanged, SaveOutcome::Unchanged(_)));
    let mut loads = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let (_, loaded) = ws.load_head(m.id).expect("load").expect("a head");
        loads.push(ms(t));
        assert_eq!(loaded.elements.len(), elements);
    }
    drop(ws);
    let size_all = file_size(&ws_path);

    println!("elements={elements}");
    println!("json_bytes={json_bytes}");
    println!("stored_document_bytes={stored_bytes}");
    println!("first_save_ms={first_ms:.1}");
    println!("save_median_ms={:.1}", median(saves.clone()));
    println!(
        "save_max_ms={:.1}",
        saves.iter().cloned().fold(0.0, f64::max)
    );
    println!("unchanged_save_ms={unchanged_ms:.1}");
    println!("load_median_ms={:.1}", median(loads.clone()));
    println!(
        "load_max_ms={:.1}",
        loads.iter().cloned().fold(0.0, f64::max)
    );
    println!("file_bytes_one_revision={size_one}");
    println!(
        "file_ratio_one_revision={:.2}",
        size_one as f64 / json_bytes as f64
    );
    println!("revisions_total={}", rounds + 1);
    println!("file_bytes_all_revisions={size_all}");
    println!(
        "file_ratio_per_revision={:.2}",
        size_all as f64 / json_bytes as f64 / (rounds + 1) as f64
    );
}
