//! The TypeScript declarations in `ui/src/bindings/` are generated from the Rust types that
//! cross IPC (ts-rs). This test fails when they are stale; regenerate them with
//! `STRIDEWISE_BLESS=1 cargo test -p stridewise-app --test bindings`. It also exports the built-in
//! stencils to `ui/src/__fixtures__/stencils.json` for the web build and the UI's tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use stridewise_app::RevisionView;
use stridewise_app::chosen::PathPurpose;
use stridewise_app::{
    ApiError, ApplicationView, ImportOutcome, LoadedService, MergedService, ReportWritten,
    ReviewSummary, ReviewView, SavedService, ServiceAnalysis, TriageChange, TriageScope,
    WireApplicationView, WireServiceAnalysis, WorkspaceInfo,
};
use stridewise_core::model::{Diagnostic, ServiceModel, StencilSet};
use ts_rs::{Config, TS};

fn export(dir: &Path) {
    let cfg = Config::new().with_out_dir(dir);
    ServiceModel::export_all(&cfg).unwrap();
    StencilSet::export_all(&cfg).unwrap();
    Diagnostic::export_all(&cfg).unwrap();
    ApiError::export_all(&cfg).unwrap();
    WorkspaceInfo::export_all(&cfg).unwrap();
    LoadedService::export_all(&cfg).unwrap();
    SavedService::export_all(&cfg).unwrap();
    MergedService::export_all(&cfg).unwrap();
    ServiceAnalysis::export_all(&cfg).unwrap();
    TriageScope::export_all(&cfg).unwrap();
    TriageChange::export_all(&cfg).unwrap();
    ApplicationView::export_all(&cfg).unwrap();
    ReportWritten::export_all(&cfg).unwrap();
    ImportOutcome::export_all(&cfg).unwrap();
    WireServiceAnalysis::export_all(&cfg).unwrap();
    WireApplicationView::export_all(&cfg).unwrap();
    ReviewSummary::export_all(&cfg).unwrap();
    ReviewView::export_all(&cfg).unwrap();
    RevisionView::export_all(&cfg).unwrap();
    stridewise_core::app::threat::ThreatEdit::export_all(&cfg).unwrap();
    stridewise_app::TerraformService::export_all(&cfg).unwrap();
    stridewise_app::DriftReport::export_all(&cfg).unwrap();
    PathPurpose::export_all(&cfg).unwrap();
    stridewise_core::app::models::Side::export_all(&cfg).unwrap();
    let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs");
    let commands = commands_ts(&std::fs::read_to_string(lib).unwrap(), dir);
    std::fs::write(dir.join("commands.ts"), commands).unwrap();
}

/// One `#[tauri::command]` of `src/lib.rs`: its name, its arguments as the UI passes them
/// (name, Rust type) and what it returns (the `Ok` type of a `Res`/`Result`).
#[derive(Debug, PartialEq)]
struct Command {
    name: String,
    args: Vec<(String, String)>,
    returns: String,
}

