#!/usr/bin/env bash
# descent against JAX, PyTorch, burn, candle and dfdx on MNIST, in one run, programs alternating.
#
#   scripts/bench_vs_reference.sh [options] [RESULTS.jsonl]
#
# Round r runs every program once per arch, in turn (descent, jax, torch, burn, candle, dfdx for
# arch A, the same for B; descent, jax, torch for the CNN arch C), then the tiny-op benchmark of
# each, then (unless --no-busy) descent on arch A with one thread, and every program on arch A
# again with a busy loop pinned to core 0; then round r+1.
# Every run is wrapped by scripts/bench_run.py, which appends one JSON line to RESULTS (default
# target/bench/results.jsonl; appended to, never truncated: each invocation has its own run_id)
# with the program's output, its CPU time and peak RSS, the load average before/after, and the
# CPU other processes took meanwhile (runs where they took some are flagged). At the end
# scripts/summarize_bench.py prints the markdown tables for this run_id (also saved beside RESULTS
# as summary-RUN_ID.md): medians of descent ÷ peer ratios paired within a round, with their spread.
#
# Options:
#   --quick            1 round, 1 epoch, no busy-core runs, no quiet-machine wait (smoke test)
#   --rounds N         rounds (default 5)                      [env ROUNDS, or RUNS]
#   --epochs N         epochs per training run (default 3; epoch 2 is the headline) [env EPOCHS]
#   --archs "A B C"    archs (default "A B C"; C = CNN)       [env ARCHS]
#   --programs "..."   subset/order of: descent jax torch burn candle dfdx (default all) [env PROGRAMS]
#   --no-tape          skip the tiny-op overhead benchmark     [env TAPE=0]
#   --busy / --no-busy with/without the one-busy-core runs (default: with, except --quick) [env BUSY]
#   --busy-archs "A"   archs for the busy-core runs (default A) [env BUSY_ARCHS]
#   --quiet-wait S     before each run wait up to S s for the machine to be quiet (default 60) [env QUIET_WAIT]
#   --no-build         do not run cargo build for descent's examples first
#
# Environment (defaults in brackets):
#   PEERS_DIR [/work/peers]          where the peers were set up (outside the repo)
#   VENV [$PEERS_DIR/venv]           Python venv with numpy, torch, jax[cpu], optax
#   RUST_PEERS [$PEERS_DIR/rust/target]  cargo target dirs of ../shared/bench/rust/scripts/build.sh:
#                                    burn_mlp/release/{burn_mlp,tape_overhead_burn}, candle_mlp/...,
#                                    dfdx_mlp/release/dfdx_mlp
#   SHARED [../shared]               the reference programs (bench/python) and MNIST (data/mnist)
#   MNIST_DIR [$SHARED/data/mnist]
#   THREADS [2]                      the protocol's thread count (RAYON_NUM_THREADS, --threads)
#   LR_A [0.1] LR_B [0.05]           SGD learning rate given to the peers, to match
#                                    examples/bench_mnist.rs (which has no --lr flag; the shared
#                                    protocol text says 0.1 for both archs). Arch C uses each
#                                    program's default (0.05).
#   BENCH_FLAG_MEAN [0.10] BENCH_FLAG_PEAK [0.5] BENCH_FLAG_STEAL [0.05]  flagging thresholds
#                                    (see scripts/bench_run.py)
#   BENCH_TIMEOUT [1800]             seconds after which one program run is killed (counted as failed)
#   CARGO_TARGET_DIR                 respected when looking for descent's examples
#
# A program that is not installed is skipped with a note; one that fails is skipped for the
# rest of the run (e.g. descent's bench_mnist without --arch C), with its stderr kept in RESULTS.
# Setting up the peers: see ../shared/bench/README.md and ../shared/bench/rust/README.md (build
# them into $RUST_PEERS, one at a time, outside this repository).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

ROUNDS=${ROUNDS:-${RUNS:-5}}   # RUNS: the old name
EPOCHS=${EPOCHS:-3}
ARCHS=${ARCHS:-"A B C"}
PROGRAMS=${PROGRAMS:-"descent jax torch burn candle dfdx"}
TAPE=${TAPE:-1}
BUSY=${BUSY:-}
BUSY_ARCHS=${BUSY_ARCHS:-A}
QUIET_WAIT=${QUIET_WAIT:-}
THREADS=${THREADS:-2}
LR_A=${LR_A:-0.1}
LR_B=${LR_B:-0.05}
BUILD=1
QUICK=0
OUT=""

