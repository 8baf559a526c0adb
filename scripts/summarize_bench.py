#!/usr/bin/env python3
"""Markdown tables from scripts/bench_vs_reference.sh's JSON lines (written by scripts/bench_run.py).

  summarize_bench.py RESULTS.jsonl [--run-id ID]     # default: the last run in the file

Speed is compared by ratios paired within a round (descent ÷ program, both measured in the same
round, programs alternating), because the machine drifts between rounds; each ratio column gives
the median over rounds and its spread [min–max]. "unflagged" repeats the median over only the
rounds in which neither run of the pair was flagged (another process took CPU meanwhile).
Absolute figures (samples/s, peak RSS, accuracy) are medians over rounds. Standard library only.
"""
import argparse
import json
import os
import re
import statistics
import sys
from collections import defaultdict

ARCH_TEXT = {"A": "arch A (784-128-10, batch 64)", "B": "arch B (784-512-512-10, batch 128)",
             "C": "arch C (CNN, batch 64)"}
COND_TEXT = {"busy1": " (busy core)", "idle1t": " (one thread)"}
ORDER = ["descent", "jax", "torch", "burn", "candle", "dfdx"]


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def spread(xs, fmt):
    xs = [x for x in xs if x is not None]
    if not xs:
        return "–"
    if len(xs) == 1:
        return fmt(xs[0])
    return f"{fmt(statistics.median(xs))} [{fmt(min(xs))}–{fmt(max(xs))}]"


