//! Runs tauri-build, and embeds the sample models (`models/*.stride.json` at the top of the
//! repository) so that the app can offer them without reading the disk.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dist = root.join("ui/dist/index.html");
    if !dist.exists() {
        panic!(
            "{} is missing: build the UI first with `npm --prefix ui ci && npm --prefix ui run build` \
             (scripts/desktop-test.sh and scripts/desktop-run.sh do it)",
            dist.display()
        );
    }
    println!("cargo:rerun-if-changed=../ui/dist");
    embed_samples(&root.join("models"));
    tauri_build::build();
}

fn embed_samples(dir: &Path) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.to_string_lossy().ends_with(".stride.json"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut code = String::from("/// Bundled samples: (file name, text), in file-name order.\n");
    code.push_str("pub const SAMPLES: &[(&str, &str)] = &[\n");
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy();
        let abs = path.canonicalize().unwrap();
        writeln!(
            code,
            "    ({name:?}, include_str!({:?})),",
            abs.display().to_string()
        )
        .unwrap();
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("samples.rs");
    std::fs::write(out, code).unwrap();
}
