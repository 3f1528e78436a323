//! The corpus tier: the importers and the CLI on real files from other tools, in the shared
//! corpus beside the project (`../shared/corpus` in CI). It runs only when the environment
//! variable `STRIDEWISE_CORPUS` names that folder; `.ci/run` always sets it. Unset, every test
//! is listed as ignored under a one-line message that says how to run them; set to a folder
//! that is not there, every test fails with a message naming the folder. The default tests
//! (`tests/interop_fixtures.rs`, `tests/interop_cli.rs`) check the same behaviour on the
//! project's own fixtures.
//!
//! A plain `harness = false` binary driven by libtest-mimic, so that a skip is visible in the
//! test output (the built-in harness has no way to skip at run time).

mod cli;
mod interop;
mod terraform;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Output};

use libtest_mimic::{Arguments, Failed, Trial};

/// The variable that names the corpus folder.
const VAR: &str = "STRIDEWISE_CORPUS";

type Test = fn(&Path);

/// Every test of the tier, by name.
const TESTS: &[(&str, Test)] = &[
    (
        "interop::corpus_counts_match_the_source_files",
        interop::corpus_counts_match_the_source_files,
    ),
    (
        "interop::importing_twice_gives_the_same_bytes",
        interop::importing_twice_gives_the_same_bytes,
    ),
    (
        "interop::threat_dragon_round_trip_keeps_everything",
        interop::threat_dragon_round_trip_keeps_everything,
    ),
    (
        "interop::threat_dragon_threats_become_triage_decisions",
        interop::threat_dragon_threats_become_triage_decisions,
    ),
    (
        "interop::threat_dragon_boxes_hold_their_members_and_curves_hold_none",
        interop::threat_dragon_boxes_hold_their_members_and_curves_hold_none,
    ),
    (
        "interop::the_malformed_threat_dragon_file_fails_clearly",
        interop::the_malformed_threat_dragon_file_fails_clearly,
    ),
    (
        "interop::tmt_example_matches_the_expected_open_threat_model",
        interop::tmt_example_matches_the_expected_open_threat_model,
    ),
    (
        "interop::tmt_nesting_line_boundaries_and_unknown_priorities",
        interop::tmt_nesting_line_boundaries_and_unknown_priorities,
    ),
    (
        "interop::threagile_split_and_single_file_give_the_same_model",
        interop::threagile_split_and_single_file_give_the_same_model,
    ),
    (
        "interop::threagile_fragments_and_outputs_are_refused_by_name",
        interop::threagile_fragments_and_outputs_are_refused_by_name,
    ),
    (
        "interop::imported_corpus_models_analyse_with_threats",
        interop::imported_corpus_models_analyse_with_threats,
    ),
    (
        "cli::import_prints_the_summary_of_a_real_threat_dragon_file",
        cli::import_prints_the_summary_of_a_real_threat_dragon_file,
    ),
    (
        "cli::a_real_tmt_file_exports_to_threat_dragon_and_otm",
        cli::a_real_tmt_file_exports_to_threat_dragon_and_otm,
    ),
    (
        "terraform::global_resources_import_as_mc_global_draws_them",
        terraform::global_resources_import_as_mc_global_draws_them,
    ),
    (
        "terraform::release_unit_imports_as_mc_stamp_draws_it_once_per_region",
        terraform::release_unit_imports_as_mc_stamp_draws_it_once_per_region,
    ),
    (
        "terraform::opening_cosmos_db_to_public_networks_is_drift_with_the_threat_it_opens",
        terraform::opening_cosmos_db_to_public_networks_is_drift_with_the_threat_it_opens,
    ),
];

/// Where the corpus is, as the variable says: `None` when it is unset, `Err` naming the folder
/// when it is set but the folder is not a corpus.
fn corpus() -> Option<Result<PathBuf, String>> {
    let dir = PathBuf::from(std::env::var_os(VAR)?);
    Some(if dir.join("SOURCES.md").is_file() {
        Ok(dir)
    } else {
        Err(format!(
            "{VAR} names '{}', which is not the shared corpus (no SOURCES.md there)",
            dir.display()
        ))
    })
}

pub fn stridewise(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stridewise"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let corpus = corpus();
    match &corpus {
        None => eprintln!(
            "corpus tier: {} tests skipped; to run them, set {VAR} to the shared corpus folder, e.g. {VAR}=../shared/corpus cargo test --test corpus",
            TESTS.len()
        ),
        Some(Ok(dir)) => eprintln!("corpus tier: {} tests on {}", TESTS.len(), dir.display()),
        Some(Err(e)) => eprintln!("corpus tier: {e}"),
    }
    let skipped = corpus.is_none();
    let trials = TESTS
        .iter()
        .map(|&(name, test)| {
            let corpus = corpus.clone();
            Trial::test(name, move || match corpus {
                Some(Ok(dir)) => {
                    test(&dir);
                    Ok(())
                }
                Some(Err(e)) => Err(Failed::from(e)),
                None => Err(Failed::from(format!("{VAR} is not set"))),
            })
            .with_ignored_flag(skipped)
        })
        .collect();
    libtest_mimic::run(&args, trials).exit_code()
}
