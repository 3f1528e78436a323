#!/usr/bin/env bash
# Crash bench (not a test run): the crash-safety tests of tests/workspace_crash.rs at the size
# issue 20 measured. SIGKILLs during saves of 10,000-element models (KILLS, default 300),
# kills after a commit followed by deleting the workspace file and `workspace init` on its
# name (INIT_ROUNDS, default 40), and four concurrent writers killed together
# (CONCURRENT_ROUNDS, default 20: 80 more kills). Each test prints its figures (the long one
# also every tenth of the way, so a run cut short says how far it got); they go by hand into
# docs/PERFORMANCE.md ("Crash safety at full size") and SECURITY.md. CI runs the same tests at
# their small default size as part of `cargo test`. TEST_NAME_FILTER runs one test only.
#
# Usage: bench/crash.sh [TEST_NAME_FILTER]   (KILLS=.. ELEMENTS=.. INIT_ROUNDS=.. CONCURRENT_ROUNDS=.. PROFILE=debug)
set -euo pipefail
cd "$(dirname "$0")/.."
export STRIDEWISE_CRASH_KILLS=${KILLS:-300}
export STRIDEWISE_CRASH_ELEMENTS=${ELEMENTS:-10000}
export STRIDEWISE_CRASH_INIT_ROUNDS=${INIT_ROUNDS:-40}
export STRIDEWISE_CRASH_CONCURRENT_ROUNDS=${CONCURRENT_ROUNDS:-20}
# Release build by default: a save of 10,000 elements takes seconds in a debug build.
# PROFILE=debug reuses the test build (no second build on disk), at the price of time.
PROFILE_ARGS=(--release)
[ "${PROFILE:-release}" = debug ] && PROFILE_ARGS=()
START=$SECONDS
cargo test "${PROFILE_ARGS[@]}" --locked --test workspace_crash -- --nocapture --test-threads 1 "$@" 2>&1 |
  grep --line-buffered -E '^crash:|^test |test result'
echo "crash bench: $((SECONDS - START)) s"
