//! `stridewise merge` and `stridewise merge-driver`: three-way merge of model files, by hand
//! or as a git merge driver.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::json;
use stridewise_core::merge;
use stridewise_core::model::{self, MergeConflict, ServiceModel, StencilSet};

use super::{CLEAN, FOUND, Format};

/// Merge two edited copies of a model with their common ancestor, field by field.
///
/// Edits to different objects or fields merge. Clashes (the same field set differently, a
/// delete against an edit, a deleted element that a new flow uses) keep our side, are listed,
/// and are recorded in the output's `conflicts` so the desktop app can show them. Exits 0
/// when clean, 1 with conflicts, 2 on error.
#[derive(clap::Args)]
#[command(after_help = "\
Examples:
  stridewise merge base.stride.json mine.stride.json theirs.stride.json -o merged.stride.json
  stridewise merge --format json base.json ours.json theirs.json -o out.json | jq '.conflicts'")]
pub struct Args {
    /// The common ancestor.
    #[arg(value_name = "BASE")]
    base: PathBuf,
    /// Our edited copy; its values are kept on a clash.
    #[arg(value_name = "OURS")]
    ours: PathBuf,
    /// Their edited copy.
    #[arg(value_name = "THEIRS")]
    theirs: PathBuf,
    /// Where to write the merged model (may be one of the inputs).
    #[arg(short, long, value_name = "OUT")]
    output: PathBuf,
    /// How to list the conflicts.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Merge a model file inside `git merge` (a git merge driver; see docs/merge.md).
///
/// Switch it on with `git config merge.stridewise.driver "stridewise merge-driver %O %A %B %P"`
/// and `*.stride.json merge=stridewise` in `.gitattributes`.
/// Writes the merged model into %A. Exits 0 when clean and 1 when conflicts were recorded in
/// the file (it stays valid JSON; git then marks the path conflicted). On error (a side that
/// cannot be read) %A is left as it was and the exit code is 2, which git also treats as a
/// conflict. See docs/merge.md.
///
/// `stridewise merge-driver --install` does the switching on for the repository in the
/// current folder (or, with `--global`, for every repository of the user), naming this
/// binary by its full path: git runs the driver without the user's shell setup, and a
/// driver it cannot find turns every model merge into a conflict that keeps one side.
#[derive(clap::Args)]
#[command(after_help = "\
Examples:
  stridewise merge-driver --install
  stridewise merge-driver --install --global")]
pub struct DriverArgs {
    /// %O: the common ancestor (empty when both branches added the file).
    #[arg(value_name = "BASE", required_unless_present = "install")]
    base: Option<PathBuf>,
    /// %A: our version; the result is written here.
    #[arg(value_name = "OURS", required_unless_present = "install")]
    ours: Option<PathBuf>,
    /// %B: their version.
    #[arg(value_name = "THEIRS", required_unless_present = "install")]
    theirs: Option<PathBuf>,
    /// %P: the path in the repository, for messages.
    #[arg(value_name = "PATH")]
    path: Option<PathBuf>,
    /// Switch the driver on: git configuration with this binary's full path, and
    /// `*.stride.json merge=stridewise` in the repository's `.gitattributes`.
    #[arg(long, conflicts_with_all = ["base", "ours", "theirs", "path"])]
    install: bool,
    /// With --install: in the user's global git configuration, for every repository (the
    /// `.gitattributes` line is then still needed in each repository).
    #[arg(long, requires = "install")]
    global: bool,
}

pub fn run(args: Args) -> Result<u8> {
    let base = load_base(&args.base)?;
    let ours = load(&args.ours)?;
    let theirs = load(&args.theirs)?;
    let (mut merged, mut conflicts) = merge::merge(&base, &ours, &theirs);
    merge::name_sides(
        &mut merged,
        &mut conflicts,
        &format!("file {}", args.ours.display()),
        &format!("file {}", args.theirs.display()),
    );
    warn_if_invalid(&merged, &args.output);
    model::save(&merged, &args.output)
        .with_context(|| format!("cannot write '{}'", args.output.display()))?;
    match args.format {
        Format::Text => {
            if conflicts.is_empty() {
                outln!("{}: merged cleanly", args.output.display());
            } else {
                outln!(
                    "{}: merged with {} conflict(s), recorded in the file; ours was kept for each:",
                    args.output.display(),
                    conflicts.len()
                );
                out!("{}", merge::render::conflicts_text(&conflicts));
            }
        }
        Format::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "output": args.output,
                "clean": conflicts.is_empty(),
                "conflicts": conflicts,
            }))?
        ),
    }
    Ok(if conflicts.is_empty() { CLEAN } else { FOUND })
}

