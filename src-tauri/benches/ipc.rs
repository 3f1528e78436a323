//! Benchmark (not a test): the threats panel's re-analysis as the real app does it, through
//! IPC. The app runs under tauri-driver on a workspace holding one 200-element service
//! (`bench/synth_services.py 1 200`, path in `STRIDEWISE_BENCH_MODEL`); inside the webview, the
//! page calls the `analyze` command with that model 31 times (the model has a layout, so the page is idle) and times each round trip:
//! serialising the model, the analysis with the service's decisions in Rust, serialising the
//! result, and parsing it in the webview. Run with `bash bench/desktop.sh`; figures go in
//! docs/PERFORMANCE.md, "Desktop".

#[path = "../tests/driver/mod.rs"]
mod driver;

use std::time::Duration;

use driver::*;
use fantoccini::Locator;

const RUNS: usize = 31;

#[tokio::main]
async fn main() {
    let path = std::env::var("STRIDEWISE_BENCH_MODEL")
        .expect("STRIDEWISE_BENCH_MODEL: a model file (bench/desktop.sh makes one)");
    let dir = tempfile::tempdir().unwrap();
    let ws_path = dir.path().join("bench.stridewise");
    let model_path = std::path::PathBuf::from(&path);
    let setup = ws_path.clone();
    let model = std::thread::spawn(move || {
        use stridewise_core::store::{Save, Workspace};
        let mut m = stridewise_core::model::load(&model_path).unwrap();
        // With positions, so the app does not lay the diagram out while the timing runs.
        m.layout = stridewise_core::layout::resolved_layout(&m);
        let ws = Workspace::create(&setup).unwrap();
        ws.save(Save {
            application: "bench",
            model: &m,
            expected_head: None,
            merge_parent: None,
            author: "bench",
            message: "bench",
        })
        .unwrap();
        m
    })
    .join()
    .unwrap();

    let (display, _xvfb) = display();
    let d = driver(&display, dir.path());
    let c = session(&d.url, &app_caps(&ws_path)).await;
    c.wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::Css("[data-testid=service]"))
        .await
        .expect("the app shows the workspace");
    let script = r#"
        const [model, service, runs, done] = arguments;
        const invoke = window.__TAURI_INTERNALS__.invoke;
        (async () => {
            const times = [];
            let threats = 0;
            for (let i = 0; i < runs + 1; i++) {
                const t = performance.now();
                const r = await invoke("analyze", { model, service });
                if (i > 0) times.push(performance.now() - t); // the first warms up
                threats = r.analysis.threats.length;
            }
            const vtimes = [];
            for (let i = 0; i < runs; i++) {
                const t = performance.now();
                await invoke("validate", { model });
                vtimes.push(performance.now() - t);
            }
            const ptimes = [];
            const r = await invoke("analyze", { model, service });
            const text = JSON.stringify(r);
            for (let i = 0; i < runs; i++) {
                const t = performance.now();
                JSON.parse(text);
                ptimes.push(performance.now() - t);
            }
            done({ times, threats, vtimes, ptimes, bytes: text.length });
        })().catch((e) => done({ error: String(e && e.message || e) }));
    "#;
    let out = c
        .execute_async(
            script,
            vec![
                serde_json::to_value(&model).unwrap(),
                model.id.to_string().into(),
                RUNS.into(),
            ],
        )
        .await
        .expect("the page ran the benchmark");
    let _ = c.close().await;
    println!(
        "validate: {:?}\nJSON.parse of the result: {:?} ({} bytes)",
        out["vtimes"], out["ptimes"], out["bytes"]
    );
    if let Some(e) = out.get("error") {
        panic!("analyze failed in the webview: {e}");
    }
    let mut times: Vec<f64> = out["times"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "analyze over IPC, {} elements, {} threats: median {:.1} ms, slowest {:.1} ms ({RUNS} runs)",
        model.elements.len(),
        out["threats"],
        times[RUNS / 2],
        times[RUNS - 1]
    );
}