while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --rounds) ROUNDS=$2; shift ;;
    --epochs) EPOCHS=$2; shift ;;
    --archs) ARCHS=$2; shift ;;
    --programs) PROGRAMS=$2; shift ;;
    --no-tape) TAPE=0 ;;
    --busy) BUSY=1 ;;
    --no-busy) BUSY=0 ;;
    --busy-archs) BUSY_ARCHS=$2; shift ;;
    --quiet-wait) QUIET_WAIT=$2; shift ;;
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    *) OUT=$1 ;;
  esac
  shift
done
if [ "$QUICK" = 1 ]; then
  ROUNDS=1; EPOCHS=1
  BUSY=${BUSY:-0}; QUIET_WAIT=${QUIET_WAIT:-0}
fi
BUSY=${BUSY:-1}
QUIET_WAIT=${QUIET_WAIT:-60}

PEERS_DIR=${PEERS_DIR:-/work/peers}
VENV=${VENV:-$PEERS_DIR/venv}
RUST_PEERS=${RUST_PEERS:-$PEERS_DIR/rust/target}
SHARED=$(cd "${SHARED:-$ROOT/../shared}" 2>/dev/null && pwd) || { echo "no shared folder (set SHARED)" >&2; exit 1; }
export MNIST_DIR=${MNIST_DIR:-$SHARED/data/mnist}
PY=$SHARED/bench/python
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=${OUT:-$TARGET/bench/results.jsonl}
mkdir -p "$(dirname "$OUT")"
RUN_ID=$(date -u +%Y%m%dT%H%M%SZ)
RUNNER=(python3 "$ROOT/scripts/bench_run.py")

# The protocol's thread setting, for every program (the Python programs also get --threads).
export RAYON_NUM_THREADS=$THREADS
if [ "$THREADS" = 1 ]; then export MATMUL_NUM_THREADS=1; else unset MATMUL_NUM_THREADS; fi

note() { echo "# $*" >&2; printf '{"kind":"bench_note","run_id":"%s","note":"%s"}\n' "$RUN_ID" "$(echo "$*" | sed 's/["\\]/\\&/g')" >> "$OUT"; }

if [ "$BUILD" = 1 ]; then
  echo "# cargo build --release --example bench_mnist --example bench_tape" >&2
  cargo build --release --example bench_mnist --example bench_tape >&2 || note "cargo build of descent's examples failed"
fi

# ---------------------------------------------------------------------------- what is available
DESCENT=$TARGET/release/examples/bench_mnist
DESCENT_TAPE=$TARGET/release/examples/bench_tape
declare -A AVAILABLE=()
have_py() { [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import numpy, $1" 2>/dev/null; }
for prog in $PROGRAMS; do
  case "$prog" in
    descent) [ -x "$DESCENT" ] && AVAILABLE[$prog]=1 || note "descent skipped: $DESCENT not built" ;;
    jax)     have_py jax && AVAILABLE[$prog]=1 || note "jax skipped: 'import jax' fails in $VENV" ;;
    torch)   have_py torch && AVAILABLE[$prog]=1 || note "torch skipped: 'import torch' fails in $VENV" ;;
    burn|candle|dfdx)
      bin=$RUST_PEERS/${prog}_mlp/release/${prog}_mlp
      [ -x "$bin" ] && AVAILABLE[$prog]=1 || note "$prog skipped: $bin not built" ;;
    *) note "unknown program $prog skipped" ;;
  esac
done

# The command line of a program for an arch ("" = no such program for that arch).
command_for() { # program arch
  local lr; [ "$2" = B ] && lr=$LR_B || lr=$LR_A
  case "$1:$2" in
    descent:*)      echo "$DESCENT --arch $2 --epochs $EPOCHS --data $MNIST_DIR" ;;
    jax:C|torch:C)  echo "$VENV/bin/python $PY/mnist_cnn.py --framework $1 --epochs $EPOCHS --threads $THREADS" ;;
    jax:*|torch:*)  echo "$VENV/bin/python $PY/mnist_mlp.py --framework $1 --arch $2 --epochs $EPOCHS --threads $THREADS --lr $lr" ;;
    burn:A|burn:B)  echo "$RUST_PEERS/burn_mlp/release/burn_mlp --backend flex --arch $2 --epochs $EPOCHS --lr $lr" ;;
    candle:A|candle:B|dfdx:A|dfdx:B)
                    echo "$RUST_PEERS/${1}_mlp/release/${1}_mlp --arch $2 --epochs $EPOCHS --lr $lr" ;;
    *) echo "" ;;
  esac
}
tape_command_for() {
  case "$1" in
    descent) [ -x "$DESCENT_TAPE" ] && echo "$DESCENT_TAPE" ;;
    torch)   echo "$VENV/bin/python $PY/op_overhead.py --framework torch --size 16 --threads $THREADS" ;;
    burn)    [ -x "$RUST_PEERS/burn_mlp/release/tape_overhead_burn" ] && echo "$RUST_PEERS/burn_mlp/release/tape_overhead_burn --backend flex" ;;
    candle)  [ -x "$RUST_PEERS/candle_mlp/release/tape_overhead_candle" ] && echo "$RUST_PEERS/candle_mlp/release/tape_overhead_candle" ;;
    *) ;;  # jax jit compiles the whole chain: not a per-op figure; dfdx has no tape benchmark here
  esac
}