pub fn driver(args: DriverArgs) -> Result<u8> {
    let (Some(base_path), Some(ours_path), Some(theirs_path)) = (args.base, args.ours, args.theirs)
    else {
        return install(args.global);
    };
    let name = args
        .path
        .as_deref()
        .unwrap_or(&ours_path)
        .display()
        .to_string();
    let base = load_base(&base_path).with_context(|| format!("stridewise merge of '{name}'"))?;
    let ours = load(&ours_path).with_context(|| format!("stridewise merge of '{name}'"))?;
    let theirs = load(&theirs_path).with_context(|| format!("stridewise merge of '{name}'"))?;
    let (mut merged, mut conflicts) = merge::merge(&base, &ours, &theirs);
    let (ours_from, theirs_from) = git_sides();
    merge::name_sides(&mut merged, &mut conflicts, &ours_from, &theirs_from);
    warn_if_invalid(&merged, Path::new(&name));
    model::save(&merged, &ours_path)
        .with_context(|| format!("cannot write the merge of '{name}'"))?;
    if conflicts.is_empty() {
        return Ok(CLEAN);
    }
    report(&name, &conflicts);
    Ok(FOUND)
}

/// The two sides of the merge git is running, in words. `git merge` names the branches it
/// merges in `GITHEAD_<commit>` variables; a rebase or cherry-pick does not, so the other side
/// is then "the commit being applied".
fn git_sides() -> (String, String) {
    let mut names: Vec<String> = std::env::vars()
        .filter(|(k, v)| k.starts_with("GITHEAD_") && !v.is_empty() && v != "HEAD")
        .map(|(_, v)| v)
        .collect();
    names.sort();
    let theirs = match names.as_slice() {
        [] => "the commit being merged or applied".to_string(),
        [one] => format!("branch {one}"),
        many => format!("branches {}", many.join(", ")),
    };
    ("this branch (HEAD)".to_string(), theirs)
}

/// `merge-driver --install`: git configuration naming this binary by its full path, and the
/// `.gitattributes` line of the repository in the current folder.
fn install(global: bool) -> Result<u8> {
    let exe = std::env::current_exe()
        .and_then(std::fs::canonicalize)
        .context("cannot find this program's own path")?;
    let exe = exe
        .to_str()
        .context("this program's path is not UTF-8; git's configuration cannot name it")?;
    // git runs the driver line with the shell: quote the path.
    let quoted = format!("'{}'", exe.replace('\'', r"'\''"));
    let git = |args: &[&str]| -> Result<String> {
        let out = std::process::Command::new("git")
            .args(args)
            .output()
            .context("cannot run git")?;
        anyhow::ensure!(
            out.status.success(),
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let scope = if global { "--global" } else { "--local" };
    let driver = format!("{quoted} merge-driver %O %A %B %P");
    git(&[
        "config",
        scope,
        "merge.stridewise.name",
        "Stridewise model merge",
    ])?;
    git(&["config", scope, "merge.stridewise.driver", &driver])?;
    outln!("git config {scope} merge.stridewise.driver \"{driver}\"");
    if global {
        outln!(
            "each repository still needs '*.stride.json merge=stridewise' in its .gitattributes"
        );
        return Ok(CLEAN);
    }
    let top = PathBuf::from(git(&["rev-parse", "--show-toplevel"])?);
    let attributes = top.join(".gitattributes");
    let line = "*.stride.json merge=stridewise";
    let mut text = match std::fs::read_to_string(&attributes) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read '{}'", attributes.display()));
        }
    };
    if text.lines().any(|l| l.trim() == line) {
        outln!("{} already has '{line}'", attributes.display());
    } else {
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(line);
        text.push('\n');
        stridewise_core::file::write_atomic(&attributes, text.as_bytes())
            .with_context(|| format!("cannot write '{}'", attributes.display()))?;
        outln!("added '{line}' to {} (commit it)", attributes.display());
    }
    Ok(CLEAN)
}

fn report(name: &str, conflicts: &[MergeConflict]) {
    errln!(
        "stridewise: {name}: {} conflict(s) recorded in the file's \"conflicts\" (ours kept for each):",
        conflicts.len()
    );
    for line in merge::render::conflicts_text(conflicts).lines() {
        errln!("  {line}");
    }
}

fn load(path: &Path) -> Result<ServiceModel> {
    Ok(model::load(path)?)
}

/// Git passes an empty file as the ancestor when both branches added the path.
fn load_base(path: &Path) -> Result<ServiceModel> {
    let bytes = stridewise_core::input::read_limited(path, model::MAX_FILE_BYTES)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(merge::empty_base());
    }
    Ok(model::from_json(&bytes, path)?)
}

/// The merge keeps structure valid when its inputs are; say so when an input was not.
fn warn_if_invalid(merged: &ServiceModel, name: &Path) {
    for d in model::validate(merged, &StencilSet::default()) {
        if d.is_error() {
            errln!(
                "warning: {}: the merged model has a structural error (one of the inputs had it already): {d}",
                name.display()
            );
        }
    }
}
