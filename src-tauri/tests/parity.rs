//! The same action gives the same result and the same refusal from both shells: each rule is
//! exercised through the `stridewise` binary and through the desktop's command layer
//! (`AppCore`, what every `#[tauri::command]` calls) on one workspace, and both must agree on
//! the outcome and on the error code.
//!
//! The CLI binary is the one cargo built next to this test (`target/debug/stridewise`); `cargo
//! test --workspace` builds it, and so does `cargo build --bin stridewise`.

use std::path::{Path, PathBuf};
use std::process::Output;

use stridewise_app::chosen::PathPurpose;
use stridewise_app::workspace::{AppCore, Dirs, Session};
use stridewise_app::{
    ApiError, ApiErrorCode, ServiceEntry, TriageChange, TriageScope, WorkspaceInfo,
};
use stridewise_core::app::review_view as rv;
use stridewise_core::app::services as svc;
use stridewise_core::model::{self, TriageStatus};
use stridewise_core::store::{Scope, Workspace};

const APP: &str = "mc";

fn cli_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(Path::parent).unwrap();
    let bin = dir.join(format!("stridewise{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "the CLI binary {} is missing: build it with `cargo build --bin stridewise`",
        bin.display()
    );
    bin
}

fn cli(args: &[&str]) -> Output {
    std::process::Command::new(cli_binary())
        .args(args)
        .env("STRIDEWISE_AUTHOR", "cli")
        .output()
        .unwrap()
}

