#!/usr/bin/env bash
# Load benchmark of the workspace (issue 19): WRITERS writer processes x SAVES saves each on
# the same service of one application, plus two reader processes, on a workspace file and on a
# throwaway PostgreSQL server (scripts/pg-test-server.sh). It is tests/workspace_load.rs at full
# size (CI runs it at 4x10): the same checks (no lost update, one revision per save, verify),
# and it prints throughput, p50/p95 save latency, conflicts and the load average.
# Results go by hand into the "Workspace under load" section of docs/PERFORMANCE.md.
#
# Usage: bench/pg-load.sh [WRITERSxSAVES]     (default 20x50; debug build, as the tests)
set -euo pipefail
cd "$(dirname "$0")/.."
export STRIDEWISE_LOAD=${1:-20x50} STRIDEWISE_REQUIRE_PG=1
bash scripts/pg-test-server.sh cargo test --test workspace_load -- --nocapture --test-threads=1 2>&1 |
  grep -E "writers x|^test result|panicked|failed"
