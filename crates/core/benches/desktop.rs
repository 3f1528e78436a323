//! Benchmark (not a test): what the desktop app does on a 200-element service, per edit and
//! per autosave. The model is `bench/synth_services.py 1 200` (path in `STRIDEWISE_BENCH_MODEL`),
//! stored in a fresh workspace with a triage decision on a tenth of its threats.
//!
//! Per edit, debounced, the app validates the model and analyses it with the service's
//! decisions, then sends the result over IPC as JSON: the three are timed apart and together.
//! Per autosave it saves a revision and records which threats fire. Run with
//! `bash bench/desktop.sh`; the figures go in docs/PERFORMANCE.md, "Desktop".

use std::hint::black_box;
use std::time::{Duration, Instant};

use stridewise_core::analysis;
use stridewise_core::catalog::{self, Catalog};
use stridewise_core::model::{self, Element, ElementKind, TriageStatus};
use stridewise_core::store::{Save, Scope, TriageUpdate, Workspace};

const RUNS: usize = 31;

fn time(label: &str, mut f: impl FnMut()) -> Duration {
    f(); // warm up
    let mut runs: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    runs.sort();
    let median = runs[RUNS / 2];
    println!(
        "{label:<44} median {:>7.2} ms   slowest {:>7.2} ms   ({RUNS} runs)",
        median.as_secs_f64() * 1e3,
        runs[RUNS - 1].as_secs_f64() * 1e3
    );
    median
}

fn main() {
    let path = std::env::var("STRIDEWISE_BENCH_MODEL")
        .expect("STRIDEWISE_BENCH_MODEL: a model file (bench/desktop.sh makes one)");
    let mut m = model::load(std::path::Path::new(&path)).expect("the benchmark model loads");
    let catalog = Catalog::builtin();
    let stencils = catalog::builtin_stencils();
    let dir = std::env::temp_dir().join(format!("stridewise-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ws = Workspace::create(&dir.join("bench.stridewise")).unwrap();
    let mut head = ws
        .save(Save {
            application: "bench",
            model: &m,
            expected_head: None,
            merge_parent: None,
            author: "bench",
            message: "bench",
        })
        .unwrap()
        .revision()
        .id;
    let scope = Scope::Service(m.id);
    let first = analysis::analyze(&m, catalog);
    for t in first.threats.iter().step_by(10) {
        let update = TriageUpdate {
            status: Some(TriageStatus::Accepted),
            justification: Some("benchmark".into()),
            ..Default::default()
        };
        ws.decide(scope, &t.key, &update, "bench", None).unwrap();
    }
    println!(
        "model: {} elements, {} flows, {} boundaries; {} threats, {} decisions",
        m.elements.len(),
        m.flows.len(),
        m.boundaries.len(),
        first.threats.len(),
        first.threats.len().div_ceil(10)
    );

    let validate = time("validate", || {
        black_box(model::validate(&m, stencils));
    });
    let analyse = time("analyse + the service's decisions", || {
        let mut a = analysis::analyze(&m, catalog);
        let decisions = ws.triage(scope).unwrap();
        analysis::apply_triage(&mut a, &decisions);
        black_box(a);
    });
    let mut a = analysis::analyze(&m, catalog);
    analysis::apply_triage(&mut a, &ws.triage(scope).unwrap());
    let bytes = serde_json::to_string(&a).unwrap().len();
    let serialise = time(&format!("serialise for IPC ({} kB)", bytes / 1000), || {
        black_box(serde_json::to_string(&a).unwrap());
    });
    println!(
        "{:<44} median {:>7.2} ms   (sum of the medians above)",
        "per edit",
        (validate + analyse + serialise).as_secs_f64() * 1e3
    );

    let mut n = 0;
    time("autosave: save a revision + record threats", || {
        n += 1;
        m.elements
            .push(Element::new(ElementKind::Process, format!("added {n}")));
        head = ws
            .save(Save {
                application: "bench",
                model: &m,
                expected_head: Some(head),
                merge_parent: None,
                author: "bench",
                message: "bench",
            })
            .unwrap()
            .revision()
            .id;
        stridewise_core::app::workspace::record_threats(&ws, &m, catalog, "bench").unwrap();
    });
    drop(ws);
    let _ = std::fs::remove_dir_all(&dir);
}