fn cli_ok(args: &[&str]) -> String {
    let out = cli(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs a CLI command that must be refused, and checks it is refused with `expected`: exit
/// status the code gives, the code in `error[CODE]`, and the desktop's message for the same
/// refusal.
fn cli_refuses(args: &[&str], expected: &ApiError) {
    let out = cli(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(i32::from(expected.code.exit_status())),
        "{args:?}: {stderr}"
    );
    assert!(
        stderr.contains(&format!("error[{}]", expected.code)),
        "{args:?}: expected code {}, got {stderr}",
        expected.code
    );
    assert!(
        stderr.contains(&expected.message),
        "{args:?}: the desktop said '{}', the CLI {stderr}",
        expected.message
    );
}

struct Setup {
    dir: tempfile::TempDir,
    ws: PathBuf,
    desktop: AppCore,
}

impl Setup {
    /// A workspace with the mission-critical services, filled by the CLI and opened by the
    /// desktop.
    fn new() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("shop.stridewise");
        let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("../models");
        cli_ok(&["workspace", "init", ws.to_str().unwrap()]);
        let mut args = vec![
            "workspace".to_string(),
            "add".into(),
            ws.display().to_string(),
            "--app".into(),
            APP.into(),
        ];
        for name in ["mc-global", "mc-stamp", "mc-operations"] {
            let file = models.join(format!("{name}.stride.json"));
            assert!(file.exists(), "{}", file.display());
            args.push(file.display().to_string());
        }
        cli_ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let mut desktop = AppCore::new(
            Dirs {
                config: dir.path().join("config"),
                data: dir.path().join("data"),
            },
            None,
        );
        let chosen = desktop
            .chosen
            .choose(PathPurpose::OpenWorkspace, ws.clone())
            .unwrap();
        desktop.open_workspace(&chosen).unwrap();
        Setup { dir, ws, desktop }
    }

    /// `path`, as the person at the desktop's dialog chose it for `purpose`.
    fn chose(&mut self, purpose: PathPurpose, path: &Path) -> String {
        self.desktop
            .chosen
            .choose(purpose, path.to_path_buf())
            .unwrap()
    }

    fn ws(&self) -> &str {
        self.ws.to_str().unwrap()
    }

    /// The workspace as a third party sees it.
    fn store(&self) -> Workspace {
        Workspace::open(&self.ws).unwrap()
    }

    fn info(&self) -> WorkspaceInfo {
        self.desktop.info().unwrap()
    }

    fn service(&self, name: &str) -> ServiceEntry {
        self.info()
            .applications
            .into_iter()
            .find(|a| a.name == APP)
            .and_then(|a| a.services.into_iter().find(|s| s.name == name))
            .unwrap_or_else(|| panic!("no service {APP}/{name}"))
    }

    /// The key of one threat of the service, as both shells show it.
    fn a_threat_of(&self, service: &ServiceEntry) -> String {
        let id = service.id.to_string();
        let loaded = svc::load(self.desktop.ws().unwrap(), &id).unwrap();
        let found = svc::analyze(self.desktop.ws().unwrap(), &loaded.model, Some(&id)).unwrap();
        found.analysis.threats[0].key.to_string()
    }
}

/// The desktop's open workspace, which the review commands are given.
fn session(desktop: &AppCore) -> &Session {
    desktop.session().unwrap()
}

fn accept(why: Option<&str>) -> TriageChange {
    TriageChange {
        status: Some(TriageStatus::Accepted),
        justification: why.map(str::to_string),
        ..TriageChange::default()
    }
}

#[test]
fn accepting_without_a_justification_is_refused_by_both_shells() {
    let t = Setup::new();
    let stamp = t.service("mc-stamp");
    let key = t.a_threat_of(&stamp);
    let scope = TriageScope::Service { id: stamp.id };

    // Triage.
    let refused = svc::decide(
        t.desktop.ws().unwrap(),
        &scope,
        &key,
        &accept(None),
        &t.desktop.author,
    )
    .unwrap_err();
    assert_eq!(
        refused.code,
        ApiErrorCode::JustificationRequired,
        "{refused}"
    );
    cli_refuses(&["triage", t.ws(), &key, "--status", "accepted"], &refused);
    assert!(
        t.store()
            .triage(Scope::Service(stamp.id))
            .unwrap()
            .is_empty(),
        "nothing was recorded"
    );

    // A key that is no threat: `not_found`, naming the key, from both.
    let typo = format!("{key}x");
    let unknown = svc::decide(
        t.desktop.ws().unwrap(),
        &scope,
        &typo,
        &accept(Some("why")),
        &t.desktop.author,
    )
    .unwrap_err();
    assert_eq!(unknown.code, ApiErrorCode::NotFound, "{unknown}");
    assert!(unknown.message.contains(&typo), "{unknown}");
    cli_refuses(
        &[
            "triage",
            t.ws(),
            &typo,
            "--service",
            "mc-stamp",
            "--status",
            "accepted",
            "--justification",
            "why",
        ],
        &unknown,
    );

    // The same in a review decision.
    cli_ok(&["review", "start", "--workspace", t.ws(), "--sprint", "1"]);
    let review = rv::reviews(t.desktop.ws().unwrap(), APP).unwrap()[0]
        .id
        .clone();
    let agenda = rv::show(
        &session(&t.desktop).ws,
        &session(&t.desktop).reviewed,
        &review,
    )
    .unwrap();
    let item = &agenda.items[0];
    // A group (several threats, maybe in several services) is decided as a whole.
    let service = item.members.is_empty().then_some(item.service.as_str());
    let refused = rv::decide(
        &session(&t.desktop).ws,
        &session(&t.desktop).reviewed,
        &review,
        item.key.as_str(),
        service,
        &accept(None),
        &t.desktop.author,
    )
    .unwrap_err();
    assert_eq!(
        refused.code,
        ApiErrorCode::JustificationRequired,
        "{refused}"
    );
    let mut args = vec![
        "review",
        "decide",
        "--workspace",
        t.ws(),
        item.key.as_str(),
        "--status",
        "accepted",
    ];
    if let Some(service) = service {
        args.extend(["--service", service]);
    }
    cli_refuses(&args, &refused);
    assert_eq!(
        rv::show(
            &session(&t.desktop).ws,
            &session(&t.desktop).reviewed,
            &review
        )
        .unwrap()
        .review
        .decided,
        0
    );

    // With a justification, both record it, and each sees the other's decision.
    svc::decide(
        t.desktop.ws().unwrap(),
        &scope,
        &key,
        &accept(Some("behind the WAF")),
        &t.desktop.author,
    )
    .unwrap();
    let shown = cli_ok(&["triage", t.ws(), &key]);
    assert!(
        shown.contains("accepted") && shown.contains("behind the WAF"),
        "{shown}"
    );
}

#[test]
fn only_one_review_is_open_per_application_in_both_shells() {
    let t = Setup::new();
    cli_ok(&["review", "start", "--workspace", t.ws(), "--sprint", "1"]);
    let refused = rv::start(
        &session(&t.desktop).ws,
        &session(&t.desktop).reviewed,
        APP,
        "2",
        &[],
        &t.desktop.author,
    )
    .unwrap_err();
    assert_eq!(refused.code, ApiErrorCode::ReviewOpen, "{refused}");
    assert!(refused.message.contains("'mc'"), "{refused}");
    cli_refuses(
        &["review", "start", "--workspace", t.ws(), "--sprint", "2"],
        &refused,
    );

    // Closed in the desktop, started there: now the CLI is the one refused, the same way.
    let open = rv::reviews(t.desktop.ws().unwrap(), APP).unwrap()[0]
        .id
        .clone();
    rv::close(
        &session(&t.desktop).ws,
        &session(&t.desktop).reviewed,
        &open,
        "done",
        &t.desktop.author,
    )
    .unwrap();
    rv::start(
        &session(&t.desktop).ws,
        &session(&t.desktop).reviewed,
        APP,
        "2",
        &[],
        &t.desktop.author,
    )
    .unwrap();
    let out = cli(&["review", "start", "--workspace", t.ws(), "--sprint", "3"]);
    assert_eq!(
        out.status.code(),
        Some(4),
        "review_open is a refusal by state"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error[review_open]") && stderr.contains("sprint 2"),
        "{stderr}"
    );
    let reviews = rv::reviews(t.desktop.ws().unwrap(), APP).unwrap();
    assert_eq!(reviews.len(), 2, "no third review: {reviews:?}");
}

#[test]
fn a_document_from_a_stale_revision_is_merged_by_both_shells() {
    let mut t = Setup::new();
    let stamp = t.service("mc-stamp");
    let id = stamp.id.to_string();
    let head = |t: &Setup| t.store().history(stamp.id).unwrap()[0].clone();

    // Exported at revision 1, then the desktop saves an edit: revision 2.
    let old = t.dir.path().join("old.stride.json");
    cli_ok(&[
        "workspace",
        "export",
        t.ws(),
        "--service",
        "mc-stamp",
        "-o",
        old.to_str().unwrap(),
    ]);
    let mut edited = svc::load(t.desktop.ws().unwrap(), &id).unwrap().model;
    edited.description = "edited in the desktop".into();
    let base = stamp.head.as_ref().unwrap().id.clone();
    svc::save(
        t.desktop.ws().unwrap(),
        APP,
        &edited,
        Some(&base),
        "",
        &t.desktop.author,
    )
    .unwrap();
    // Another edit saved on the stale base is refused with `conflict`, and writes nothing.
    edited.description = "edited again on the old base".into();
    let stale = svc::save(
        t.desktop.ws().unwrap(),
        APP,
        &edited,
        Some(&base),
        "",
        &t.desktop.author,
    )
    .unwrap_err();
    assert_eq!(stale.code, ApiErrorCode::Conflict, "{stale}");
    assert_eq!(head(&t).seq, 2);

    // The old export, edited elsewhere and added by the CLI: merged three-way.
    let mut doc = model::load(&old).unwrap();
    doc.elements[0].name = "renamed by the CLI".into();
    model::save(&doc, &old).unwrap();
    let out = cli_ok(&[
        "workspace",
        "add",
        t.ws(),
        "--app",
        APP,
        old.to_str().unwrap(),
    ]);
    assert!(out.contains("merged three-way"), "{out}");
    let merged = head(&t);
    assert_eq!(merged.parents.len(), 2, "{merged:?}");

    // The same through the desktop's import: exported at revision 3, the CLI moves the head
    // on, the desktop imports the stale export.
    let older = t.dir.path().join("older.stride.json");
    let chosen = t.chose(PathPurpose::ExportModel, &older);
    t.desktop.export_service(&id, &chosen).unwrap();
    let newer = t.dir.path().join("newer.stride.json");
    std::fs::copy(&older, &newer).unwrap();
    let mut doc = model::load(&newer).unwrap();
    doc.description = "edited by the CLI".into();
    model::save(&doc, &newer).unwrap();
    cli_ok(&[
        "workspace",
        "add",
        t.ws(),
        "--app",
        APP,
        newer.to_str().unwrap(),
    ]);
    let mut doc = model::load(&older).unwrap();
    doc.elements[1].name = "renamed in the desktop".into();
    model::save(&doc, &older).unwrap();
    let chosen = t.chose(PathPurpose::Import, &older);
    t.desktop.import_models(APP, &chosen).unwrap();
    let merged = head(&t);
    assert_eq!(merged.parents.len(), 2, "{merged:?}");
    let (_, saved) = t.store().load_revision(merged.id).unwrap();
    assert_eq!(
        saved.description, "edited by the CLI",
        "both edits are kept"
    );
    assert_eq!(saved.elements[1].name, "renamed in the desktop");
}

#[test]
fn the_application_triage_is_in_the_report_of_both_shells() {
    let mut t = Setup::new();
    // The desktop's application view consolidates and saves the application model.
    let view = svc::application_view(t.desktop.ws().unwrap(), APP, &t.desktop.author).unwrap();
    let mut app_level = view.analysis.threats.iter().filter(|t| t.app_level);
    let first = app_level.next().expect("an application-level threat");
    let second = app_level.next().expect("a second application-level threat");

    // One decided through the CLI, the other through the desktop.
    cli_ok(&[
        "triage",
        t.ws(),
        first.key.as_str(),
        "--app",
        APP,
        "--application-model",
        "--status",
        "accepted",
        "--justification",
        "accepted on the command line",
    ]);
    svc::decide(
        t.desktop.ws().unwrap(),
        &TriageScope::Application { name: APP.into() },
        second.key.as_str(),
        &accept(Some("accepted in the desktop")),
        &t.desktop.author,
    )
    .unwrap();

    let from_cli = t.dir.path().join("cli.html");
    cli_ok(&[
        "report",
        "--workspace",
        t.ws(),
        "--app",
        APP,
        "-o",
        from_cli.to_str().unwrap(),
    ]);
    let from_desktop = t.dir.path().join("desktop.html");
    let chosen = t.chose(PathPurpose::Report, &from_desktop);
    t.desktop.export_report(APP, &chosen).unwrap();
    for file in [&from_cli, &from_desktop] {
        let html = std::fs::read_to_string(file).unwrap();
        for why in ["accepted on the command line", "accepted in the desktop"] {
            assert!(html.contains(why), "{}: no '{why}'", file.display());
        }
    }
}

/// Copies a folder tree (the Terraform fixture) for a test to edit.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn a_terraform_service_is_reimported_by_either_shell_against_the_import_the_workspace_kept() {
    let mut t = Setup::new();
    let tf = t.dir.path().join("infra");
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/terraform/app"),
        &tf,
    );
    let vars = tf.join("prod.tfvars");
    let set_cosmos = |public: bool| {
        let text = std::fs::read_to_string(&vars).unwrap();
        let (from, to) = if public {
            ("cosmos_public = false", "cosmos_public = true")
        } else {
            ("cosmos_public = true", "cosmos_public = false")
        };
        assert!(text.contains(from), "{text}");
        std::fs::write(&vars, text.replace(from, to)).unwrap();
    };
    let desktop_import = |t: &mut Setup| {
        let folder = t.chose(PathPurpose::TerraformFolder, &tf);
        let var_file = t.chose(PathPurpose::TerraformVars, &vars);
        t.desktop
            .import_terraform("infra", &folder, &[var_file])
            .unwrap()
    };
    let cosmos_public = |t: &Setup, service: model::ModelId| {
        let (_, head) = t.store().load_head(service).unwrap().unwrap();
        head.elements
            .iter()
            .find(|e| e.iac_address.as_deref() == Some("azurerm_cosmosdb_account.main"))
            .unwrap()
            .properties
            .get("public_network_access")
            .cloned()
    };

    // The desktop imports the folder; the workspace keeps the import.
    let first = desktop_import(&mut t);
    assert_eq!(first.len(), 1, "{first:?}");
    let service = first[0].service.id;
    assert!(!first[0].merged);

    // The code opens Cosmos DB; the CLI re-imports without --base, merging against it.
    set_cosmos(true);
    let (tf_s, vars_s) = (tf.to_str().unwrap(), vars.to_str().unwrap());
    let out = cli_ok(&[
        "import",
        tf_s,
        "--format",
        "terraform",
        "--var-file",
        vars_s,
        "--workspace",
        t.ws(),
        "--app",
        "infra",
    ]);
    assert!(out.contains("re-imported (merged) as revision #2"), "{out}");
    assert_eq!(cosmos_public(&t, service), Some(true.into()));

    // The code closes it again; the desktop re-imports. Had the CLI not kept its import, the
    // ancestor would still say "closed", the head's "open" would look like a hand edit and
    // stay; with the CLI's import as the ancestor, the code's change comes in.
    set_cosmos(false);
    let again = desktop_import(&mut t);
    assert!(
        again[0].merged && again[0].conflicts.is_empty(),
        "{again:?}"
    );
    assert_eq!(cosmos_public(&t, service), Some(false.into()));
    let folder = t.chose(PathPurpose::TerraformFolder, &tf);
    let var_file = t.chose(PathPurpose::TerraformVars, &vars);
    let drift = t
        .desktop
        .terraform_drift(&service.to_string(), &folder, &[var_file])
        .unwrap();
    assert!(drift.items.is_empty(), "{:?}", drift.items);
}