def crate_versions(rust_peers):
    """burn / candle / dfdx versions from the peers' Cargo.lock files, where they can be found."""
    found = {}
    if not rust_peers:
        return found
    base = os.path.dirname(rust_peers.rstrip("/"))
    for lock, crate, prog in (("Cargo.lock", "burn", "burn"), ("Cargo.lock", "candle-core", "candle"),
                              ("dfdx_mlp/Cargo.lock", "dfdx", "dfdx")):
        try:
            text = open(os.path.join(base, lock)).read()
        except OSError:
            continue
        m = re.search(r'name = "%s"\nversion = "([^"]+)"' % re.escape(crate), text)
        if m:
            found[prog] = m.group(1)
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results")
    ap.add_argument("--run-id", help="which run of the file (default: the last one)")
    a = ap.parse_args()

    rows = []
    for line in open(a.results):
        line = line.strip()
        if line:
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    metas = [r for r in rows if r.get("kind") == "bench_meta"]
    if not metas:
        sys.exit(f"{a.results}: no bench_meta line (not written by scripts/bench_vs_reference.sh?)")
    run_id = a.run_id or metas[-1]["run_id"]
    meta = next((m for m in metas if m["run_id"] == run_id), None)
    if meta is None:
        sys.exit(f"{a.results}: no run {run_id}")
    runs = [r for r in rows if r.get("kind") == "bench_run" and r.get("run_id") == run_id]
    notes = [r["note"] for r in rows if r.get("kind") == "bench_note" and r.get("run_id") == run_id]
    st = meta.get("settings", {})

    # (condition, arch, program) -> round -> run
    by = defaultdict(dict)
    for r in runs:
        by[(r["condition"], r["arch"], r["program"])][r["round"]] = r
    versions = crate_versions(st.get("rust_peers"))
    for r in runs:
        v = (r.get("result") or {}).get("versions") or {}
        if r["program"] in ("jax", "torch") and r["program"] in v:
            versions.setdefault(r["program"], v[r["program"]])

    def name(prog):
        ver = versions.get(prog)
        base = {"jax": "JAX{} jit", "torch": "PyTorch{} eager", "burn": "burn{} flex", "candle": "candle{}",
                "dfdx": "dfdx{}", "descent": "descent{}"}.get(prog, prog + "{}")
        return base.format(f" {ver}" if ver else "")

    def ok(run):
        return run is not None and run.get("ok") and (run.get("result") or {}).get("samples_per_s")

    def paired(cond, arch, prog, value=lambda d, p: d / p):
        """[(round, ratio, either flagged)] for the rounds where descent and prog both succeeded."""
        d_runs, p_runs = by.get((cond, arch, "descent"), {}), by.get((cond, arch, prog), {})
        out = []
        for rnd in sorted(set(d_runs) & set(p_runs)):
            d, p = d_runs[rnd], p_runs[rnd]
            if ok(d) and ok(p):
                out.append((rnd, value(d["result"]["samples_per_s"], p["result"]["samples_per_s"]),
                            d["flagged"] or p["flagged"]))
        return out

    def busy_vs_one_thread(arch):
        busy, one = by.get(("busy1", arch, "descent"), {}), by.get(("idle1t", arch, "descent"), {})
        return [busy[r]["result"]["samples_per_s"] / one[r]["result"]["samples_per_s"]
                for r in sorted(set(busy) & set(one)) if ok(busy[r]) and ok(one[r])]

    def busy_vs_idle(arch, prog="descent"):
        busy, idle = by.get(("busy1", arch, prog), {}), by.get(("idle", arch, prog), {})
        return [busy[r]["result"]["samples_per_s"] / idle[r]["result"]["samples_per_s"]
                for r in sorted(set(busy) & set(idle)) if ok(busy[r]) and ok(idle[r])]

    epochs = int(st.get("epochs", 0) or 0)
    head_epoch = min(2, epochs) if epochs else "?"
    n_rounds = int(st.get("rounds", 0) or 0)
    programs = [p for p in ORDER if any(k[2] == p for k in by)] + sorted({k[2] for k in by} - set(ORDER))
    archs = [x for x in ("A", "B", "C") if any(k[1] == x and k[0] == "idle" for k in by)]
    f2 = lambda x: f"{x:.2f}"
    fk = lambda x: f"{x:,.0f}"

    print(f"## Run {run_id}\n")
    flags = ", ".join(meta.get("vector_extensions", [])) or "none found"
    print(f"Machine: {meta.get('cpu_model')}, {meta.get('ncpu')} cores ({meta.get('machine')}), "
          f"vector extensions: {flags}; Linux {meta.get('kernel')}; {meta.get('rustc')}; descent "
          f"{meta.get('descent_commit')}{' with uncommitted changes' if meta.get('descent_dirty') else ''}; "
          f"started {meta.get('date_utc')}.\n")
    quick = st.get("quick") == "1"
    print(f"Settings: {n_rounds} round(s), programs alternating within each round; {epochs} epoch(s) per "
          f"training run, throughput = training samples/s over epoch {head_epoch}"
          f"{' (quick mode: epoch 1 includes warm-up and compilation, so these are not headline figures)' if head_epoch == 1 else ''}; "
          f"{st.get('threads')} threads; SGD momentum 0.9, lr {st.get('lr_a')} (A), {st.get('lr_b')} (B), "
          f"each program's default for C; peak RSS = the kernel's maximum resident set of the process "
          f"(the Rust peers reset theirs after loading the data).\n")
    if quick:
        print("**Quick mode (smoke test): one round, one epoch; do not quote these figures.**\n")

    # ------------------------------------------------------------------ flagged runs, by round
    flagged = defaultdict(list)
    for r in runs:
        if r.get("flagged"):
            flagged[r["round"]].append(f"{r['program']} {r['arch']}{COND_TEXT.get(r['condition'], '')}: "
                                       + "; ".join(r.get("flag_reasons", [])))
    if flagged:
        print("Flagged rounds (another process took CPU during these runs; the \"unflagged\" columns leave "
              "such pairs out):\n")
        for rnd in sorted(flagged):
            print(f"- round {rnd}: " + " · ".join(flagged[rnd]))
        print()
    else:
        print("Flagged rounds: none (no other process took a measurable share of the CPU).\n")

    # ------------------------------------------------------------------ headline ratios
    head_rows = []
    for prog in programs:
        if prog == "descent":
            continue
        cells = []
        for arch in archs:
            pr = paired("idle", arch, prog)
            cells.append(spread([x[1] for x in pr], f2) if pr else "–")
        if any(c != "–" for c in cells):
            head_rows.append(f"| {name(prog)} | " + " | ".join(cells) + " |")
    if head_rows:
        print("### descent ÷ peer (training samples/s; medians of within-round ratios [min–max])\n")
        print("| descent ÷ peer | " + " | ".join(ARCH_TEXT[x] for x in archs) + " |")
        print("|---|" + "---|" * len(archs))
        print("\n".join(head_rows) + "\n")
    elif archs:
        print("No descent ÷ peer ratios: no round has both descent and a peer measured on the same arch.\n")

    # ------------------------------------------------------------------ per arch
    for arch in archs:
        print(f"### {ARCH_TEXT[arch]}\n")
        print("| program | samples/s | descent ÷ program | rounds | unflagged: ratio (rounds) | peak RSS MiB | test accuracy | cores used |")
        print("|---|---|---|---|---|---|---|---|")
        for prog in programs:
            rr = by.get(("idle", arch, prog), {})
            good = [r for r in rr.values() if ok(r)]
            if not rr:
                continue
            if not good:
                print(f"| {name(prog)} | failed | | | | | | |")
                continue
            sps = [r["result"]["samples_per_s"] for r in good]
            pr = paired("idle", arch, prog) if prog != "descent" else []
            clean = [x[1] for x in pr if not x[2]]
            ratio = spread([x[1] for x in pr], f2) if pr else ("1" if prog == "descent" else "–")
            clean_txt = f"{f2(med(clean))} ({len(clean)})" if clean else ("–" if prog != "descent" else "")
            acc = med([r["result"].get("test_acc") for r in good])
            print(f"| {name(prog)} | {spread(sps, fk)} | {ratio} | {len(pr) if pr else len(good)} | {clean_txt} | "
                  f"{med([r.get('maxrss_mib') for r in good]):.0f} | "
                  f"{f'{100 * acc:.2f}%' if acc is not None else '–'} | {med([r.get('cores_used') for r in good]):.2f} |")
        d = [r for r in by.get(("idle", arch, "descent"), {}).values() if ok(r)]
        ceil = [r["result"]["samples_per_s"] / r["result"]["gemm_ceiling_samples_per_s"] for r in d
                if r["result"].get("gemm_ceiling_samples_per_s")]
        if ceil:
            gf = med([r["result"].get("gflops_achieved") for r in d])
            print(f"\ndescent trains at {spread([100 * c for c in ceil], lambda x: f'{x:.0f}%')} of its own in-process "
                  f"GEMM ceiling (the same products timed alone through descent's matmul: "
                  f"{med([r['result']['gemm_ceiling_samples_per_s'] for r in d]):,.0f} samples/s); "
                  f"{gf:.1f} GFLOP/s achieved.")
        print(f"\nAccuracy: on the 10,000 test images after {epochs} epoch(s).\n")

    # ------------------------------------------------------------------ busy core
    busy_archs = sorted({k[1] for k in by if k[0] == "busy1"})
    for arch in busy_archs:
        print(f"### One core busy: {ARCH_TEXT.get(arch, arch)}, a busy loop pinned to core 0\n")
        print("| program | samples/s, no busy loop | samples/s, one core busy | busy ÷ no busy loop (same round) | descent ÷ program, busy | flagged |")
        print("|---|---|---|---|---|---|")
        for prog in programs:
            busy = by.get(("busy1", arch, prog), {})
            if not busy:
                continue
            idle = by.get(("idle", arch, prog), {})
            b_ok = {rnd: r for rnd, r in busy.items() if ok(r)}
            if not b_ok:
                print(f"| {name(prog)} | | failed | | | |")
                continue
            slow = [b_ok[rnd]["result"]["samples_per_s"] / idle[rnd]["result"]["samples_per_s"]
                    for rnd in b_ok if ok(idle.get(rnd))]
            pr = paired("busy1", arch, prog) if prog != "descent" else []
            nflag = sum(1 for r in b_ok.values() if r["flagged"])
            print(f"| {name(prog)} | {spread([r['result']['samples_per_s'] for r in idle.values() if ok(r)], fk)} | "
                  f"{spread([r['result']['samples_per_s'] for r in b_ok.values()], fk)} | {spread(slow, f2)} | "
                  f"{spread([x[1] for x in pr], f2) if pr else ('1' if prog == 'descent' else '–')} | {nflag} of {len(b_ok)} |")
        one = busy_vs_one_thread(arch)
        if one:
            print(f"\ndescent on one thread, without the busy loop: "
                  f"{spread([r['result']['samples_per_s'] for r in by[('idle1t', arch, 'descent')].values() if ok(r)], fk)} "
                  f"samples/s; with one core busy (two threads) it runs at {spread(one, f2)}× that (same round).")
        print()

    # ------------------------------------------------------------------ tiny op
    tape = {prog: {r["round"]: r for r in rr.values() if r.get("ok") and (r.get("result") or {}).get("us_per_op")}
            for (cond, arch, prog), rr in by.items() if arch == "tape"}
    if tape:
        print("### Tiny-op overhead\n")
        print("A chain of 1,000 elementwise ops (`y·c1`, `y + c2`, `tanh y`) on a 16-element f32 tensor, "
              "forward + backward, µs per op (descent: `examples/bench_tape.rs`; PyTorch: "
              "`../shared/bench/python/op_overhead.py`; burn-flex and candle: their `tape_overhead_*`).\n")
        print("| program | µs per op | program ÷ descent (same round) | rounds |")
        print("|---|---|---|---|")
        d = tape.get("descent", {})
        for prog in sorted(tape, key=lambda p: med([r["result"]["us_per_op"] for r in tape[p].values()]) or 0):
            t = tape[prog]
            us = [r["result"]["us_per_op"] for r in t.values()]
            rel = [t[rnd]["result"]["us_per_op"] / d[rnd]["result"]["us_per_op"] for rnd in t if rnd in d]
            print(f"| {name(prog)} | {spread(us, lambda x: f'{x:.3f}')} | "
                  f"{'1' if prog == 'descent' else spread(rel, lambda x: f'{x:.1f}')} | {len(us)} |")
        print()

    # ------------------------------------------------------------------ issue 8's targets
    def runs_of(cond, arch, prog):
        return [r for r in by.get((cond, arch, prog), {}).values() if ok(r)]

    targets = []   # (target, measured text, met: True/False/None)
    for arch, jax_min, torch_min in (("A", 1.3, 2.0), ("B", 1.1, 1.5)):
        for prog, want in (("jax", jax_min), ("torch", torch_min)):
            pr = [x[1] for x in paired("idle", arch, prog)]
            if pr:
                targets.append((f"arch {arch}: descent ≥ {want}× {name(prog)}", spread(pr, f2), med(pr) >= want))
    for arch, want in (("A", 75), ("B", 85)):
        d = runs_of("idle", arch, "descent")
        c = [100 * r["result"]["samples_per_s"] / r["result"]["gemm_ceiling_samples_per_s"] for r in d
             if r["result"].get("gemm_ceiling_samples_per_s")]
        if c:
            targets.append((f"arch {arch}: ≥ {want}% of descent's own GEMM ceiling", spread(c, lambda x: f"{x:.0f}%"),
                            med(c) >= want))
    for arch in ("A", "B"):
        d, t = runs_of("idle", arch, "descent"), runs_of("idle", arch, "torch")
        if d and t:
            ratio = med([r["maxrss_mib"] for r in d]) / med([r["maxrss_mib"] for r in t])
            targets.append((f"arch {arch}: peak RSS ≤ ⅓ of PyTorch's", f"{ratio:.2f} of it "
                            f"({med([r['maxrss_mib'] for r in d]):.0f} vs {med([r['maxrss_mib'] for r in t]):.0f} MiB)",
                            ratio <= 1 / 3))
    for arch in busy_archs:
        bi = busy_vs_idle(arch)
        if bi:
            targets.append((f"arch {arch}, one core busy: ≤ 15% slower than without the busy loop (ratio ≥ 0.85)", spread(bi, f2),
                            med(bi) >= 0.85))
        b1 = busy_vs_one_thread(arch)
        if b1:
            targets.append((f"arch {arch}, one core busy: ≤ 15% slower than descent's one-thread speed", spread(b1, f2),
                            med(b1) >= 0.85))
    tape_d = [r["result"]["us_per_op"] for r in tape.get("descent", {}).values()] if tape else []
    if tape_d:
        targets.append(("tiny op ≤ 0.3 µs (forward + backward)", spread(tape_d, lambda x: f"{x:.3f} µs"), med(tape_d) <= 0.3))
    for arch in ("A", "B"):
        d, t = runs_of("idle", arch, "descent"), runs_of("idle", arch, "torch")
        da, ta = med([r["result"].get("test_acc") for r in d]), med([r["result"].get("test_acc") for r in t])
        if da is not None and ta is not None:
            diff = 100 * (da - ta)
            targets.append((f"arch {arch}: accuracy within 0.3 points of PyTorch's (after {epochs} epoch(s); the "
                            "target is stated for 3)", f"{100 * da:.2f}% vs {100 * ta:.2f}% ({diff:+.2f} points)",
                            abs(diff) <= 0.3 if epochs >= 3 else None))
    if quick or epochs < 2:
        targets = [(what, measured, None) for what, measured, _ in targets]
    if targets:
        print("### Issue 8's targets\n")
        if quick or epochs < 2:
            print("(Quick mode or one epoch: not judged.)\n")
        print("Medians of within-round ratios [min–max]; \"0 bytes per steady-state step\" is proven by the "
              "counting-allocator test, not measured here.\n")
        print("| target | measured | met |\n|---|---|---|")
        for what, measured, met in targets:
            print(f"| {what} | {measured} | {'–' if met is None else ('yes' if met else '**no**')} |")
        print()

    # ------------------------------------------------------------------ notes
    failed = [r for r in runs if not r.get("ok")]
    if notes or failed:
        print("### Notes\n")
        for n in notes:
            print(f"- {n}")
        for r in failed:
            tail = (r.get("failure") or (r.get("stderr_tail") or [""])[-1])[:300].replace("`", "'")
            print(f"- round {r['round']}, {r['program']} arch {r['arch']} ({r['condition']}) failed, rc {r['rc']}: `{tail}`")
        print()


if __name__ == "__main__":
    main()
