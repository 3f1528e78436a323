//! End to end on the real app in a real window: tauri-driver + WebKitWebDriver + fantoccini.
//!
//! Needs `tauri-driver` (`cargo install tauri-driver --locked`), Debian's `webkit2gtk-driver`,
//! and a display: it uses `$DISPLAY` when set, else starts its own Xvfb. The app opens a copy of
//! the test fixture; the test waits for the diagram, adds a process from the palette and an
//! external entity, a data store and a trust boundary with keyboard shortcuts, checks they are
//! drawn, saves through the Rust backend, reads the file back, then restarts the app on it. Everything it starts is
//! stopped with SIGTERM (tauri-driver then stops WebKitWebDriver; SIGKILL would orphan it).
//!
//! The real-window screenshot is taken by scripts/desktop-test.sh on an app started without
//! WebDriver: under an automation session, `import -window root` showed a stale frame.

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
        assert!(
            Instant::now() < deadline,
            "expected {want} '{css}', found {n}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn app_opens_a_model_adds_elements_saves_and_reopens() {
    let driver = find_tool("tauri-driver").expect(
        "tauri-driver is not installed: cargo install tauri-driver --locked (scripts/desktop-test.sh does)",
    );
    assert!(
        find_tool("WebKitWebDriver").is_some(),
        "WebKitWebDriver is not installed: apt-get install webkit2gtk-driver"
    );
    let (display, _xvfb) = display();

    let dir = tempfile::tempdir().unwrap();
    let model_path = dir.path().join("tiny.stride.json");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny.stride.json"),
        &model_path,
    )
    .unwrap();

    let (port, native_port) = (free_port(), free_port());
    let _driver = Guard(
        Command::new(driver)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("DISPLAY", &display)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tauri-driver"),
        "tauri-driver",
    );

    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), "wry".into());
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({
            "application": env!("CARGO_BIN_EXE_stridewise-app"),
            "args": [model_path.display().to_string()],
        }),
    );
    let url = format!("http://127.0.0.1:{port}");
    let c = session(&url, &caps).await;
    let result = async {
        // The model from the command line is drawn: 3 elements, 2 trust boundaries.
        if let Err(e) = c
            .wait()
            .at_most(Duration::from_secs(60))
            .for_element(Locator::Css(".react-flow__node-element"))
            .await
        {
            let page = c
                .execute(
                    "return document.location.href + ' | ' + document.body.innerText.slice(0, 500)",
                    vec![],
                )
                .await;
            panic!("the diagram did not render ({e}); the page shows: {page:?}");
        }
        wait_for_count(&c, ".react-flow__node-element", 3).await;
        wait_for_count(&c, ".react-flow__node-boundary", 2).await;
        let title = c
            .execute(
                "return document.querySelector('[data-testid=model-title]').textContent",
                vec![],
            )
            .await?;
        assert!(
            title.as_str().is_some_and(|t| t.starts_with("tiny")),
            "title {title}"
        );
        // The palette lists the catalog's stencils, which came from Rust over IPC.
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::XPath("//button[contains(., 'Azure Key Vault')]"))
            .await?;

        // Add a process from the palette; it is drawn and selected.
        c.find(Locator::Css("[data-testid=palette-process]"))
            .await?
            .click()
            .await?;
        wait_for_count(&c, ".react-flow__node-element", 4).await;
        c.wait()
            .at_most(Duration::from_secs(5))
            .for_element(Locator::Css(".sw-node[data-name='New process']"))
            .await?;

        // Keyboard shortcuts add an external entity, a data store and a trust boundary.
        let body = c.find(Locator::Css("body")).await?;
        for key in ["e", "d", "b"] {
            body.send_keys(key).await?;
        }
        wait_for_count(&c, ".react-flow__node-element", 6).await;
        wait_for_count(&c, ".react-flow__node-boundary", 3).await;

        // Save goes through the Rust backend to the file the app was opened on.
        c.find(Locator::XPath("//button[normalize-space()='Save']"))
            .await?
            .click()
            .await?;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let text = std::fs::read_to_string(&model_path).unwrap();
            let saved = stridewise_core::model::from_json(text.as_bytes(), &model_path).unwrap();
            if saved.elements.len() == 6 {
                let names: Vec<&str> = saved.elements.iter().map(|e| e.name.as_str()).collect();
                for name in ["New process", "New external entity", "New data store"] {
                    assert!(names.contains(&name), "{names:?}");
                }
                assert_eq!(saved.boundaries.len(), 3);
                if saved.layout.nodes.len() != 9 {
                    let status = c
                        .execute(
                            "return (document.documentElement.dataset.layoutError || '') + ' | ' + document.querySelector('[role=status]').textContent",
                            vec![],
                        )
                        .await?;
                    panic!(
                        "{} of 9 nodes have a saved position; layout error | status bar: {status}",
                        saved.layout.nodes.len()
                    );
                }
                break;
            }
            assert!(Instant::now() < deadline, "the model was not saved");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    let _ = c.close().await;
    result.unwrap();

    // Close and reopen: the saved model comes back whole.
    let c = session(&url, &caps).await;
    let reopened = async {
        c.wait()
            .at_most(Duration::from_secs(60))
            .for_element(Locator::Css(".react-flow__node-element"))
            .await?;
        wait_for_count(&c, ".react-flow__node-element", 6).await;
        wait_for_count(&c, ".react-flow__node-boundary", 3).await;
        wait_for_count(&c, ".react-flow__edge", 2).await;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    let _ = c.close().await;
    reopened.unwrap();
}
