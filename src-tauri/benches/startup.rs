//! Benchmark (not a test): what a person waits for in the real app with the sample workspace,
//! the figures of docs/PERFORMANCE.md "Desktop" (issue 17). Each run starts the app under
//! tauri-driver with empty config and data folders (a first start: the app makes the sample
//! workspace and opens its first service), then, in the page:
//!
//! - cold start: from the WebDriver request that launches the app to the first service's
//!   diagram drawn with its flows and its threats counted (also given from the webview's own
//!   navigation start, which leaves out the process start and the WebDriver's part);
//! - opening another service (mc-operations) from the sidebar, to its diagram and threats;
//! - one edit (everything selected, then deleted with the Delete key: one undo step) to the
//!   threats updated (an analysis of the emptied model, so a light one), which includes
//!   the editor's 150 ms pause before it re-analyses (`ANALYSIS_DEBOUNCE_MS`);
//! - switching to the application view, to its diagram laid out with its flows.
//!
//! The page-side steps are timed with `performance.now()` from the click or key press to the
//! first animation frame after the DOM shows the result. Run with `bash bench/desktop-startup.sh`
//! (`STRIDEWISE_APP` names the build to time: the release build of scripts/release-build.sh).

#[path = "../tests/driver/mod.rs"]
mod driver;

use std::time::{Duration, Instant};

use driver::*;

const RUNS: usize = 5;

/// Times `action` (JS run in the page) until `ready` (a JS expression) holds, in the page.
async fn in_page(c: &fantoccini::Client, action: &str, ready: &str) -> f64 {
    let script = format!(
        r#"
        const done = arguments[0];
        const ready = () => {{ try {{ return !!({ready}); }} catch (e) {{ return false; }} }};
        const t0 = performance.now();
        {action};
        const deadline = t0 + 20000;
        const tick = () => {{
            if (ready()) requestAnimationFrame(() => done(performance.now() - t0));
            else if (performance.now() > deadline) done(document.querySelector('[data-testid=model-title]')?.textContent + ' | edges ' + document.querySelectorAll('.react-flow__edge').length + ' | threats ' + document.querySelector('[data-testid=threats-tab-count]')?.textContent);
            else setTimeout(tick, 2);
        }};
        tick();
        "#
    );
    let out = c
        .execute_async(&script, vec![])
        .await
        .expect("the page ran the step");
    out.as_f64()
        .unwrap_or_else(|| panic!("timed out: {action} did not give {ready}; the page had {out}"))
}

fn caps_without_workspace() -> serde_json::Map<String, serde_json::Value> {
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), "wry".into());
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({ "application": app_binary().display().to_string(), "args": [] }),
    );
    caps
}

const THREATS: &str = "document.querySelector('[data-testid=threats-tab-count]')?.textContent";

/// The threats tab's count as the page shows it.
async fn threats(c: &fantoccini::Client) -> String {
    let v = c
        .execute(&format!("return {THREATS}"), vec![])
        .await
        .unwrap();
    v.as_str().unwrap_or_default().to_string()
}

/// Median, fastest and slowest of `v`, in ms.
fn stats(v: &mut [f64]) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

fn summary(name: &str, mut v: Vec<f64>) {
    let (median, fastest, slowest) = stats(&mut v);
    println!(
        "{name}: median {median:.0} ms, fastest {fastest:.0} ms, slowest {slowest:.0} ms ({} runs: {:?})",
        v.len(),
        v.iter().map(|x| x.round() as i64).collect::<Vec<_>>()
    );
}

