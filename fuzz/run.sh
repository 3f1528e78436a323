#!/usr/bin/env bash
# Runs every fuzz target (the importers, the rule-pack loader and the condition language) for a
# bounded time, seeded with the project's interop fixtures, the built-in catalog and its
# conditions, and, when STRIDEWISE_CORPUS names the shared corpus, with its third-party files too.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 60 s; all targets)
#
# Installs cargo-fuzz from crates.io when it is missing (`cargo install cargo-fuzz --locked`,
# the version below). On stable Rust it sets RUSTC_BOOTSTRAP=1 so that cargo fuzz may pass its
# nightly-only flags (sanitizers). It builds every target first, then runs the ones asked for
# and ends with a table: runs, executions per second, peak memory and crashes per target.
# Crashes land in fuzz/artifacts/<target>/; seeds and discoveries in fuzz/corpus/<target>/
# (both ignored by git), so a crash that is fixed gets its input committed as a fixture of a
# regression test beside the project's other tests.
# Exits 1 when any target crashed.
set -euo pipefail
# Resolved before the cd below, so a relative STRIDEWISE_CORPUS means what the caller meant.
SHARED=""
if [ -n "${STRIDEWISE_CORPUS:-}" ]; then
  [ -f "$STRIDEWISE_CORPUS/SOURCES.md" ] || { echo "STRIDEWISE_CORPUS names '$STRIDEWISE_CORPUS', which is not the shared corpus (no SOURCES.md there)" >&2; exit 2; }
  SHARED=$(cd "$STRIDEWISE_CORPUS" && pwd)
else
  echo "fuzz: seeded with tests/fixtures/interop only; set STRIDEWISE_CORPUS to the shared corpus folder to seed with its files too"
fi
cd "$(dirname "$0")"
FIXTURES=../tests/fixtures/interop
SECONDS_PER_TARGET="${1:-60}"
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(threat_dragon tmt threagile rule_pack condition)

CARGO_FUZZ_VERSION=0.13.2
if ! command -v cargo-fuzz >/dev/null; then
  echo "fuzz: installing cargo-fuzz $CARGO_FUZZ_VERSION from crates.io"
  cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION"
fi
export RUSTC_BOOTSTRAP=1

seed() {
  local target=$1 dir=corpus/$1
  mkdir -p "$dir"
  case $target in
    threat_dragon) cp -f "$FIXTURES"/threat-dragon/*.json "$dir"/ ;;
    tmt) cp -f "$FIXTURES"/tmt/*.tm7 "$dir"/ ;;
    threagile) cp -f "$FIXTURES"/threagile/*.yaml "$FIXTURES"/threagile/split/*.yaml "$dir"/ ;;
    rule_pack) cp -f ../catalog/*.toml ../catalog/threats/*.toml "$dir"/ ;;
    # Every `when` and `in_place` of the built-in catalog, one file each.
    condition)
      grep -rhoE '^(when|in_place) *= *"[^"]*"' ../catalog | sed -E 's/^[a-z_]+ *= *"(.*)"$/\1/' |
        sort -u | awk -v d="$dir" '{ f = sprintf("%s/c%04d", d, NR); print > f; close(f) }' ;;
  esac
  [ -n "$SHARED" ] || return 0
  case $target in
    threat_dragon) cp -f "$SHARED"/threat-dragon/*.json "$dir"/ ;;
    tmt)
      cp -f "$SHARED"/tmt/*.tm7 "$dir"/
      # Small seeds too: the same files without their 1 MB embedded knowledge base, so that
      # mutations reach the drawing and threat code more often.
      for f in "$SHARED"/tmt/*.tm7; do
        perl -0pe 's/<KnowledgeBase.*<\/KnowledgeBase>//s' "$f" > "$dir/nokb-$(basename "$f")"
      done ;;
    threagile) cp -f "$SHARED"/threagile/stub.yaml "$SHARED"/threagile/split/*.yaml "$dir"/ ;;
    *) ;;
  esac
}

echo "== building every target"
cargo fuzz build -O

mkdir -p logs
SUMMARY=()
FAILED=0
for t in "${TARGETS[@]}"; do
  seed "$t"
  case $t in tmt) MAX_LEN=1400000 ;; *) MAX_LEN=200000 ;; esac
  echo "== $t: ${SECONDS_PER_TARGET}s"
  mkdir -p "artifacts/$t"
  before=$(find "artifacts/$t" -type f | wc -l)
  status=0
  cargo fuzz run -O "$t" "corpus/$t" -- \
    -max_total_time="$SECONDS_PER_TARGET" -max_len="$MAX_LEN" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 2>&1 | tee "logs/$t.log" || status=$?
  # libFuzzer's final statistics; it stops at the first crash, so crashes are 0 or 1 a run.
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "logs/$t.log" | tail -1)
  per_s=$(sed -n 's/^stat::average_exec_per_sec: *//p' "logs/$t.log" | tail -1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "logs/$t.log" | tail -1)
  crashes=$(($(find "artifacts/$t" -type f | wc -l) - before))
  [ "$status" -eq 0 ] && [ "$crashes" -eq 0 ] || FAILED=1
  SUMMARY+=("$t | ${runs:-?} | ${per_s:-?} | ${rss:-?} MB | $crashes | exit $status")
done

echo "== fuzz summary (${SECONDS_PER_TARGET}s per target): target | runs | runs/s | peak RSS | crashes | status"
printf '%s\n' "${SUMMARY[@]}"
exit "$FAILED"
