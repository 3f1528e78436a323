#!/usr/bin/env bash
# Runs every test: formatting and lints, the UI's unit tests, every Rust test of the workspace
# (core, CLI, desktop shell, and the end-to-end test on the real app under Xvfb), the web smoke
# test, the report's browser test, and the CLI over the samples and the catalog's source.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=never NO_COLOR=1
T0=$SECONDS
step() { echo "== [$((SECONDS - T0))s] $*"; }

# One feature set for every cargo call, so nothing is compiled twice.
CARGO_ARGS=(--workspace --locked --features stridewise-app/custom-protocol)

step "UI build (the desktop shell embeds ui/dist)"
(cd ui && npm run build --silent)

step "cargo fmt, clippy"
cargo fmt --all -- --check
cargo clippy "${CARGO_ARGS[@]}" --all-targets -- -D warnings

step "desktop and Rust tests"
# Among them the hostile-input suite (tests/hostile.rs), the crash tests at their short size
# (tests/workspace_crash.rs; bench/crash.sh runs them at full size) and the bounded fuzzing of
# rule packs and conditions (crates/core/tests/rule_fuzz.rs; fuzz/run.sh runs cargo fuzz).
# The PostgreSQL workspace's tests run against a throwaway server (scripts/pg-test-server.sh);
# STRIDEWISE_REQUIRE_PG makes a test that finds no server fail instead of skipping.
rm -rf target/hostile-inputs.txt target/crash-figures
STRIDEWISE_REQUIRE_PG=1 SKIP_APT=1 bash scripts/pg-test-server.sh bash scripts/desktop-test.sh
# The suite's figures (a passing test's output is captured); missing means it did not run.
cat target/hostile-inputs.txt
# The crash tests' figures, one file per test (three): kills, revisions, corruptions.
[ "$(ls target/crash-figures/*.txt 2>/dev/null | wc -l)" -eq 3 ] || { echo "the crash tests left no figures in target/crash-figures" >&2; exit 1; }
cat target/crash-figures/*.txt

step "report browser test"
STRIDEWISE=target/debug/stridewise bash scripts/report-test.sh

step "the CLI on the samples and the catalog's source document"
target/debug/stridewise validate models/*.stride.json
target/debug/stridewise fmt --check models/*.stride.json
# Stridewise's own threat model (SECURITY.md): every threat at high or above is triaged; a new
# one left open fails the run (exit 1).
target/debug/stridewise check --fail-on high models/stridewise.stride.json
# Every quote of the catalog, verbatim in the source document: when STRIDEWISE_SOURCE_DOC names
# the document (.ci/run sets it). Set to a missing file, the check fails naming it.
if [ -n "${STRIDEWISE_SOURCE_DOC:-}" ]; then
  target/debug/stridewise catalog check --source "$STRIDEWISE_SOURCE_DOC"
  # The labels of the quality benchmark quote the same document; exits 2 on any problem of the
  # benchmark (not on missed targets: tests/quality.rs holds those).
  target/debug/stridewise catalog score bench/quality --source "$STRIDEWISE_SOURCE_DOC"
else
  target/debug/stridewise catalog check
  echo "catalog check against the source document skipped; set STRIDEWISE_SOURCE_DOC to the document (e.g. ../shared/seed/000_b3e188d6ded7eb11.txt) to run it"
fi
step "all tests passed"