/// The 1-minute load average now (Linux), for the table's note.
fn load() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// 1234.5 as "1,235".
fn ms(v: f64) -> String {
    let s = format!("{:.0}", v);
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The figures as the table of docs/PERFORMANCE.md "Desktop", ready to paste.
fn table(rows: Vec<(&str, Vec<f64>, &str)>, loads: &[f64]) {
    println!();
    println!("| step | median | fastest | slowest | target |");
    println!("|---|---|---|---|---|");
    for (step, mut v, target) in rows {
        let (median, fastest, slowest) = stats(&mut v);
        println!(
            "| {step} | {} ms | {} ms | {} ms | {target} |",
            ms(median),
            ms(fastest),
            ms(slowest)
        );
    }
    let lo = loads.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = loads.iter().copied().fold(0.0, f64::max);
    println!();
    println!(
        "{RUNS} runs; 1-minute load average {lo:.1}–{hi:.1} during the runs ({} cores).",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
}

#[tokio::main]
async fn main() {
    println!("app: {}", app_binary().display());
    let (display, _xvfb) = display();
    let (mut start, mut start_page, mut open, mut edit, mut app_view) =
        (vec![], vec![], vec![], vec![], vec![]);
    let mut loads = Vec::new();
    for _ in 0..RUNS {
        loads.extend(load());
        let home = tempfile::tempdir().unwrap();
        let d = driver(&display, home.path());
        // tauri-driver listening first, so the time below is the app's start, not the driver's.
        let port: u16 = d.url.rsplit(':').next().unwrap().parse().unwrap();
        let up = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                up.elapsed() < Duration::from_secs(30),
                "tauri-driver did not listen"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let t0 = Instant::now();
        let c = session(&d.url, &caps_without_workspace()).await;
        let ready = format!(
            "document.querySelector('[data-testid=model-title]')?.textContent.includes('mc-global') \
             && document.querySelectorAll('.react-flow__edge').length > 0 && {THREATS}"
        );
        let page_ms = loop {
            let v = c
                .execute(
                    &format!("return ({ready}) ? performance.now() : null"),
                    vec![],
                )
                .await
                .unwrap();
            if let Some(ms) = v.as_f64() {
                break ms;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(60),
                "no sample diagram: {}",
                dump(&c).await
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        start.push(t0.elapsed().as_secs_f64() * 1000.0);
        start_page.push(page_ms);
        // Settle: the first analysis and the fit are done before the next step is timed.
        tokio::time::sleep(Duration::from_millis(1500)).await;

        let before = threats(&c).await;
        open.push(
            in_page(
                &c,
                "document.querySelector('[data-testid=service][data-name=mc-operations] [data-testid=open-service]').click()",
                &format!(
                    "document.querySelector('[data-testid=model-title]')?.textContent.includes('mc-operations') \
                     && document.querySelectorAll('.react-flow__edge').length > 0 && {THREATS} && {THREATS} !== '{before}'"
                ),
            )
            .await,
        );
        tokio::time::sleep(Duration::from_millis(1500)).await;

        // Select the first element (outside the timing), then time Delete to the new count.
        // Select everything (Ctrl+A, outside the timing): the Delete below is then one edit
        // that surely changes the threats (deleting one element can leave the count as it was).
        c.execute(
            "window.dispatchEvent(new KeyboardEvent('keydown', { key: 'a', ctrlKey: true, bubbles: true }));",
            vec![],
        )
        .await
        .unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let before = threats(&c).await;
        edit.push(
            in_page(
                &c,
                "document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Delete', bubbles: true }))",
                &format!("{THREATS} && {THREATS} !== '{before}'"),
            )
            .await,
        );
        tokio::time::sleep(Duration::from_millis(1500)).await;

        app_view.push(
            in_page(
                &c,
                "document.querySelector('[data-testid=application][data-name=mission-critical] [data-testid=app-view-button]').click()",
                "document.querySelectorAll('[data-testid=app-view-diagram] .react-flow__edge').length > 0",
            )
            .await,
        );
        let _ = c.close().await;
    }
    summary(
        "cold start, WebDriver request to the sample's diagram with threats",
        start.clone(),
    );
    summary(
        "  of which in the webview (from its navigation start)",
        start_page.clone(),
    );
    summary(
        "open another service (mc-operations) to its diagram and threats",
        open.clone(),
    );
    summary(
        "one edit (Delete of the selection) to the threats updated, with the 150 ms pause",
        edit.clone(),
    );
    summary(
        "switch to the application view, to its laid-out diagram",
        app_view.clone(),
    );
    loads.extend(load());
    table(
        vec![
            (
                "cold start: the WebDriver request that starts the app, to mc-global's diagram with its flows and its threats counted",
                start,
                "1 s",
            ),
            (
                "of which in the webview, from its navigation start",
                start_page,
                "",
            ),
            (
                "opening another service (mc-operations, 20 flows) from the sidebar, to its diagram and threats",
                open,
                "100 ms",
            ),
            (
                "one edit (the selection deleted: one undo step) to the threats updated, including the editor's 150 ms pause before it re-analyses",
                edit,
                "100 ms",
            ),
            (
                "switching to the application view, to its diagram laid out (consolidation over IPC, then elkjs)",
                app_view,
                "100 ms",
            ),
        ],
        &loads,
    );
}
