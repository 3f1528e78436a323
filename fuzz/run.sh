#!/usr/bin/env bash
# Runs every importer's fuzz target for a bounded time, seeded with the shared corpus.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 60 s; all targets)
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`). On stable Rust it sets
# RUSTC_BOOTSTRAP=1 so that cargo fuzz may pass its nightly-only flags (sanitizers). Crashes
# land in fuzz/artifacts/<target>/; seeds and discoveries in fuzz/corpus/<target>/ (ignored
# by git: the corpus files are not copied into the repository).
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_PER_TARGET="${1:-60}"
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(threat_dragon tmt threagile)

SHARED=""
for c in ../../shared/corpus ../../../shared/corpus; do
  [ -f "$c/SOURCES.md" ] && SHARED="$c" && break
done
[ -n "$SHARED" ] || { echo "the shared corpus is not found" >&2; exit 2; }
command -v cargo-fuzz >/dev/null || { echo "install cargo-fuzz: cargo install cargo-fuzz --locked" >&2; exit 2; }
export RUSTC_BOOTSTRAP=1

seed() {
  local target=$1 dir=corpus/$1
  mkdir -p "$dir"
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
  esac
}

for t in "${TARGETS[@]}"; do
  seed "$t"
  case $t in tmt) MAX_LEN=1400000 ;; *) MAX_LEN=200000 ;; esac
  echo "== $t: ${SECONDS_PER_TARGET}s"
  cargo fuzz run -O "$t" "corpus/$t" -- \
    -max_total_time="$SECONDS_PER_TARGET" -max_len="$MAX_LEN" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1
done