/// Splits `text` at the commas outside `<>`, `()` and `[]`.
fn split_top(text: &str) -> Vec<String> {
    let (mut depth, mut parts, mut cur) = (0i32, Vec::new(), String::new());
    for c in text.chars() {
        match c {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    parts.push(cur);
    parts
        .into_iter()
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

/// The commands of the shell's source, in order. Arguments that Tauri fills in itself (the
/// state, the window) are left out.
fn commands(src: &str) -> Vec<Command> {
    let mut out = Vec::new();
    for (at, _) in src.match_indices("#[tauri::command]") {
        // The attribute itself, not a mention of it in a comment.
        let line_start = src[..at].rfind('\n').map_or(0, |i| i + 1);
        if !src[line_start..at].trim().is_empty() {
            continue;
        }
        let rest = &src[at..];
        let fn_at = rest.find("fn ").expect("a command is a fn") + 3;
        let open = rest[fn_at..].find('(').unwrap() + fn_at;
        let name = rest[fn_at..open].trim().to_string();
        let mut depth = 0;
        let close = rest[open..]
            .char_indices()
            .find(|&(_, c)| {
                depth += match c {
                    '(' => 1,
                    ')' => -1,
                    _ => 0,
                };
                depth == 0
            })
            .unwrap()
            .0
            + open;
        let body = rest[close..].find('{').unwrap() + close;
        let returns = rest[close + 1..body].trim().trim_start_matches("->").trim();
        let args = split_top(&rest[open + 1..close])
            .into_iter()
            .filter_map(|a| {
                let (n, t) = a.split_once(':').expect("an argument has a type");
                let t = t.trim().to_string();
                let injected =
                    t.starts_with("St<") || t.starts_with("State<") || t.ends_with("Window");
                (!injected).then(|| (n.trim().to_string(), t))
            })
            .collect();
        out.push(Command {
            name,
            args,
            returns: returns.to_string(),
        });
    }
    out
}

/// `snake_case` as Tauri names an argument on the JavaScript side.
fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The TypeScript type of a Rust type of a command's signature; the named types it uses go
/// into `used` (each must be a generated binding).
fn ts_type(rust: &str, used: &mut std::collections::BTreeSet<String>) -> String {
    let rust = rust.trim();
    if let Some(inner) = rust.strip_suffix('>') {
        let (outer, inner) = inner.split_once('<').expect("a generic type");
        let inner = split_top(inner);
        return match outer.trim() {
            "Option" => format!("{} | null", ts_type(&inner[0], used)),
            "Vec" => format!("Array<{}>", ts_type(&inner[0], used)),
            "Res" | "Result" => ts_type(&inner[0], used),
            other => panic!("no TypeScript for the Rust type {other}<...> of a command"),
        };
    }
    match rust {
        "String" | "&str" => "string".into(),
        "usize" | "u32" | "u64" | "i64" | "f64" => "number".into(),
        "bool" => "boolean".into(),
        "()" | "" => "void".into(),
        path => {
            let name = path.rsplit("::").next().unwrap().to_string();
            used.insert(name.clone());
            name
        }
    }
}

/// `ui/src/bindings/commands.ts`: one typed function per command, so that a renamed or
/// retyped argument of a command fails `tsc` where the UI calls it.
fn commands_ts(src: &str, bindings: &Path) -> String {
    let mut used = std::collections::BTreeSet::new();
    let mut body = String::new();
    for c in commands(src) {
        let params: Vec<String> = c
            .args
            .iter()
            .map(|(n, t)| format!("{}: {}", camel(n), ts_type(t, &mut used)))
            .collect();
        let returns = ts_type(&c.returns, &mut used);
        // Arguments by name, as Tauri takes them: renaming one fails `tsc` at every call.
        let (param, pass) = if params.is_empty() {
            (String::new(), String::new())
        } else {
            (
                format!("args: {{ {} }}", params.join("; ")),
                ", args".to_string(),
            )
        };
        body.push_str(&format!(
            "  {}: ({param}): Promise<{returns}> => invoke<{returns}>(\"{}\"{pass}),\n",
            c.name, c.name
        ));
    }
    let mut out = String::from(
        "// Generated from the #[tauri::command]s of src-tauri/src/lib.rs by src-tauri/tests/bindings.rs.\n\
         // Do not edit: run STRIDEWISE_BLESS=1 cargo test -p stridewise-app --test bindings.\n\
         import { invoke } from \"@tauri-apps/api/core\";\n",
    );
    for name in &used {
        assert!(
            bindings.join(format!("{name}.ts")).exists(),
            "a command names {name}, which has no binding: export it in tests/bindings.rs"
        );
        out.push_str(&format!("import type {{ {name} }} from \"./{name}\";\n"));
    }
    out.push_str("\n/** The backend's commands, with the arguments and results of their Rust signatures. */\n");
    out.push_str(&format!("export const commands = {{\n{body}}};\n"));
    out
}

#[test]
fn commands_are_read_from_the_source_with_their_arguments_and_results() {
    let src = r#"
        //! Each `#[tauri::command]` forwards (fn a mention, not a command).
        #[tauri::command]
        fn validate(model: ServiceModel) -> Vec<Diagnostic> { x }
        /// Doc.
        #[tauri::command]
        async fn decide_item(
            state: St<'_>,
            window: tauri::Window,
            review_id: String,
            service: Option<String>,
            change: stridewise_core::app::types::TriageChange,
        ) -> Res<Option<Vec<String>>> {
            with_core(state, |c| c.f()).await
        }
        #[tauri::command]
        fn close(window: tauri::Window) -> Res<()> { y }
    "#;
    let found = commands(src);
    let strs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    assert_eq!(
        found,
        [
            Command {
                name: "validate".into(),
                args: strs(&[("model", "ServiceModel")]),
                returns: "Vec<Diagnostic>".into()
            },
            Command {
                name: "decide_item".into(),
                args: strs(&[
                    ("review_id", "String"),
                    ("service", "Option<String>"),
                    ("change", "stridewise_core::app::types::TriageChange"),
                ]),
                returns: "Res<Option<Vec<String>>>".into(),
            },
            Command {
                name: "close".into(),
                args: Vec::new(),
                returns: "Res<()>".into()
            },
        ]
    );
    let mut used = std::collections::BTreeSet::new();
    let line = |c: &Command, used: &mut std::collections::BTreeSet<String>| {
        let args: Vec<String> = c
            .args
            .iter()
            .map(|(n, t)| format!("{}: {}", camel(n), ts_type(t, used)))
            .collect();
        format!("({}) => {}", args.join(", "), ts_type(&c.returns, used))
    };
    assert_eq!(
        line(&found[1], &mut used),
        "(reviewId: string, service: string | null, change: TriageChange) => Array<string> | null"
    );
    assert_eq!(line(&found[2], &mut used), "() => void");
    assert_eq!(used.into_iter().collect::<Vec<_>>(), ["TriageChange"]);
}

/// Every `.ts` file under `dir`, by path relative to it (ts-rs puts some in subfolders).
fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.extension().is_some_and(|e| e == "ts") {
                let name = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(name, std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

#[test]
fn bindings_are_fresh() {
    let committed: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings");
    let fresh_dir = tempfile::tempdir().unwrap();
    export(fresh_dir.path());
    let fresh = read_dir(fresh_dir.path());
    assert!(fresh.contains_key("ServiceModel.ts"), "{:?}", fresh.keys());

    // The web build and the UI's tests use the real built-in stencils, exported here.
    let stencils_json =
        serde_json::to_string_pretty(stridewise_core::catalog::builtin_stencils()).unwrap() + "\n";
    let stencils_path = committed.join("../__fixtures__/stencils.json");
    // The web build has no analysis engine: it shows the real analysis of each bundled sample
    // (by model id), exported here, and says that edits are not re-analysed there.
    let analysis_json = serde_json::to_string(&sample_analyses()).unwrap() + "\n";
    let analysis_path = committed.join("../__fixtures__/analysis.json");

    if std::env::var_os("STRIDEWISE_BLESS").is_some() {
        std::fs::create_dir_all(stencils_path.parent().unwrap()).unwrap();
        std::fs::write(&stencils_path, &stencils_json).unwrap();
        std::fs::write(&analysis_path, &analysis_json).unwrap();
        for stale in read_dir(&committed).keys() {
            std::fs::remove_file(committed.join(stale)).unwrap();
        }
        std::fs::create_dir_all(&committed).unwrap();
        for (name, text) in &fresh {
            let path = committed.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        return;
    }
    assert_eq!(
        std::fs::read_to_string(&stencils_path).unwrap_or_default(),
        stencils_json,
        "ui/src/__fixtures__/stencils.json is stale; run STRIDEWISE_BLESS=1 cargo test -p stridewise-app --test bindings"
    );
    assert_eq!(
        std::fs::read_to_string(&analysis_path).unwrap_or_default(),
        analysis_json,
        "ui/src/__fixtures__/analysis.json is stale; run STRIDEWISE_BLESS=1 cargo test -p stridewise-app --test bindings"
    );
    let on_disk = read_dir(&committed);
    let names = |m: &BTreeMap<String, String>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(&on_disk),
        names(&fresh),
        "ui/src/bindings/ lists other types than the Rust code exports; run \
         STRIDEWISE_BLESS=1 cargo test -p stridewise-app --test bindings"
    );
    for (name, text) in &fresh {
        assert_eq!(
            &on_disk[name], text,
            "ui/src/bindings/{name} is stale; run STRIDEWISE_BLESS=1 cargo test -p stridewise-app --test bindings"
        );
    }
}

/// The analysis of every sample model in `models/`, by model id.
fn sample_analyses() -> BTreeMap<String, stridewise_core::analysis::Analysis> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../models");
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap().filter_map(Result::ok) {
        let path = entry.path();
        if !path.to_string_lossy().ends_with(".stride.json") {
            continue;
        }
        let model = stridewise_core::model::load(&path).unwrap();
        let analysis = stridewise_core::analysis::analyze(
            &model,
            stridewise_core::catalog::Catalog::builtin(),
        );
        out.insert(model.id.to_string(), analysis);
    }
    out
}
