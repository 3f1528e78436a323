//! Driving the real app through tauri-driver and WebKitWebDriver with fantoccini: shared by the
//! end-to-end tests (`tests/e2e.rs`) and the IPC benchmark (`benches/ipc.rs`).
//!
//! Needs `tauri-driver` (`cargo install tauri-driver --locked`), Debian's `webkit2gtk-driver`,
//! and a display: `$DISPLAY` when set, else a fresh Xvfb. Everything started here is stopped
//! with SIGTERM (tauri-driver then stops WebKitWebDriver; SIGKILL would orphan it).
#![allow(dead_code)] // each user takes what it needs

use std::future::Future;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};

/// A child process stopped with SIGTERM when dropped, then reaped.
pub struct Guard(pub Child, pub &'static str);

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

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn find_tool(name: &str) -> Option<PathBuf> {
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
pub fn display() -> (String, Option<Guard>) {
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
pub async fn session(
    url: &str,
    caps: &serde_json::Map<String, serde_json::Value>,
) -> fantoccini::Client {
    let connect = || async {
        ClientBuilder::native()
            .capabilities(caps.clone())
            .connect(url)
            .await
            .map_err(|e| e.to_string())
    };
    match try_wait_until(WAIT, connect).await {
        Ok(c) => c,
        Err(e) => panic!(
            "cannot start a WebDriver session through tauri-driver within {} s: {e}",
            WAIT.as_secs()
        ),
    }
}

pub async fn count(c: &fantoccini::Client, css: &str) -> usize {
    c.find_all(Locator::Css(css)).await.map_or(0, |v| v.len())
}

/// How long a wait gives the page, and how often it looks.
pub const WAIT: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(100);

/// Looks at the page every 100 ms until `check` gives `Ok`, for at most `timeout`; `Err` says
/// what the page showed instead. Gives that last `Err` back when the time is up.
pub async fn try_wait_until<T, F, Fut>(timeout: Duration, mut check: F) -> Result<T, String>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        let last = match check().await {
            Ok(v) => return Ok(v),
            Err(last) => last,
        };
        if Instant::now() >= deadline {
            return Err(last);
        }
        tokio::time::sleep(POLL).await;
    }
}

/// As `try_wait_until`, failing when the time is up with what it waited for, what it saw last,
/// and what the page shows (and a screenshot in the temporary folder).
pub async fn wait_until<T, F, Fut>(
    c: &fantoccini::Client,
    what: &str,
    timeout: Duration,
    check: F,
) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    match try_wait_until(timeout, check).await {
        Ok(v) => v,
        Err(last) => panic!(
            "timed out after {} s waiting for {what} (last seen: {last}); {}",
            timeout.as_secs(),
            dump(c).await
        ),
    }
}

/// Waits until `script` (run in the page, with `args`) returns something other than
/// `false`, `null` or `undefined`, and gives that back.
pub async fn wait_js(
    c: &fantoccini::Client,
    what: &str,
    script: &str,
    args: Vec<serde_json::Value>,
) -> serde_json::Value {
    wait_until(c, what, WAIT, || {
        let args = args.clone();
        async move {
            match c.execute(script, args).await {
                Ok(v) if !v.is_null() && v != serde_json::Value::Bool(false) => Ok(v),
                Ok(v) => Err(v.to_string()),
                Err(e) => Err(e.to_string()),
            }
        }
    })
    .await
}

/// Waits until the element `css` has not moved for 400 ms (its CSS transform and its box):
/// React Flow's viewport after a fit or a zoom, before a screenshot.
pub async fn wait_still(c: &fantoccini::Client, what: &str, css: &str) {
    let still = include_str!("../../../ui/e2e-web/still.js");
    wait_js(c, what, still, vec![serde_json::json!([css, 400])]).await;
}

pub async fn wait_for_count(c: &fantoccini::Client, css: &str, want: usize) {
    wait_until(c, &format!("{want} '{css}'"), WAIT, || async {
        let n = count(c, css).await;
        if n == want {
            Ok(())
        } else {
            Err(format!("{n}"))
        }
    })
    .await
}

/// tauri-driver on free ports, with the app's config and data folders in `home`.
pub struct Driver {
    pub url: String,
    _guard: Guard,
}

/// The app's config folder under `home`, with a user-dirs.dirs that sends the webview's
/// downloads (an exported diagram) to `downloads(home)`.
fn config_home(home: &Path) -> PathBuf {
    let config = home.join("config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::create_dir_all(downloads(home)).unwrap();
    std::fs::write(
        config.join("user-dirs.dirs"),
        format!("XDG_DOWNLOAD_DIR=\"{}\"\n", downloads(home).display()),
    )
    .unwrap();
    config
}

/// Where the app's downloads go in a test.
pub fn downloads(home: &Path) -> PathBuf {
    home.join("downloads")
}

pub fn driver(display: &str, home: &Path) -> Driver {
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
            .env("XDG_CONFIG_HOME", config_home(home))
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

/// The app under test: `STRIDEWISE_APP` when set (another build to test), else this build's
/// debug binary, the one scripts/desktop-test.sh also packages.
pub fn app_binary() -> PathBuf {
    std::env::var_os("STRIDEWISE_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_stridewise-app")))
}

pub fn app_caps(workspace: &Path) -> serde_json::Map<String, serde_json::Value> {
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), "wry".into());
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({
            "application": app_binary().display().to_string(),
            "args": [workspace.display().to_string()],
        }),
    );
    caps
}

pub type Cmd<T> = Result<T, fantoccini::error::CmdError>;