declare -A FAILED=()
measure() { # round arch condition program exclude_pid command...
  local round=$1 arch=$2 cond=$3 prog=$4 excl=$5; shift 5
  local key="$prog:$arch:$cond"
  [ -n "${FAILED[$key]:-}" ] && return
  if ! "${RUNNER[@]}" run --out "$OUT" --run-id "$RUN_ID" --round "$round" --arch "$arch" \
       --program "$prog" --condition "$cond" --exclude-pid "$excl" --wait-quiet "$QUIET_WAIT" -- "$@"; then
    FAILED[$key]=1
    note "$prog arch $arch ($cond) failed in round $round; skipped for the rest of this run (stderr in $OUT)"
  fi
}

"${RUNNER[@]}" meta --out "$OUT" --run-id "$RUN_ID" --setting rounds="$ROUNDS" --setting epochs="$EPOCHS" \
  --setting archs="$ARCHS" --setting programs="$PROGRAMS" --setting threads="$THREADS" \
  --setting lr_a="$LR_A" --setting lr_b="$LR_B" --setting quick="$QUICK" --setting busy="$BUSY" \
  --setting busy_archs="$BUSY_ARCHS" --setting tape="$TAPE" --setting quiet_wait_s="$QUIET_WAIT" \
  --setting venv="$VENV" --setting rust_peers="$RUST_PEERS" --setting mnist_dir="$MNIST_DIR"
echo "# results: $OUT (run_id $RUN_ID); $ROUNDS round(s), $EPOCHS epoch(s), $THREADS threads, archs $ARCHS" >&2

BUSY_PID=0
stop_busy() { if [ "$BUSY_PID" != 0 ]; then kill "$BUSY_PID" 2>/dev/null; wait "$BUSY_PID" 2>/dev/null; BUSY_PID=0; fi; }
trap 'stop_busy' EXIT
trap 'stop_busy; exit 130' INT TERM

for round in $(seq "$ROUNDS"); do
  echo "# round $round/$ROUNDS ($(date -u +%T) UTC)" >&2
  for arch in $ARCHS; do
    for prog in $PROGRAMS; do
      [ -n "${AVAILABLE[$prog]:-}" ] || continue
      cmd=$(command_for "$prog" "$arch"); [ -n "$cmd" ] || continue
      # shellcheck disable=SC2086  # the command is a plain word list (no spaces in paths)
      measure "$round" "$arch" idle "$prog" 0 $cmd
    done
  done
  if [ "$TAPE" = 1 ]; then
    for prog in $PROGRAMS; do
      [ -n "${AVAILABLE[$prog]:-}" ] || continue
      cmd=$(tape_command_for "$prog"); [ -n "$cmd" ] || continue
      # shellcheck disable=SC2086
      measure "$round" tape idle "$prog" 0 $cmd
    done
  fi
  if [ "$BUSY" = 1 ]; then
    # descent on one thread, idle machine: the speed a busy core must not push it far below.
    if [ -n "${AVAILABLE[descent]:-}" ]; then
      for arch in $BUSY_ARCHS; do
        # shellcheck disable=SC2046
        RAYON_NUM_THREADS=1 MATMUL_NUM_THREADS=1 measure "$round" "$arch" idle1t descent 0 $(command_for descent "$arch")
      done
    fi
    # One core held by a busy loop pinned to CPU 0 while each program runs with its usual threads.
    taskset -c 0 bash -c 'while :; do :; done' &
    BUSY_PID=$!
    sleep 1
    for arch in $BUSY_ARCHS; do
      for prog in $PROGRAMS; do
        [ -n "${AVAILABLE[$prog]:-}" ] || continue
        cmd=$(command_for "$prog" "$arch"); [ -n "$cmd" ] || continue
        # shellcheck disable=SC2086
        QUIET_WAIT=0 measure "$round" "$arch" busy1 "$prog" "$BUSY_PID" $cmd
      done
    done
    stop_busy
  fi
done

SUMMARY=$(dirname "$OUT")/summary-$RUN_ID.md
python3 "$ROOT/scripts/summarize_bench.py" "$OUT" --run-id "$RUN_ID" > "$SUMMARY"
cat "$SUMMARY"
echo "# summary written to $SUMMARY; raw lines (run_id $RUN_ID) appended to $OUT" >&2
