//! End to end on the real app in a real window (tauri-driver + WebKitWebDriver + fantoccini, as
//! `e2e.rs`; needs the same tools and a display): a person writes a threat by hand on an
//! element (its right-click menu), sees it among the generated threats marked "by hand", edits
//! it and triages it, restarts the app and finds it as left, then removes it; the workspace file
//! holds each step, as the CLI would read it.

mod driver;

use std::path::{Path, PathBuf};

use driver::*;

/// A workspace with one service, the `tiny` fixture (Customer, Orders API, Orders DB), in `shop`.
fn tiny_workspace(path: &Path) {
    use stridewise_core::store::{Save, Workspace};
    let path = path.to_path_buf();
    std::thread::spawn(move || {
        let ws = Workspace::create(&path).unwrap();
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny.stride.json");
        let m = stridewise_core::model::load(&file).unwrap();
        ws.save(Save {
            application: "shop",
            model: &m,
            expected_head: None,
            merge_parent: None,
            author: "e2e",
            message: "fixture",
        })
        .unwrap();
    })
    .join()
    .unwrap();
}

/// The head revision of `tiny` and the service's triage, read from the file by the core.
fn head(
    path: &Path,
) -> (
    stridewise_core::model::ServiceModel,
    std::collections::BTreeMap<
        stridewise_core::model::ThreatKey,
        stridewise_core::model::TriageDecision,
    >,
) {
    let path: PathBuf = path.to_path_buf();
    std::thread::spawn(move || {
        use stridewise_core::store::{Scope, Workspace};
        let ws = Workspace::open(&path).unwrap();
        let svc = ws.find_service("tiny", Some("shop")).unwrap();
        let model = ws.load_head(svc.id).unwrap().unwrap().1;
        let triage = ws.triage(Scope::Service(svc.id)).unwrap();
        (model, triage)
    })
    .join()
    .unwrap()
}

/// Opens the `tiny` service in a 1280x800 window and shows its threats.
async fn open_threats_of_tiny(c: &fantoccini::Client) -> Result<(), fantoccini::error::CmdError> {
    c.set_window_size(1280, 800).await?;
    click_when_there(
        c,
        "[data-testid=service][data-name=tiny] [data-testid=open-service]",
    )
    .await?;
    wait_for_count(c, ".react-flow__node-element", 3).await;
    click(c, "[data-testid=threats-tab]").await
}

/// Waits for the threat form and gives what its target list shows as chosen.
async fn form_target(c: &fantoccini::Client) -> Result<String, fantoccini::error::CmdError> {
    wait(c, "[data-testid=threat-form]").await;
    let about = c
        .execute(
            "const s = document.querySelector('[data-testid=threat-form-target]'); \
             return s.options[s.selectedIndex].text;",
            vec![],
        )
        .await?;
    Ok(about.as_str().unwrap_or_default().to_string())
}

const ROW: &str = "[data-testid=threat-row]:has([data-testid=threat-by-hand])";