/// Waits for an element, and on failure says what the page shows.
pub async fn wait(c: &fantoccini::Client, css: &str) -> fantoccini::elements::Element {
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
pub async fn text(c: &fantoccini::Client, css: &str) -> String {
    c.execute(
        "const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : '';",
        vec![css.into()],
    )
    .await
    .ok()
    .and_then(|v| v.as_str().map(str::to_string))
    .unwrap_or_default()
}

/// An attribute of the first element `css` finds, read in the page (no element handle to go
/// stale).
pub async fn attr(c: &fantoccini::Client, css: &str, name: &str) -> Option<String> {
    c.execute(
        "const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;",
        vec![css.into(), name.into()],
    )
    .await
    .ok()
    .and_then(|v| v.as_str().map(str::to_string))
}

/// Waits until `css`'s text satisfies `ok`.
pub async fn wait_text(c: &fantoccini::Client, css: &str, ok: impl Fn(&str) -> bool) -> String {
    let ok = &ok;
    wait_until(c, &format!("the text of '{css}'"), WAIT, || async move {
        let t = text(c, css).await;
        if ok(&t) { Ok(t) } else { Err(format!("{t:?}")) }
    })
    .await
}

pub async fn wait_at_least(c: &fantoccini::Client, css: &str, want: usize) -> usize {
    wait_until(c, &format!("at least {want} '{css}'"), WAIT, || async {
        let n = count(c, css).await;
        if n >= want {
            Ok(n)
        } else {
            Err(format!("{n}"))
        }
    })
    .await
}

/// Where a failing test saves the page: under `target/tmp`, so it can be looked at after the run.
fn failure_shot() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("stridewise-e2e-failure.png")
}

/// What the page shows, and a screenshot under `target/tmp`, for a failure message.
pub async fn dump(c: &fantoccini::Client) -> String {
    if let Ok(png) = c.screenshot().await {
        let _ = std::fs::write(failure_shot(), png);
    }
    let page = c
        .execute("return document.body.innerText.slice(0, 1200)", vec![])
        .await;
    format!("the page shows: {page:?}")
}

/// Opens the app's context menu on the first element `css` finds (a right-click's
/// `contextmenu` event at its centre) and chooses the item that runs `command`.
pub async fn context_menu(c: &fantoccini::Client, css: &str, command: &str) -> Cmd<()> {
    wait(c, css).await;
    c.execute(
        "const el = document.querySelector(arguments[0]); const r = el.getBoundingClientRect(); \
         el.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, cancelable: true, button: 2, \
           clientX: r.left + r.width / 2, clientY: r.top + r.height / 2 })); return true;",
        vec![css.into()],
    )
    .await?;
    click_when_there(
        c,
        &format!("[data-testid=context-menu] [data-command={command}]"),
    )
    .await
}

/// Presses Tab until `done` (a script) says the focused element is the one wanted, at most
/// `presses` times: how a keyboard user gets there.
pub async fn tab_to(c: &fantoccini::Client, what: &str, done: &str, presses: usize) -> Cmd<()> {
    for _ in 0..presses {
        if c.execute(done, vec![]).await? == serde_json::Value::Bool(true) {
            return Ok(());
        }
        c.active_element().await?.send_keys("\u{E004}").await?;
    }
    panic!(
        "{presses} presses of Tab never reached {what}; {}",
        dump(c).await
    );
}

/// Clicks `css` once it is on the page.
pub async fn click_when_there(c: &fantoccini::Client, css: &str) -> Cmd<()> {
    wait(c, css).await.click().await
}

/// Clicks the first element `css` finds.
pub async fn click(c: &fantoccini::Client, css: &str) -> Cmd<()> {
    c.find(Locator::Css(css)).await?.click().await
}

/// Answers the app's own modal dialog.
pub async fn answer_dialog(c: &fantoccini::Client, value: &str) -> Cmd<()> {
    let input = wait(c, "[data-testid=dialog-input]").await;
    input.clear().await?;
    input.send_keys(value).await?;
    click(c, "[data-testid=dialog-ok]").await
}

pub async fn node_id(c: &fantoccini::Client, name: &str) -> Cmd<String> {
    let node = wait(
        c,
        &format!(".react-flow__node:has(.sw-node[data-name='{name}'])"),
    )
    .await;
    Ok(node.attr("data-id").await?.expect("a node has a data-id"))
}

/// Selects an element on the diagram and draws a flow from it with the inspector.
pub async fn draw_flow(c: &fantoccini::Client, from: &str, to: &str) -> Cmd<()> {
    let target = node_id(c, to).await?;
    let source = format!(".sw-node[data-name='{from}']");
    // The name of the element the inspector shows, when it shows one.
    let inspected = "const i = document.querySelector('[data-testid=inspector] input[type=text]'); \
                     return document.querySelector('[data-testid=new-flow-to]') && i ? i.value : '';";
    // A click may land on a flow's label drawn over the element and select the flow instead;
    // the inspector says which element is selected, so click until it is the right one.
    for _ in 0..5 {
        wait(c, &source).await.click().await?;
        click(c, "[data-testid=inspector-tab]").await?;
        let shown = try_wait_until(Duration::from_secs(3), || async {
            let name = c
                .execute(inspected, vec![])
                .await
                .map_err(|e| e.to_string())?;
            if name.as_str() == Some(from) {
                Ok(())
            } else {
                Err(name.to_string())
            }
        })
        .await;
        if shown.is_ok() {
            c.find(Locator::Css("[data-testid=new-flow-to]"))
                .await?
                .select_by_value(&target)
                .await?;
            return Ok(());
        }
    }
    panic!(
        "could not select '{from}' to draw a flow: the inspector never showed it; {}",
        dump(c).await
    );
}
