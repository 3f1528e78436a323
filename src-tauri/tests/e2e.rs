//! End to end on the real app in a real window: tauri-driver + WebKitWebDriver + fantoccini.
//!
//! Needs `tauri-driver` (`cargo install tauri-driver --locked`), Debian's `webkit2gtk-driver`,
//! and a display: it uses `$DISPLAY` when set, else starts its own Xvfb. Everything it starts is
//! stopped with SIGTERM (tauri-driver then stops WebKitWebDriver; SIGKILL would orphan it).
//!
//! The scenario of the desktop issue: start on a new workspace, create an application and a
//! service, add an external entity, a process and a data store with flows between them and a
//! trust boundary, watch threats appear, triage one, close, reopen, and find everything there
//! (checked in the window and in the workspace file). A second test opens a workspace of the
//! mission-critical samples, shows a service with its threats and the application view with an
//! attack path; with `STRIDEWISE_SCREENSHOTS=DIR` it saves both screens there. A third runs a
//! sprint review of that application: start, decide one item, close (checked in the workspace).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};

/// A child process stopped with SIGTERM when dropped, then reaped.
struct Guard(Child, &'static str);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("{} did not stop within 10 s of SIGTERM", self.1);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn find_tool(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        dirs.push(Path::new(&home).join("bin"));
    }
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(Path::new(&home).join(".cargo/bin"));
    }
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
}

/// `$DISPLAY`, or a fresh Xvfb on the first free display number from :90.
fn display() -> (String, Option<Guard>) {
    if let Some(d) = std::env::var_os("DISPLAY").filter(|d| !d.is_empty()) {
        return (d.to_string_lossy().into_owned(), None);
    }
    let xvfb = find_tool("Xvfb").expect(
        "no $DISPLAY and no Xvfb: install xvfb (scripts/desktop-test.sh does) or run under a display",
    );
    let n = (90..200)
        .find(|n| !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists())
        .expect("a free X display number");
    let child = Command::new(xvfb)
        .args([
            &format!(":{n}"),
            "-screen",
            "0",
            "1280x800x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start Xvfb");
    let guard = Guard(child, "Xvfb");
    let socket = format!("/tmp/.X11-unix/X{n}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !Path::new(&socket).exists() {
        assert!(Instant::now() < deadline, "Xvfb :{n} did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (format!(":{n}"), Some(guard))
}

/// A WebDriver session on the app; tauri-driver may still be starting.
async fn session(
    url: &str,
    caps: &serde_json::Map<String, serde_json::Value>,
) -> fantoccini::Client {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match ClientBuilder::native()
            .capabilities(caps.clone())
            .connect(url)
            .await
        {
            Ok(c) => return c,
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("cannot start a WebDriver session through tauri-driver: {e}"),
        }
    }
}

async fn count(c: &fantoccini::Client, css: &str) -> usize {
    c.find_all(Locator::Css(css)).await.map_or(0, |v| v.len())
}

async fn wait_for_count(c: &fantoccini::Client, css: &str, want: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let n = count(c, css).await;
        if n == want {
            return;
        }
        if Instant::now() >= deadline {
            panic!("expected {want} '{css}', found {n}; {}", dump(c).await);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// One app at a time: two WebDriver sessions of the app side by side disturbed each other
/// (an invalid session in the second), and the scenario is about one user anyway.
static ONE_APP: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// tauri-driver on free ports, with the app's config and data folders in `home`.
struct Driver {
    url: String,
    _guard: Guard,
}

fn driver(display: &str, home: &Path) -> Driver {
    let driver = find_tool("tauri-driver").expect(
        "tauri-driver is not installed: cargo install tauri-driver --locked (scripts/desktop-test.sh does)",
    );
    assert!(
        find_tool("WebKitWebDriver").is_some(),
        "WebKitWebDriver is not installed: apt-get install webkit2gtk-driver"
    );
    let (port, native_port) = (free_port(), free_port());
    let guard = Guard(
        Command::new(driver)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("DISPLAY", display)
            // The app keeps its recent list and sample workspace here, not in the real home.
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tauri-driver"),
        "tauri-driver",
    );
    Driver {
        url: format!("http://127.0.0.1:{port}"),
        _guard: guard,
    }
}

fn app_caps(workspace: &Path) -> serde_json::Map<String, serde_json::Value> {
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), "wry".into());
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({
            "application": env!("CARGO_BIN_EXE_stridewise-app"),
            "args": [workspace.display().to_string()],
        }),
    );
    caps
}

type Cmd<T> = Result<T, fantoccini::error::CmdError>;

/// Waits for an element, and on failure says what the page shows.
async fn wait(c: &fantoccini::Client, css: &str) -> fantoccini::elements::Element {
    match c
        .wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::Css(css))
        .await
    {
        Ok(e) => e,
        Err(e) => panic!("'{css}' did not appear ({e}); {}", dump(c).await),
    }
}