#[tokio::test(flavor = "multi_thread")]
async fn a_threat_written_by_hand_is_added_edited_triaged_kept_and_removed() {
    let (display, _xvfb) = display();
    let dir = tempfile::tempdir().unwrap();
    let ws_path = dir.path().join("shop.stridewise");
    tiny_workspace(&ws_path);
    let d = driver(&display, dir.path());
    let caps = app_caps(&ws_path);

    let c = session(&d.url, &caps).await;
    let first = async {
        open_threats_of_tiny(&c).await?;
        let generated = wait_at_least(&c, "[data-testid=threat-row]", 1).await;

        // The inspector's "Add threat…" opens the form about the object it shows.
        click(
            &c,
            ".react-flow__node-element:has(.sw-node[data-name='Orders API'])",
        )
        .await?;
        wait(
            &c,
            ".react-flow__node-element.selected:has(.sw-node[data-name='Orders API'])",
        )
        .await;
        click(&c, "[data-testid=inspector-tab]").await?;
        wait_text(&c, "[data-testid=inspector] input", |_| true).await;
        click_when_there(&c, "[data-testid=inspector-add-threat]").await?;
        assert_eq!(form_target(&c).await?, "Orders API");
        click(&c, "[data-testid=threat-form-cancel]").await?;
        wait_for_count(&c, "[data-testid=threat-form]", 0).await;
        click(&c, "[data-testid=threats-tab]").await?;

        // Right-click the API: "Add threat…" opens the form about it.
        context_menu(
            &c,
            ".react-flow__node-element:has(.sw-node[data-name='Orders API'])",
            "addThreat",
        )
        .await?;
        assert_eq!(form_target(&c).await?, "Orders API");
        // An empty title is refused by the core, and the form says so.
        click(&c, "[data-testid=threat-form-save]").await?;
        wait_text(&c, "[data-testid=threat-form-error]", |t| {
            t.contains("title")
        })
        .await;
        wait(&c, "[data-testid=threat-form-title]")
            .await
            .send_keys("Order totals changed in transit")
            .await?;
        for (field, value) in [
            ("stride", "tampering"),
            ("likelihood", "high"),
            ("impact", "high"),
        ] {
            wait(&c, &format!("[data-testid=threat-form-{field}]"))
                .await
                .select_by_value(value)
                .await?;
        }
        wait(&c, "[data-testid=threat-form-description]")
            .await
            .send_keys("A proxy rewrites the order before the API signs it.")
            .await?;
        wait(&c, "[data-testid=threat-form-mitigation]")
            .await
            .send_keys("Sign the order in the browser")
            .await?;
        click(&c, "[data-testid=threat-form-save]").await?;
        wait_for_count(&c, "[data-testid=threat-form]", 0).await;

        // It shows with the generated threats, marked as written by hand, high x high = critical.
        wait_text(&c, ROW, |t| {
            t.contains("Order totals changed in transit") && t.to_lowercase().contains("critical")
        })
        .await;
        wait_at_least(&c, "[data-testid=threat-row]", generated + 1).await;

        // Edit it from its details.
        click(&c, &format!("{ROW} .sw-tr__head")).await?;
        click_when_there(&c, "[data-testid=threat-edit]").await?;
        // The form opens with the title selected: typing replaces it.
        wait(&c, "[data-testid=threat-form-title]")
            .await
            .send_keys("Order totals rewritten by a proxy")
            .await?;
        click(&c, "[data-testid=threat-form-save]").await?;
        wait_text(&c, ROW, |t| {
            t.contains("Order totals rewritten by a proxy") && !t.contains("changed in transit")
        })
        .await;
        wait_text(&c, "[data-testid=save-state]", |t| t == "Saved").await;

        // Triaged like any other threat (once saved: the workspace knows its key).
        if count(&c, "[data-testid=triage-status]").await == 0 {
            click(&c, &format!("{ROW} .sw-tr__head")).await?;
        }
        wait(&c, "[data-testid=triage-status]")
            .await
            .select_by_value("mitigated")
            .await?;
        click(&c, "[data-testid=triage-save]").await?;
        wait_text(&c, &format!("{ROW} .sw-status-badge"), |t| t == "Mitigated").await;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    if first.is_err() {
        eprintln!("{}", dump(&c).await);
        if let Ok(png) = c.screenshot().await {
            let _ = std::fs::write(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-threats-failed.png"),
                png,
            );
        }
    }
    let _ = c.close().await;
    first.unwrap();

    let (model, triage) = head(&ws_path);
    assert_eq!(model.threats.len(), 1, "{:?}", model.threats);
    let written = &model.threats[0];
    assert_eq!(written.title, "Order totals rewritten by a proxy");
    assert_eq!(
        written.custom_mitigations,
        ["Sign the order in the browser"]
    );
    assert!(!written.created_at.is_empty());
    let key = written.key();
    assert_eq!(
        triage.get(&key).map(|d| d.status),
        Some(stridewise_core::model::TriageStatus::Mitigated),
        "{triage:?}"
    );

    // After a restart it is there as left; then it is removed.
    let c = session(&d.url, &caps).await;
    let again = async {
        open_threats_of_tiny(&c).await?;
        wait_text(&c, ROW, |t| t.contains("Order totals rewritten by a proxy")).await;
        wait_text(&c, &format!("{ROW} .sw-status-badge"), |t| t == "Mitigated").await;
        click(&c, &format!("{ROW} .sw-tr__head")).await?;
        click_when_there(&c, "[data-testid=threat-remove]").await?;
        wait_for_count(&c, ROW, 0).await;
        wait_text(&c, "[data-testid=save-state]", |t| t == "Saved").await;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    if again.is_err() {
        eprintln!("{}", dump(&c).await);
    }
    let _ = c.close().await;
    again.unwrap();

    let (model, _) = head(&ws_path);
    assert!(model.threats.is_empty(), "{:?}", model.threats);
}
