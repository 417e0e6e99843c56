#!/usr/bin/env bash
# Everything issue 22 still has to measure on a GPU, in one device run (about 6 minutes on an
# H100/H200; every part is capped so the whole stays under GPU_ALL_BUDGET_S, default 500 s):
#
#   here, once:   ../shared/tools/gpu-carry.sh && npm run bench:node:bundle
#   device run:   carry [".gpu", "dist-bench"], timeout_s 600,
#                 command `. .gpu/env.sh && bash scripts/bench-node/gpu-all.sh`
#   afterwards:   $OUT/table.md holds BENCHMARKS.md's rows (scripts/bench-node/table.ts); the
#                 JSON lines of every part come back beside it.
#
# Parts, most important first; each writes $OUT/<part>.jsonl, prints one summary line, and a part
# that fails or times out does not stop the later ones:
#   ref       the reference comparison, not --quick: matmul 256 … 4096 (4096: goal ≥ 45 TFLOP/s)
#             and the four models at their reference batches against PyTorch eager and CUDA graph
#   batches   each model at batch 8 and 512 (--batch 8,512 --only batch=), eager and CUDA graph
#   fallback  ours with the fallback kernel forms (--paths fallback): the four models and matmul
#             4096, to set against ref's hardware forms on the same GPU (ours only)
#   norobust  ours with Dawn's robustness off (--no-robustness; ours only)
#   unfused   ours with conv2d + max pool as the plain pair (--no-convpool): cnn-mnist (ours only)
#   profile   --quick --profile: each model's step per kernel (ours only)
# plus `--check 512` first (matmul and the dot kernel against float64; its lines go to the log).
# At most 8 files come back from a device run: these 6, table.md and gpu-all.log (8).
#
# GPU_ALL_SMOKE=1 runs the same parts on tiny items (--quick, matmul n=256, mlp at batch 8), to
# check the script itself on SwiftShader here: `OUT=/tmp/g GPU_ALL_SMOKE=1 bash scripts/bench-node/gpu-all.sh`.
# GPU_ALL_DRY=1 only prints each part's command line.
set -u
cd "$(dirname "$0")/../.."
: "${OUT:?set OUT to the folder for the results (the device run sets it)}"
mkdir -p "$OUT"
BUNDLE=dist-bench/bench-node.mjs
TABLE=dist-bench/table.mjs
LOG="$OUT/gpu-all.log"
BUDGET=${GPU_ALL_BUDGET_S:-500}
START=$(date +%s)
say() { echo "gpu-all: $*" | tee -a "$LOG"; }

if [ ! -f "$BUNDLE" ] || [ ! -f "$TABLE" ]; then
  say "no $BUNDLE or $TABLE: run \`npm run bench:node:bundle\` here and carry dist-bench"
  exit 1
fi
say "start $(date -u +%FT%TZ); bundle $(cat dist-bench/build.json 2>/dev/null); node $(node --version); DAWN_NODE=${DAWN_NODE:-unset}"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,temperature.gpu --format=csv,noheader 2>&1 | tee -a "$LOG"

NOROBUST=(--no-robustness)

if [ -n "${GPU_ALL_SMOKE:-}" ]; then
  Q=(--quick); REF=(--only 'matmul n=256$'); BATCH=(--batch 8 --only 'train mlp-mnist batch=')
  ABONLY='matmul n=256$'; PROFILE=()
else
  Q=(); REF=(); BATCH=(--batch 8,512 --only 'batch=')
  ABONLY='train (mlp-mnist|cnn-mnist|lstm|transformer)$|matmul n=4096$'; PROFILE=(--quick --profile --only 'train ')
fi

# part NAME LIMIT_S ARGS…: one bench:node run into $OUT/NAME.jsonl, its text into the log.
part() {
  local name=$1 limit=$2; shift 2
  local left=$((BUDGET - ($(date +%s) - START)))
  if [ "$left" -lt 20 ]; then say "$name: skipped, ${left} s of the ${BUDGET} s budget left"; return; fi
  [ "$limit" -gt "$left" ] && limit=$left
  local t=$(date +%s)
  echo "=== $name: node $BUNDLE $* (limit ${limit} s)" >>"$LOG"
  if [ -n "${GPU_ALL_DRY:-}" ]; then say "$name: node $BUNDLE --out $OUT/$name.jsonl $* (limit ${limit} s)"; return; fi
  timeout -k 10 "$limit" node "$BUNDLE" --out "$OUT/$name.jsonl" "$@" >>"$LOG" 2>&1
  local rc=$?
  say "$name (rc $rc, $(( $(date +%s) - t )) s$([ $rc -eq 124 ] && echo ', TIMED OUT')): $(node "$TABLE" --summary "$OUT/$name.jsonl" 2>&1 | sed "s|$OUT/||")"
}

echo "=== check: node $BUNDLE --check 512" >>"$LOG"
if [ -z "${GPU_ALL_DRY:-}" ]; then
  timeout -k 5 60 node "$BUNDLE" --check 512 >>"$LOG" 2>&1; say "check 512: rc $? (0: matmul and dot kernel within tolerance; see the log)"
fi

part ref      210 "${Q[@]}" "${REF[@]}" --no-tfjs
part batches  170 "${Q[@]}" "${BATCH[@]}" --no-tfjs
part fallback  60 "${Q[@]}" --paths fallback --only "$ABONLY" --no-torch --no-tfjs
part norobust  60 "${Q[@]}" "${NOROBUST[@]}" --only "$ABONLY" --no-torch --no-tfjs
part unfused   30 "${Q[@]}" --no-convpool --only 'train cnn-mnist$' --no-torch --no-tfjs
[ ${#PROFILE[@]} -gt 0 ] && part profile 50 "${PROFILE[@]}" --no-torch --no-tfjs

node "$TABLE" "$OUT"/ref.jsonl "$OUT"/batches.jsonl "$OUT"/fallback.jsonl "$OUT"/norobust.jsonl >"$OUT/table.md" 2>>"$LOG"
say "done in $(( $(date +%s) - START )) s; table: $OUT/table.md"
cat "$OUT/table.md"