/// The element's text content (WebKitWebDriver's "element text" came back empty for some
/// visible elements; the DOM's textContent does not).
async fn text(c: &fantoccini::Client, css: &str) -> String {
    c.execute(
        "const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : '';",
        vec![css.into()],
    )
    .await
    .ok()
    .and_then(|v| v.as_str().map(str::to_string))
    .unwrap_or_default()
}

/// Waits until `css`'s text satisfies `ok`.
async fn wait_text(c: &fantoccini::Client, css: &str, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let t = text(c, css).await;
        if ok(&t) {
            return t;
        }
        if Instant::now() >= deadline {
            let page = c
                .execute("return document.body.innerText.slice(0, 800)", vec![])
                .await;
            if let Ok(png) = c.screenshot().await {
                let _ =
                    std::fs::write(std::env::temp_dir().join("stridewise-e2e-failure.png"), png);
            }
            panic!("'{css}' still reads {t:?}; the page shows: {page:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_at_least(c: &fantoccini::Client, css: &str, want: usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let n = count(c, css).await;
        if n >= want {
            return n;
        }
        assert!(
            Instant::now() < deadline,
            "expected at least {want} '{css}', found {n}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What the page shows, and a screenshot in the temporary folder, for a failure message.
async fn dump(c: &fantoccini::Client) -> String {
    if let Ok(png) = c.screenshot().await {
        let _ = std::fs::write(std::env::temp_dir().join("stridewise-e2e-failure.png"), png);
    }
    let page = c
        .execute("return document.body.innerText.slice(0, 1200)", vec![])
        .await;
    format!("the page shows: {page:?}")
}

/// Answers the app's own modal dialog.
async fn answer_dialog(c: &fantoccini::Client, value: &str) -> Cmd<()> {
    let input = wait(c, "[data-testid=dialog-input]").await;
    input.clear().await?;
    input.send_keys(value).await?;
    c.find(Locator::Css("[data-testid=dialog-ok]"))
        .await?
        .click()
        .await?;
    Ok(())
}

async fn node_id(c: &fantoccini::Client, name: &str) -> Cmd<String> {
    let node = wait(
        c,
        &format!(".react-flow__node:has(.sw-node[data-name='{name}'])"),
    )
    .await;
    Ok(node.attr("data-id").await?.expect("a node has a data-id"))
}

/// Selects an element on the diagram and draws a flow from it with the inspector.
async fn draw_flow(c: &fantoccini::Client, from: &str, to: &str) -> Cmd<()> {
    let target = node_id(c, to).await?;
    let source = format!(".sw-node[data-name='{from}']");
    // A click may land on a flow's label drawn over the element and select the flow instead;
    // the inspector says which element is selected, so click until it is the right one.
    for _ in 0..5 {
        wait(c, &source).await.click().await?;
        c.find(Locator::Css("[data-testid=inspector-tab]"))
            .await?
            .click()
            .await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let selected = c
            .execute(
                "const i = document.querySelector('[data-testid=inspector] input[type=text]'); \
                 return document.querySelector('[data-testid=new-flow-to]') && i ? i.value : '';",
                vec![],
            )
            .await?;
        if selected.as_str() == Some(from) {
            c.find(Locator::Css("[data-testid=new-flow-to]"))
                .await?
                .select_by_value(&target)
                .await?;
            return Ok(());
        }
    }
    panic!(
        "could not select '{from}' to draw a flow; {}",
        dump(c).await
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_workspace_service_with_threats_and_triage_survives_a_restart() {
    let _one = ONE_APP.lock().await;
    let (display, _xvfb) = display();
    let dir = tempfile::tempdir().unwrap();
    let ws_path = dir.path().join("team.stridewise");
    let d = driver(&display, dir.path());
    let caps = app_caps(&ws_path);

    let c = session(&d.url, &caps).await;
    let first = async {
        // A new, empty workspace: make an application with its first service.
        wait_text(&c, "[data-testid=workspace-name]", |t| {
            t.contains("team.stridewise")
        })
        .await;
        c.find(Locator::Css("[data-testid=new-application]"))
            .await?
            .click()
            .await?;
        answer_dialog(&c, "shop").await?;
        answer_dialog(&c, "checkout").await?;
        wait(&c, "[data-testid=service][data-name=checkout]").await;
        wait_text(&c, "[data-testid=model-title]", |t| t.contains("checkout")).await;

        // An external entity, a process, a data store and a trust boundary (shortcuts), then
        // flows between them (the inspector's "New data flow to").
        let body = c.find(Locator::Css("body")).await?;
        for key in ["e", "p", "d", "b"] {
            body.send_keys(key).await?;
        }
        wait_for_count(&c, ".react-flow__node-element", 3).await;
        wait_for_count(&c, ".react-flow__node-boundary", 1).await;
        draw_flow(&c, "New external entity", "New process").await?;
        draw_flow(&c, "New process", "New data store").await?;
        wait_for_count(&c, ".react-flow__edge", 2).await;

        // Threats appear, and one is triaged.
        c.find(Locator::Css("[data-testid=threats-tab]"))
            .await?
            .click()
            .await?;
        wait_at_least(&c, "[data-testid=threat-row]", 5).await;
        let row = c.find(Locator::Css("[data-testid=threat-row]")).await?;
        let key = row
            .attr("data-key")
            .await?
            .expect("a threat row has its key");
        row.click().await?;
        wait(&c, "[data-testid=triage-status]")
            .await
            .select_by_value("accepted")
            .await?;
        wait(&c, "[data-testid=triage-justification]")
            .await
            .send_keys("only reachable through the private endpoint")
            .await?;
        c.find(Locator::Css("[data-testid=triage-save]"))
            .await?
            .click()
            .await?;
        wait_text(
            &c,
            &format!("[data-testid=threat-row][data-key='{key}']"),
            |t| t.to_lowercase().contains("accepted"),
        )
        .await;
        // Autosave: every edit reaches the workspace.
        wait_text(&c, "[data-testid=save-state]", |t| t == "Saved").await;
        Ok::<String, fantoccini::error::CmdError>(key)
    }
    .await;
    if first.is_err() {
        eprintln!("{}", dump(&c).await);
    }
    let _ = c.close().await;
    let key = first.unwrap();

    // The workspace file holds it all, as the CLI would read it.
    let (check_path, check_key) = (ws_path.clone(), key.clone());
    std::thread::spawn(move || {
        let (ws_path, key) = (check_path, check_key);
        use stridewise_core::model::TriageStatus;
        use stridewise_core::store::{Scope, Workspace};
        let ws = Workspace::open(&ws_path).unwrap();
        let svc = ws.find_service("checkout", Some("shop")).unwrap();
        let (_, m) = ws.load_head(svc.id).unwrap().unwrap();
        assert_eq!(m.elements.len(), 3, "{:?}", m.elements);
        assert_eq!(m.flows.len(), 2);
        assert_eq!(m.boundaries.len(), 1);
        let triage = ws.triage(Scope::Service(svc.id)).unwrap();
        let decision = triage
            .get(&stridewise_core::model::ThreatKey(key.clone()))
            .unwrap_or_else(|| panic!("no decision for {key}: {triage:?}"));
        assert_eq!(decision.status, TriageStatus::Accepted);
    })
    .join()
    .unwrap();

    // Close and reopen: the service, its diagram and the decision come back.
    let c = session(&d.url, &caps).await;
    let reopened = async {
        wait(&c, "[data-testid=service][data-name=checkout]").await;
        c.find(Locator::Css("[data-testid=service][data-name=checkout]"))
            .await?
            .click()
            .await?;
        wait_for_count(&c, ".react-flow__node-element", 3).await;
        wait_for_count(&c, ".react-flow__node-boundary", 1).await;
        wait_for_count(&c, ".react-flow__edge", 2).await;
        c.find(Locator::Css("[data-testid=threats-tab]"))
            .await?
            .click()
            .await?;
        wait_text(
            &c,
            &format!("[data-testid=threat-row][data-key='{key}']"),
            |t| t.to_lowercase().contains("accepted"),
        )
        .await;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    if reopened.is_err() {
        eprintln!("{}", dump(&c).await);
    }
    let _ = c.close().await;
    reopened.unwrap();
}

/// A workspace with the mission-critical samples, as `workspace add` files them. The core's
/// blocking workspace runs its own runtime: not on the test's.
fn mission_critical_workspace(path: &Path) {
    use stridewise_core::store::{Save, Workspace};
    let path = path.to_path_buf();
    std::thread::spawn(move || {
        let ws = Workspace::create(&path).unwrap();
        let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("../models");
        for name in ["mc-global", "mc-stamp", "mc-operations"] {
            let m =
                stridewise_core::model::load(&models.join(format!("{name}.stride.json"))).unwrap();
            ws.save(Save {
                application: "mission-critical",
                model: &m,
                expected_head: None,
                merge_parent: None,
                author: "e2e",
                message: "sample",
            })
            .unwrap();
        }
    })
    .join()
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sprint_review_is_started_decided_and_closed() {
    let _one = ONE_APP.lock().await;
    let (display, _xvfb) = display();
    let dir = tempfile::tempdir().unwrap();
    let ws_path = dir.path().join("review.stridewise");
    mission_critical_workspace(&ws_path);
    let d = driver(&display, dir.path());
    let c = session(&d.url, &app_caps(&ws_path)).await;
    let result = async {
        c.set_window_size(1440, 900).await?;
        wait(
            &c,
            "[data-testid=application][data-name=mission-critical] [data-testid=review-button]",
        )
        .await
        .click()
        .await?;
        wait(&c, "[data-testid=review-view]").await;
        wait(&c, "[data-testid=review-sprint]")
            .await
            .send_keys("2026.24")
            .await?;
        c.find(Locator::Css("[data-testid=review-participants]"))
            .await?
            .send_keys("ana, bo")
            .await?;
        c.find(Locator::Css("[data-testid=review-start]"))
            .await?
            .click()
            .await?;
        let items = wait_at_least(&c, "[data-testid=review-item]", 10).await;
        wait_text(&c, "[data-testid=review-progress]", |t| {
            t == format!("0 of {items} decided")
        })
        .await;

        // The first item is selected: accept it, with a justification; the next one is selected.
        let first = wait(&c, "[data-testid=review-item][aria-selected=true]").await;
        let key = first.attr("data-key").await?.expect("an item has a key");
        c.find(Locator::Css(
            "[data-testid=review-decision-status] option[value=accepted]",
        ))
        .await?
        .click()
        .await?;
        c.find(Locator::Css("[data-testid=review-decision-justification]"))
            .await?
            .send_keys("rate limited at Front Door")
            .await?;
        c.find(Locator::Css("[data-testid=review-decision-save]"))
            .await?
            .click()
            .await?;
        wait_text(&c, "[data-testid=review-progress]", |t| {
            t.starts_with("1 of")
        })
        .await;
        let next = wait(&c, "[data-testid=review-item][aria-selected=true]").await;
        assert_ne!(next.attr("data-key").await?, Some(key.clone()));
        if let Some(dir) = std::env::var_os("STRIDEWISE_SCREENSHOTS").map(PathBuf::from) {
            tokio::time::sleep(Duration::from_millis(300)).await;
            std::fs::write(dir.join("desktop-review.png"), c.screenshot().await?).unwrap();
        }

        // Close with notes: frozen.
        c.find(Locator::Css("[data-testid=review-close]"))
            .await?
            .click()
            .await?;
        answer_dialog(&c, "first review of the sprint").await?;
        wait_text(&c, "[data-testid=review-state]", |t| t == "Closed").await;
        Ok::<String, fantoccini::error::CmdError>(key)
    }
    .await;
    if result.is_err() {
        eprintln!("{}", dump(&c).await);
    }
    let _ = c.close().await;
    let key = result.unwrap();
    drop(d);

    // The workspace holds the closed review and the triage decision it took.
    std::thread::spawn(move || {
        use stridewise_core::store::{ReviewState, Workspace};
        let ws = Workspace::open(&ws_path).unwrap();
        let reviews = ws.block_on(ws.store().reviews(None)).unwrap();
        assert_eq!(reviews.len(), 1);
        let r = &reviews[0];
        assert_eq!(
            (r.state, r.sprint.as_str()),
            (ReviewState::Closed, "2026.24")
        );
        assert_eq!(r.participants, ["ana", "bo"]);
        assert_eq!(r.notes, "first review of the sprint");
        let items = ws.block_on(ws.store().review_items(r.id)).unwrap();
        let decided: Vec<_> = items.iter().filter(|i| i.decision.is_some()).collect();
        assert_eq!(decided.len(), 1);
        assert_eq!(decided[0].item.key.as_str(), key);
        let triage = ws
            .triage(stridewise_core::store::Scope::Service(decided[0].model))
            .unwrap();
        let d = &triage[&decided[0].item.key];
        assert_eq!(d.status, stridewise_core::model::TriageStatus::Accepted);
        assert_eq!(d.justification, "rate limited at Front Door");
    })
    .join()
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sample_application_shows_threats_and_attack_paths() {
    let _one = ONE_APP.lock().await;
    use stridewise_core::store::{Save, Workspace};
    let (display, _xvfb) = display();
    let dir = tempfile::tempdir().unwrap();
    let ws_path = dir.path().join("mission-critical.stridewise");
    // The mission-critical samples, as `workspace add` files them.
    // The core's blocking workspace runs its own runtime: not on this test's.
    let setup_path = ws_path.clone();
    let path_key = std::thread::spawn(move || {
        let ws_path = setup_path;
        let ws = Workspace::create(&ws_path).unwrap();
        let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("../models");
        for name in ["mc-global", "mc-stamp", "mc-operations"] {
            let m =
                stridewise_core::model::load(&models.join(format!("{name}.stride.json"))).unwrap();
            ws.save(Save {
                application: "mission-critical",
                model: &m,
                expected_head: None,
                merge_parent: None,
                author: "e2e",
                message: "sample",
            })
            .unwrap();
        }
        let app = ws
            .consolidate_application(
                "mission-critical",
                stridewise_core::catalog::Catalog::builtin(),
                "e2e",
            )
            .unwrap();
        app.attack_paths
            .iter()
            .find(|p| p.paths.iter().any(|p| p.flows.len() >= 2))
            .map(|p| p.key.as_str().to_string())
            .expect("an attack path of two flows or more")
    })
    .join()
    .unwrap();
    let shots = std::env::var_os("STRIDEWISE_SCREENSHOTS").map(PathBuf::from);
    let d = driver(&display, dir.path());
    let c = session(&d.url, &app_caps(&ws_path)).await;
    let result = async {
        c.set_window_size(1440, 900).await?;
        // A service with its threats, one selected.
        wait(&c, "[data-testid=service][data-name=mc-stamp]")
            .await
            .click()
            .await?;
        wait_text(&c, "[data-testid=model-title]", |t| t.contains("mc-stamp")).await;
        wait_at_least(&c, ".react-flow__node-element", 10).await;
        c.find(Locator::Css("[data-testid=threats-tab]"))
            .await?
            .click()
            .await?;
        wait_at_least(&c, "[data-testid=threat-row]", 20).await;
        c.find(Locator::Css("[data-testid=threat-row]"))
            .await?
            .click()
            .await?;
        wait(&c, "[data-testid=threat-details]").await;
        tokio::time::sleep(Duration::from_millis(800)).await; // the zoom to the threat settles
        if let Some(dir) = &shots {
            std::fs::write(dir.join("desktop-editor.png"), c.screenshot().await?).unwrap();
        }

        // The application view: consolidated diagram, application-level threats, and an
        // attack path highlighted when its threat is selected.
        c.find(Locator::Css(
            "[data-testid=application][data-name=mission-critical] [data-testid=app-view-button]",
        ))
        .await?
        .click()
        .await?;
        wait(&c, "[data-testid=app-view]").await;
        wait_at_least(&c, "[data-testid=app-view-diagram] .react-flow__node", 20).await;
        wait_at_least(&c, "[data-testid=app-view] [data-testid=threat-row]", 1).await;
        let toggle = c
            .find(Locator::Css(
                "[data-testid=app-view] [data-testid=threat-app-level]",
            ))
            .await?;
        if toggle.prop("checked").await?.as_deref() == Some("true") {
            toggle.click().await?;
        }
        let search = c
            .find(Locator::Css(
                "[data-testid=app-view] [data-testid=threat-search]",
            ))
            .await?;
        search.send_keys(&path_key).await?;
        wait(
            &c,
            &format!("[data-testid=app-view] [data-testid=threat-row][data-key='{path_key}']"),
        )
        .await
        .click()
        .await?;
        wait_at_least(&c, "[data-testid=attack-path]", 1).await;
        let lit = wait_at_least(&c, "[data-testid=app-view-diagram] .sw-path", 3).await;
        assert!(lit >= 3, "{lit} highlighted objects");
        tokio::time::sleep(Duration::from_millis(800)).await;
        if let Some(dir) = &shots {
            std::fs::write(dir.join("desktop-app-view.png"), c.screenshot().await?).unwrap();
        }
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    if result.is_err() {
        eprintln!("{}", dump(&c).await);
    }
    let _ = c.close().await;
    result.unwrap();
}
