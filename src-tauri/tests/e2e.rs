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

mod driver;

use std::path::{Path, PathBuf};

use driver::*;
use fantoccini::Locator;

/// One app at a time: two WebDriver sessions of the app side by side disturbed each other
/// (an invalid session in the second), and the scenario is about one user anyway.
static ONE_APP: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

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
        click(&c, "[data-testid=new-application]").await?;
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
        click(&c, "[data-testid=threats-tab]").await?;
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
        click(&c, "[data-testid=triage-save]").await?;
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
        click(&c, "[data-testid=service][data-name=checkout]").await?;
        wait_for_count(&c, ".react-flow__node-element", 3).await;
        wait_for_count(&c, ".react-flow__node-boundary", 1).await;
        wait_for_count(&c, ".react-flow__edge", 2).await;
        click(&c, "[data-testid=threats-tab]").await?;
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
        // The window: everything fits at 1280x800 (the window's own size).
        c.set_window_size(1280, 800).await?;
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
        // Read through the DOM, not an element handle: the list re-renders as the review
        // loads, and a handle taken before that is stale.
        let selected = "[data-testid=review-item][aria-selected=true]";
        wait(&c, selected).await;
        let key = attr(&c, selected, "data-key")
            .await
            .expect("an item has a key");
        wait(
            &c,
            "[data-testid=review-decision-status] option[value=accepted]",
        )
        .await
        .click()
        .await?;
        wait(&c, "[data-testid=review-decision-justification]")
            .await
            .send_keys("rate limited at Front Door")
            .await?;
        wait(&c, "[data-testid=review-decision-save]")
            .await
            .click()
            .await?;
        wait_text(&c, "[data-testid=review-progress]", |t| {
            t.starts_with("1 of")
        })
        .await;
        wait_until(&c, "the next agenda item to be selected", WAIT, || async {
            match attr(&c, selected, "data-key").await {
                Some(next) if next != key => Ok(()),
                other => Err(format!("{other:?}")),
            }
        })
        .await;
        // The decision form beside the agenda is the selected item's, and idle.
        wait_js(
            &c,
            "the decision form of the item selected next",
            "const s = document.querySelector(arguments[0]); \
             const k = document.querySelector('[data-testid=review-detail] .sw-rv__key'); \
             const b = document.querySelector('[data-testid=review-decision-save]'); \
             return !!(s && k && b && k.textContent === s.getAttribute('data-key') && !b.textContent.includes('Saving'));",
            vec![selected.into()],
        )
        .await;
        if let Some(dir) = std::env::var_os("STRIDEWISE_SCREENSHOTS").map(PathBuf::from) {
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
        use stridewise_core::review::ReviewState;
        use stridewise_core::store::Workspace;
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
        // The item decided: one threat, or every threat of a group (named by its rule id).
        let decided: Vec<_> = items.iter().filter(|i| i.decision.is_some()).collect();
        assert!(!decided.is_empty());
        for row in decided {
            assert!(
                row.item.key.as_str() == key || row.decided_with.as_deref() == Some(key.as_str()),
                "{row:?} was not decided with {key}"
            );
            let triage = ws
                .triage(stridewise_core::store::Scope::Service(row.model))
                .unwrap();
            let d = &triage[&row.item.key];
            assert_eq!(d.status, stridewise_core::model::TriageStatus::Accepted);
            assert_eq!(d.justification, "rate limited at Front Door");
        }
    })
    .join()
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sample_application_shows_threats_and_attack_paths() {
    let _one = ONE_APP.lock().await;
    use stridewise_core::store::Workspace;
    let (display, _xvfb) = display();
    let dir = tempfile::tempdir().unwrap();
    let ws_path = dir.path().join("mission-critical.stridewise");
    mission_critical_workspace(&ws_path);
    // The core's blocking workspace runs its own runtime: not on this test's.
    let setup_path = ws_path.clone();
    let path_key = std::thread::spawn(move || {
        let ws = Workspace::open(&setup_path).unwrap();
        let app = stridewise_core::app::workspace::consolidate_application(
            &ws,
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
        // The window: everything fits at 1280x800 (the window's own size).
        c.set_window_size(1280, 800).await?;
        // The first view (issue 17): mc-global, fitted whole into the canvas that the side
        // panels leave, none of it under the side panel.
        wait_text(&c, "[data-testid=model-title]", |t| t.contains("mc-global")).await;
        wait_at_least(&c, ".react-flow__edge", 1).await;
        wait_still(&c, "the first fit", ".react-flow__viewport").await;
        let outside = c
            .execute(
                "const pane = document.querySelector('.sw-canvas > .react-flow').getBoundingClientRect(); \
                 return [...document.querySelectorAll('.react-flow__node')].filter((n) => { \
                   const r = n.getBoundingClientRect(); \
                   return r.left < pane.left || r.right > pane.right || r.top < pane.top || r.bottom > pane.bottom; \
                 }).map((n) => n.textContent);",
                vec![],
            )
            .await?;
        assert_eq!(outside, serde_json::json!([]), "nodes outside the canvas at the first view");
        // A service with its threats, one selected.
        wait(&c, "[data-testid=service][data-name=mc-stamp]")
            .await
            .click()
            .await?;
        wait_text(&c, "[data-testid=model-title]", |t| t.contains("mc-stamp")).await;
        wait_at_least(&c, ".react-flow__node-element", 10).await;
        click(&c, "[data-testid=threats-tab]").await?;
        wait_at_least(&c, "[data-testid=threat-row]", 20).await;
        click(&c, "[data-testid=threat-row]").await?;
        wait(&c, "[data-testid=threat-details]").await;
        wait_still(&c, "the diagram to stop moving", ".react-flow__viewport").await;
        if let Some(dir) = &shots {
            std::fs::write(dir.join("desktop-editor.png"), c.screenshot().await?).unwrap();
        }

        // A right-click menu action: Duplicate on an element adds one.
        let before = count(&c, ".react-flow__node-element").await;
        context_menu(
            &c,
            ".react-flow__node-element:has(.sw-node[data-name='Ingress controller'])",
            "duplicate",
        )
        .await?;
        wait_for_count(&c, ".react-flow__node-element", before + 1).await;
        // Ctrl+Z: the duplicate goes again.
        c.find(Locator::Css("body"))
            .await?
            .send_keys("\u{E009}z")
            .await?;
        wait_for_count(&c, ".react-flow__node-element", before).await;

        // The diagram exported as SVG: the webview's download of a self-contained SVG.
        click(&c, "[data-testid=export-svg]").await?;
        let svg = downloads(dir.path()).join("mission-critical-mc-stamp.svg");
        let text = wait_until(&c, "the exported SVG in the downloads folder", WAIT, || async {
            match std::fs::read_to_string(&svg) {
                Ok(t) if t.trim_end().ends_with("</svg>") => Ok(t),
                Ok(t) => Err(format!("{} bytes so far", t.len())),
                Err(e) => Err(e.to_string()),
            }
        })
        .await;
        assert!(text.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        // A name may wrap over several <text> lines; read the words in drawing order.
        let words: String = text
            .split("</text>")
            .filter_map(|part| part.rsplit_once('>').map(|(_, t)| t.trim()))
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(words.contains("Ingress controller"), "the SVG names the elements: {words}");

        // The application view: consolidated diagram, application-level threats, and an
        // attack path highlighted when its threat is selected.
        click(
            &c,
            "[data-testid=application][data-name=mission-critical] [data-testid=app-view-button]",
        )
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
        wait_still(
            &c,
            "the zoom to the attack path to end",
            "[data-testid=app-view-diagram] .react-flow__viewport",
        )
        .await;
        // It fits the window: nothing scrolled it, the status bar is on screen, the layout is
        // ELK's (not the fallback grid) and the threats panel scrolls inside itself.
        let fits = c
            .execute(
                "const s = document.querySelector('.sw-status').getBoundingClientRect(); \
                 return { scrolled: document.scrollingElement.scrollTop, tall: document.scrollingElement.scrollHeight > innerHeight, \
                   status: s.bottom <= innerHeight && s.top >= 0, fallback: document.body.innerText.includes('automatic layout failed'), \
                   side: document.querySelector('.sw-av__side').getBoundingClientRect().bottom <= innerHeight };",
                vec![],
            )
            .await?;
        assert_eq!(
            fits,
            serde_json::json!({"scrolled": 0, "tall": false, "status": true, "fallback": false, "side": true}),
            "the application view at 1280x800"
        );
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

#[tokio::test(flavor = "multi_thread")]
async fn keyboard_only_opens_another_service_and_moves_a_node_that_stays_moved() {
    let _one = ONE_APP.lock().await;
    let (display, _xvfb) = display();
    let dir = tempfile::tempdir().unwrap();
    let ws_path = dir.path().join("mission-critical.stridewise");
    mission_critical_workspace(&ws_path);
    let d = driver(&display, dir.path());
    let c = session(&d.url, &app_caps(&ws_path)).await;
    let moved = async {
        c.set_window_size(1280, 800).await?;
        wait(&c, "[data-testid=service][data-name=mc-global]").await;
        // Tab to the service in the sidebar, Enter opens it.
        tab_to(
            &c,
            "mc-global in the sidebar",
            "const a = document.activeElement; return !!a && a.matches('[data-name=mc-global] [data-testid=open-service]');",
            80,
        )
        .await?;
        c.active_element().await?.send_keys("\u{E007}").await?;
        wait_text(&c, "[data-testid=model-title]", |t| t.contains("mc-global")).await;
        wait_at_least(&c, ".react-flow__node-element", 7).await;
        // Tab on to an element of the diagram, Enter selects it, the arrow keys move it.
        tab_to(
            &c,
            "an element of the diagram",
            "const a = document.activeElement; return !!a && a.matches('.react-flow__node-element');",
            400,
        )
        .await?;
        let node = c.active_element().await?;
        let id = node.attr("data-id").await?.expect("a node has its id");
        node.send_keys("\u{E007}").await?;
        wait(&c, ".react-flow__node-element.selected").await;
        // The node's x on the canvas, from React Flow's transform of it; with a second
        // argument, whether it is there.
        const X_OF: &str = "const n = document.querySelector(`.react-flow__node[data-id='${arguments[0]}']`); \
             const m = n && /translate\\(\\s*(-?[0-9.]+)px/.exec(n.style.transform); \
             if (!m) return null; \
             const x = parseFloat(m[1]); \
             return arguments.length > 1 ? (Math.abs(x - arguments[1]) < 0.01 || null) : x;";
        let x0 = wait_js(&c, "the node's position", X_OF, vec![serde_json::json!(id)])
            .await
            .as_f64()
            .expect("a number");
        for _ in 0..4 {
            c.active_element().await?.send_keys("\u{E014}").await?; // ArrowRight: 5 px each
        }
        // All four moves are in the model before the save is awaited, so "Saved" is the save
        // of the moved node, not the state before the last key was handled (under load the
        // last press once landed after "Saved" was read, and the check saw 15 px).
        wait_js(
            &c,
            "the node 20 px to the right",
            X_OF,
            vec![serde_json::json!(id), serde_json::json!(x0 + 20.0)],
        )
        .await;
        wait_text(&c, "[data-testid=save-state]", |t| t == "Saved").await;
        // Saved, so it stays moved after another service is shown and this one again.
        click(&c, "[data-testid=service][data-name=mc-stamp] [data-testid=open-service]").await?;
        wait_text(&c, "[data-testid=model-title]", |t| t.contains("mc-stamp")).await;
        click(&c, "[data-testid=service][data-name=mc-global] [data-testid=open-service]").await?;
        wait_text(&c, "[data-testid=model-title]", |t| t.contains("mc-global")).await;
        Ok::<String, fantoccini::error::CmdError>(id)
    }
    .await;
    if moved.is_err() {
        eprintln!("{}", dump(&c).await);
    }
    let _ = c.close().await;
    let id = moved.unwrap();

    // In the workspace file: the element is 20 px right of where the sample has it.
    let before = stridewise_core::model::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../models/mc-global.stride.json"),
    )
    .unwrap();
    let after = std::thread::spawn(move || {
        use stridewise_core::store::Workspace;
        let ws = Workspace::open(&ws_path).unwrap();
        let svc = ws
            .find_service("mc-global", Some("mission-critical"))
            .unwrap();
        ws.load_head(svc.id).unwrap().unwrap().1
    })
    .join()
    .unwrap();
    let (a, b) = (
        &before.layout.nodes[&id.parse().unwrap()],
        &after.layout.nodes[&id.parse().unwrap()],
    );
    assert_eq!(
        (b.x - a.x, b.y - a.y),
        (20.0, 0.0),
        "moved by four presses of the right arrow"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_menu_bar_runs_a_command_and_a_revision_is_restored_as_a_new_one() {
    let _one = ONE_APP.lock().await;
    let (display, _xvfb) = display();
    let dir = tempfile::tempdir().unwrap();
    let ws_path = dir.path().join("mission-critical.stridewise");
    mission_critical_workspace(&ws_path);
    let d = driver(&display, dir.path());
    let c = session(&d.url, &app_caps(&ws_path)).await;
    let run = async {
        c.set_window_size(1280, 800).await?;
        click_when_there(
            &c,
            "[data-testid=service][data-name=mc-global] [data-testid=open-service]",
        )
        .await?;
        wait_text(&c, "[data-testid=model-title]", |t| t.contains("mc-global")).await;
        let sample = wait_at_least(&c, ".react-flow__node-element", 7).await;
        // The menu bar: Edit › Add process, then the save it makes is revision #2.
        click(&c, "[data-testid=menu-edit]").await?;
        click_when_there(&c, "[data-testid=context-menu] [data-command=addProcess]").await?;
        wait_for_count(&c, ".react-flow__node-element", sample + 1).await;
        wait_text(&c, "[data-testid=save-state]", |t| t == "Saved").await;
        // The revision browser: #1 read-only, its changes to the head name the new process.
        click(&c, "[data-testid=history-tab]").await?;
        wait_for_count(&c, "[data-testid=revision-row]", 2).await;
        click(&c, "[data-testid=revision-row][data-seq='1']").await?;
        wait(&c, "[data-testid=revision-open] img").await;
        wait_text(&c, "[data-testid=revision-diff]", |t| {
            t.contains("New process")
        })
        .await;
        if let Ok(dir) = std::env::var("STRIDEWISE_SCREENSHOTS") {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(
                Path::new(&dir).join("desktop-history.png"),
                c.screenshot().await?,
            )
            .unwrap();
        }
        click(&c, "[data-testid=restore-revision]").await?;
        wait_for_count(&c, ".react-flow__node-element", sample).await;
        wait_for_count(&c, "[data-testid=revision-row]", 3).await;
        wait_text(&c, "[data-testid=save-state]", |t| t == "Saved").await;
        Ok::<usize, fantoccini::error::CmdError>(sample)
    }
    .await;
    if run.is_err() {
        eprintln!("{}", dump(&c).await);
    }
    let _ = c.close().await;
    let sample = run.unwrap();

    // In the workspace file: three revisions, the head is the sample's drawing again.
    let (seqs, head) = std::thread::spawn(move || {
        use stridewise_core::store::Workspace;
        let ws = Workspace::open(&ws_path).unwrap();
        let svc = ws
            .find_service("mc-global", Some("mission-critical"))
            .unwrap();
        let seqs: Vec<i64> = ws.history(svc.id).unwrap().iter().map(|r| r.seq).collect();
        (seqs, ws.load_head(svc.id).unwrap().unwrap().1)
    })
    .join()
    .unwrap();
    assert_eq!(seqs, [3, 2, 1]);
    assert_eq!(head.elements.len(), sample);
    assert!(head.elements.iter().all(|e| e.name != "New process"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_merge_conflict_recorded_in_the_model_is_resolved_by_taking_theirs() {
    let _one = ONE_APP.lock().await;
    let (display, _xvfb) = display();
    let dir = tempfile::tempdir().unwrap();
    let ws_path = dir.path().join("mission-critical.stridewise");
    mission_critical_workspace(&ws_path);
    // A merge of two renames of one element, saved as mc-global's head with its conflict.
    let p = ws_path.clone();
    let element = std::thread::spawn(move || {
        use stridewise_core::store::{Save, Workspace};
        let ws = Workspace::open(&p).unwrap();
        let svc = ws
            .find_service("mc-global", Some("mission-critical"))
            .unwrap();
        let (head, base) = ws.load_head(svc.id).unwrap().unwrap();
        let id = base.elements[0].id;
        let (mut ours, mut theirs) = (base.clone(), base.clone());
        ours.elements[0].name = "Ours name".into();
        theirs.elements[0].name = "Theirs name".into();
        let (mut merged, mut conflicts) = stridewise_core::merge::merge(&base, &ours, &theirs);
        assert_eq!(conflicts.len(), 1);
        // As the git driver records them for `git merge rename`.
        stridewise_core::merge::name_sides(
            &mut merged,
            &mut conflicts,
            "this branch (HEAD)",
            "branch rename",
        );
        ws.save(Save {
            application: "mission-critical",
            model: &merged,
            expected_head: Some(head.id),
            merge_parent: None,
            author: "git merge",
            message: "merged with a conflict",
        })
        .unwrap();
        id
    })
    .join()
    .unwrap();
    let d = driver(&display, dir.path());
    let c = session(&d.url, &app_caps(&ws_path)).await;
    let run = async {
        c.set_window_size(1280, 800).await?;
        click_when_there(
            &c,
            "[data-testid=service][data-name=mc-global] [data-testid=open-service]",
        )
        .await?;
        wait_text(&c, "[data-testid=conflicts-count]", |t| {
            t == "1 merge conflict to resolve"
        })
        .await;
        // Each side labelled by where it came from, not "theirs".
        wait_text(&c, "[data-testid=conflict]", |t| {
            t.contains("From this branch (HEAD): 'Ours name'")
                && t.contains("From branch rename: 'Theirs name'")
        })
        .await;
        if let Ok(dir) = std::env::var("STRIDEWISE_SCREENSHOTS") {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(
                Path::new(&dir).join("desktop-conflicts.png"),
                c.screenshot().await?,
            )
            .unwrap();
        }
        click(&c, "[data-testid=conflict-theirs]").await?;
        wait_for_count(&c, "[data-testid=conflicts]", 0).await;
        wait_text(&c, "[data-testid=save-state]", |t| t == "Saved").await;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    if run.is_err() {
        eprintln!("{}", dump(&c).await);
    }
    let _ = c.close().await;
    run.unwrap();
    let head = std::thread::spawn(move || {
        use stridewise_core::store::Workspace;
        let ws = Workspace::open(&ws_path).unwrap();
        let svc = ws
            .find_service("mc-global", Some("mission-critical"))
            .unwrap();
        ws.load_head(svc.id).unwrap().unwrap().1
    })
    .join()
    .unwrap();
    assert!(head.conflicts.is_empty());
    assert_eq!(head.element(element).unwrap().name, "Theirs name");
}
