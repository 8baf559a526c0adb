#!/usr/bin/env bash
# descent against PyTorch and the Rust peers on MNIST, measured in one run, programs alternating.
#
#   scripts/bench_vs_reference.sh            # RUNS=5 ARCHS="A B" PEERS="candle dfdx"
#   RUNS=3 PEERS="" scripts/bench_vs_reference.sh
#
# Needs ../shared (the reference programs and MNIST). PyTorch is installed on demand into .venv
# from PyPI; the Rust peers are copied out of the read-only ../shared/bench/rust into
# target/peers and built with cargo (candle ~4 min, dfdx ~1 min, burn 10-19 min from scratch).
# Raw JSON lines go to target/bench/results.jsonl; the summary is written to docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=$(cd "${SHARED:-../shared}" && pwd)
RUNS=${RUNS:-5}
ARCHS=${ARCHS:-"A B"}
PEERS=${PEERS-"candle dfdx"}
EPOCHS=${EPOCHS:-3}
OUT=target/bench/results.jsonl
mkdir -p target/bench
export MNIST_DIR="$SHARED/data/mnist"

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c "import torch, numpy" 2>/dev/null; then
  python3 -m venv .venv
  .venv/bin/pip install -q numpy torch
fi

cargo build --release --example bench_mnist --example bench_tape
if [ -n "$PEERS" ]; then
  mkdir -p target/peers
  (cd "$SHARED/bench/rust" && tar --exclude=./target -cf - .) | (cd target/peers && tar -xf -)
  chmod -R u+w target/peers
  for peer in $PEERS; do (cd target/peers && bash scripts/build.sh "${peer}_mlp"); done
fi

quiet() { .venv/bin/python "$SHARED/bench/python/wait_quiet.py" --timeout 120 2>/dev/null || true; }
record() { # run label command...: append the command's JSON lines, tagged with run and label
  local run=$1 label=$2; shift 2
  "$@" 2>/dev/null | grep '^{' | sed "s/^{/{\"bench_run\":$run,\"label\":\"$label\",/" >> "$OUT" || true
}
lr() { [ "$1" = B ] && echo 0.05 || echo 0.1; }

: > "$OUT"
for run in $(seq "$RUNS"); do
  for arch in $ARCHS; do
    quiet; record "$run" descent target/release/examples/bench_mnist --arch "$arch" --epochs "$EPOCHS" --data "$MNIST_DIR"
    quiet; record "$run" torch .venv/bin/python "$SHARED/bench/python/mnist_mlp.py" --framework torch --arch "$arch" --epochs "$EPOCHS" --lr "$(lr "$arch")"
    for peer in $PEERS; do
      quiet; RAYON_NUM_THREADS=2 record "$run" "$peer" "target/peers/target/${peer}_mlp/release/${peer}_mlp" --arch "$arch" --epochs "$EPOCHS" --lr "$(lr "$arch")"
    done
  done
  quiet; record "$run" descent target/release/examples/bench_tape
  quiet; record "$run" torch .venv/bin/python "$SHARED/bench/python/op_overhead.py" --framework torch
  if [[ " $PEERS " == *" candle "* ]]; then
    quiet; record "$run" candle target/peers/target/candle_mlp/release/tape_overhead_candle
  fi
done

python3 scripts/summarize_bench.py "$OUT" > docs/benchmarks.md
echo "wrote docs/benchmarks.md from $OUT"
