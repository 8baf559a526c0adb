#!/usr/bin/env python3
"""Medians and ratios from scripts/bench_vs_reference.sh's JSON lines, as docs/benchmarks.md."""
import json
import platform
import statistics
import subprocess
import sys
from collections import defaultdict

def first_wins(pairs):
    """The script's own `bench_run` (older files: a leading `run`) beats a program's own `run`."""
    out = {}
    for key, value in pairs:
        out.setdefault(key, value)
    out["bench_run"] = out.get("bench_run", out.get("run", 0))
    return out


rows = [json.loads(line, object_pairs_hook=first_wins) for line in open(sys.argv[1]) if line.strip()]
mlp = defaultdict(lambda: defaultdict(list))   # (system, arch) -> field -> values
tape = defaultdict(list)                        # system -> us per op


def add(system, arch, speed, rss_mib, acc, **extra):
    entry = mlp[(system, arch)]
    entry["speed"].append(speed)
    entry["rss"].append(rss_mib)
    entry["acc"].append(acc)
    for key, value in extra.items():
        entry[key].append(value)


peer_epochs = defaultdict(dict)
for r in rows:
    label = r.get("label")
    if label == "descent" and r.get("arch"):
        add("descent", r["arch"], r["samples_per_s_epoch2"], r["peak_rss_kib"] / 1024, r["test_accuracy"],
            ceiling=r["gemm_ceiling_samples_per_s"], gflops=r["gflops_achieved"])
    elif label == "descent" and r.get("bench") == "op_overhead":
        tape["descent"].append(r["us_per_op"])
    elif label == "torch" and r.get("bench") == "mnist_mlp":
        add("PyTorch (eager)", r["config"]["arch"], r["samples_per_s_epoch2"], r["peak_rss_mib"], r["test_acc"][-1])
    elif label == "torch" and r.get("bench") == "op_overhead" and r["config"]["mode"] == "fwd_bwd":
        tape["PyTorch (eager)"].append(r["us_per_op"])
    elif r.get("kind") == "mlp_epoch":
        peer_epochs[(label, r["arch"], r["bench_run"])][r["epoch"]] = r
    elif r.get("kind") == "tape_overhead" and r.get("elems") == 16:
        tape[label].append(r["us_per_op_total"])
for (label, arch, _), epochs in peer_epochs.items():
    last = epochs[max(epochs)]
    if 2 in epochs:
        add(label, arch, epochs[2]["samples_per_s"], last["peak_rss_kib"] / 1024, last["test_acc"])

med = lambda xs: statistics.median(xs) if xs else float("nan")
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
runs = max((r["bench_run"] for r in rows), default=0)

print("# Benchmarks\n")
print("All figures on this page were produced by one run of `scripts/bench_vs_reference.sh` "
      f"({runs} alternating runs of every program; medians), on {platform.node() or 'this machine'}: "
      f"{cpu}, {platform.machine()}, 2 cores; {rustc}. Regenerate with:\n")
print("```sh\nscripts/bench_vs_reference.sh          # RUNS=5 ARCHS=\"A B\" PEERS=\"candle dfdx\"\n```\n")
print("Protocol (../shared/bench): MNIST, f32, arch A = 784-128-10 ReLU with batch 64 and SGD lr 0.1; "
      "arch B = 784-512-512-10 ReLU with batch 128 and lr 0.05; momentum 0.9; mean softmax "
      "cross-entropy; reshuffled every epoch, last partial batch dropped; 2 threads; throughput = "
      "training samples per second over epoch 2; peak RSS of the whole process; accuracy on the "
      "10,000 test images after the last epoch.\n")
for arch in sorted({a for _, a in mlp}):
    base = med(mlp.get(("PyTorch (eager)", arch), {}).get("speed", []))
    print(f"## Arch {arch}\n")
    print("| system | samples/s (epoch 2) | × PyTorch | peak RSS MiB | test accuracy | runs |")
    print("|---|---|---|---|---|---|")
    for (system, a), e in sorted(mlp.items(), key=lambda kv: -med(kv[1]["speed"])):
        if a != arch:
            continue
        speed = med(e["speed"])
        ratio = f"{speed / base:.2f}" if base == base else "–"
        print(f"| {system} | {speed:,.0f} | {ratio} | {med(e['rss']):.0f} | {100 * med(e['acc']):.2f}% | {len(e['speed'])} |")
    d = mlp.get(("descent", arch))
    if d:
        print(f"\ndescent: {med(d['gflops']):.1f} GFLOP/s achieved; the matrix products alone, timed through "
              f"descent's matmul in the same process, would allow {med(d['ceiling']):,.0f} samples/s, so "
              f"training runs at {100 * med(d['speed']) / med(d['ceiling']):.0f}% of that GEMM-bound ceiling.\n")
print("## Tape overhead\n")
print("A chain of 1,000 elementwise ops (`y·c1`, `y + c2`, `tanh y`) on a 16-element f32 tensor, "
      "forward plus backward, per op (descent: `examples/bench_tape.rs`; PyTorch: "
      "`../shared/bench/python/op_overhead.py`; candle: its `tape_overhead_candle`).\n")
print("| system | µs per op | runs |\n|---|---|---|")
for system, values in sorted(tape.items(), key=lambda kv: med(kv[1])):
    print(f"| {system} | {med(values):.3f} | {len(values)} |")
print("\nWhere the time goes, criterion micro-benchmarks and the changes that moved them: "
      "[profile.md](profile.md).")
