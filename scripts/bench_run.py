#!/usr/bin/env python3
"""Run one benchmark program, watch the machine while it runs, append one JSON line.

Used by scripts/bench_vs_reference.sh; standard library only (runs under any python3).

  bench_run.py meta --out FILE --run-id ID [--setting KEY=VALUE ...]
  bench_run.py run  --out FILE --run-id ID --round R --arch A --program NAME [--condition idle]
                    [--exclude-pid PID] [--wait-quiet SECONDS] -- COMMAND ARGS...

`run` starts COMMAND, samples /proc/stat and the program's own CPU time every 0.25 s, and when it
exits takes the kernel's rusage for it (CPU seconds, peak RSS). It then appends one line
{"kind": "bench_run", ...} holding the program's own JSON lines ("output"), a normalized summary
("result": samples/s per epoch, the headline epoch, accuracy; or µs per op), and what else the
machine did meanwhile:

  other_cpu_frac       CPU time used by *other* processes / (wall × cores): 0.5 on a 2-core machine
                       = one core taken for the whole run (a busy loop passed as --exclude-pid is
                       not counted as "other": it is the deliberate load of the busy-core runs)
  other_cores_peak     the most cores other processes used in any 2-s window of the run
  steal_frac           time the hypervisor gave this VM's CPUs to someone else / (wall × cores)
  cores_used           the program's CPU seconds / wall seconds (≈ threads it really kept busy)
  loadavg_before/after /proc/loadavg around the run

The run is *flagged* when other_cpu_frac > BENCH_FLAG_MEAN (default 0.10), other_cores_peak >
BENCH_FLAG_PEAK (default 0.5 core) or steal_frac > BENCH_FLAG_STEAL (default 0.05).
Exit status: 0 when the program exited 0 and printed at least one JSON line, else 3.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time

HZ = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count() or 1
FLAG_MEAN = float(os.environ.get("BENCH_FLAG_MEAN", "0.10"))
FLAG_PEAK = float(os.environ.get("BENCH_FLAG_PEAK", "0.5"))
FLAG_STEAL = float(os.environ.get("BENCH_FLAG_STEAL", "0.05"))
WINDOW_S = 2.0


# ----------------------------------------------------------------------------- /proc readers
def machine_jiffies():
    """(busy incl. steal, steal, total) jiffies of the whole machine."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    total = sum(v)
    return total - v[3] - v[4], v[7], total


def pid_jiffies(pid):
    """utime + stime of a process (all its threads), 0 once it is gone."""
    if not pid:
        return 0
    try:
        with open(f"/proc/{pid}/stat") as f:
            rest = f.read().rsplit(")", 1)[1].split()
        return int(rest[11]) + int(rest[12])
    except (OSError, IndexError, ValueError):
        return 0


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return [float(x) for x in f.read().split()[:3]]
    except OSError:
        return None


def cpu_info():
    model, flags = "unknown", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and model == "unknown":
                    model = line.split(":", 1)[1].strip()
                elif line.startswith("flags") and not flags:
                    flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    wanted = ["sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512dq", "avx512cd", "avx512bw",
              "avx512vl", "avx512_vnni", "avx512_bf16", "avx512_fp16", "avx512ifma", "avx512vbmi",
              "avx512_vbmi2", "avx512_bitalg", "avx512_vpopcntdq", "avx_vnni", "amx_tile", "amx_bf16",
              "amx_int8"]
    return model, [f for f in wanted if f in flags]


def wait_quiet(max_wait, exclude_pid=0, max_busy=0.15, need=3):
    """Wait until other processes use <= max_busy of the machine for `need` 1-s windows in a row
    (at most max_wait s). Returns (seconds waited, last busy fraction)."""
    if max_wait <= 0:
        return 0.0, None
    start, ok, frac = time.time(), 0, None
    while time.time() - start < max_wait:
        b0, _, t0 = machine_jiffies()
        e0 = pid_jiffies(exclude_pid)
        time.sleep(1.0)
        b1, _, t1 = machine_jiffies()
        e1 = pid_jiffies(exclude_pid)
        frac = max(0, (b1 - b0) - (e1 - e0)) / max(1, t1 - t0)
        ok = ok + 1 if frac <= max_busy else 0
        if ok >= need:
            break
    return time.time() - start, frac


# ----------------------------------------------------------------------------- normalization
def headline_index(n_epochs):
    """Epoch 2 is the headline (epoch 1 includes warm-up and compilation); with one epoch
    (--quick) the only epoch is used, and the summary says so."""
    return min(2, n_epochs) - 1 if n_epochs else None


def normalize(program, lines):
    """One summary from the program's own JSON lines, whatever the framework's format."""
    res = {}
    tape = [l for l in lines if l.get("bench") == "op_overhead" or l.get("kind") == "tape_overhead"]
    if tape:
        for l in tape:
            if l.get("kind") == "tape_overhead":            # Rust peers: elems 1 and 16
                if l.get("elems") == 16:
                    res["us_per_op"] = l.get("us_per_op_total")
            elif l.get("framework") == "descent":           # examples/bench_tape.rs
                res["us_per_op"] = l.get("us_per_op")
            else:                                           # op_overhead.py: one line per mode
                cfg = l.get("config", {})
                if cfg.get("mode") == "fwd_bwd" and cfg.get("size", 16) == 16:
                    res["us_per_op"] = l.get("us_per_op")
        return res
    epochs = sorted((l for l in lines if l.get("kind") == "mlp_epoch"), key=lambda l: l["epoch"])
    if epochs:                                              # Rust peers: one line per epoch
        per_epoch = [l["samples_per_s"] for l in epochs]
        acc = [l["test_acc"] for l in epochs]
        res["self_peak_rss_mib"] = epochs[-1].get("peak_rss_kib", 0) / 1024
        res["self_bg_cpu_frac"] = [l.get("bg_cpu_frac") for l in epochs]
        res["versions"] = {"peer": epochs[0].get("peer")}
    else:
        main = next((l for l in lines if "samples_per_s_per_epoch" in l), None)
        if main is None:
            return res
        per_epoch = list(main["samples_per_s_per_epoch"])
        acc = main.get("test_acc", main.get("test_accuracy"))
        if acc is not None and not isinstance(acc, list):
            acc = [None] * (len(per_epoch) - 1) + [acc]       # descent: accuracy after the last epoch
        if "peak_rss_kib" in main:
            res["self_peak_rss_mib"] = main["peak_rss_kib"] / 1024
        elif "peak_rss_mib" in main:
            res["self_peak_rss_mib"] = main["peak_rss_mib"]
        if "bg_cpu_frac_per_epoch" in main:
            res["self_bg_cpu_frac"] = main["bg_cpu_frac_per_epoch"]
        for key in ("gemm_ceiling_samples_per_s", "gflops_achieved", "mflop_per_sample", "versions",
                    "rayon_threads"):
            if key in main:
                res[key] = main[key]
    i = headline_index(len(per_epoch))
    res["samples_per_s_per_epoch"] = per_epoch
    res["headline_epoch"] = i + 1 if i is not None else None
    res["samples_per_s"] = per_epoch[i] if i is not None else None
    res["test_acc"] = acc[-1] if acc else None
    return res


# ----------------------------------------------------------------------------- commands
def cmd_meta(a):
    model, flags = cpu_info()
    def out(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None
    line = {
        "kind": "bench_meta", "run_id": a.run_id, "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "host": platform.node(), "cpu_model": model, "vector_extensions": flags, "ncpu": NCPU,
        "kernel": platform.release(), "machine": platform.machine(), "loadavg": loadavg(),
        "rustc": out(["rustc", "--version"]),
        "descent_commit": out(["git", "rev-parse", "--short", "HEAD"]),
        # changes outside scripts/ (the benchmark's own files) would make the figures not those of the commit
        "descent_dirty": bool(out(["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!scripts"])),
        "settings": dict(kv.split("=", 1) for kv in a.setting),
        "flag_thresholds": {"other_cpu_frac": FLAG_MEAN, "other_cores_peak": FLAG_PEAK, "steal_frac": FLAG_STEAL},
    }
    with open(a.out, "a") as f:
        f.write(json.dumps(line) + "\n")
    print(f"# run {a.run_id}: {model}; {NCPU} cores; vector extensions: {' '.join(flags) or 'none found'}; "
          f"kernel {line['kernel']}; {line['rustc']}; descent {line['descent_commit']}"
          f"{' (uncommitted changes)' if line['descent_dirty'] else ''}", file=sys.stderr)
    return 0


class Sampler(threading.Thread):
    """Every 0.25 s: (time, machine busy, steal, program jiffies, excluded pid jiffies)."""

    def __init__(self, pid, exclude_pid):
        super().__init__(daemon=True)
        self.pid, self.exclude_pid, self.samples, self.stop = pid, exclude_pid, [], threading.Event()

    def sample(self):
        b, s, _ = machine_jiffies()
        own = pid_jiffies(self.pid)
        if self.samples and own < self.samples[-1][3]:
            return  # the program has been reaped: its counters read 0 now
        self.samples.append((time.monotonic(), b, s, own, pid_jiffies(self.exclude_pid)))

    def run(self):
        while not self.stop.wait(0.25):
            self.sample()


def peak_other_cores(samples):
    """Most cores used by other processes in any WINDOW_S-long stretch of the run."""
    best, k = 0.0, 0
    for i in range(len(samples)):
        while k + 1 < i and samples[i][0] - samples[k + 1][0] >= WINDOW_S:
            k += 1
        t0, b0, s0, p0, e0 = samples[k]
        t1, b1, s1, p1, e1 = samples[i]
        if t1 - t0 < WINDOW_S:
            continue
        other = ((b1 - b0) - (s1 - s0) - (p1 - p0) - (e1 - e0)) / HZ / (t1 - t0)
        best = max(best, other)
    return max(0.0, best)


def cmd_run(a):
    waited, quiet_frac = wait_quiet(a.wait_quiet, a.exclude_pid)
    load0 = loadavg()
    b0, s0, _ = machine_jiffies()
    e0 = pid_jiffies(a.exclude_pid)
    stderr_file = tempfile.TemporaryFile(mode="w+")
    t0 = time.monotonic()
    try:
        p = subprocess.Popen(a.command, stdout=subprocess.PIPE, stderr=stderr_file, text=True)
    except OSError as e:
        p = None
        out_text, rc, ru = "", 127, None
        stderr_file.write(f"cannot start: {e}\n")
    if p is not None:
        sampler = Sampler(p.pid, a.exclude_pid)
        sampler.sample()
        sampler.start()
        timed_out = threading.Event()

        def kill():
            timed_out.set()
            p.kill()
        timer = threading.Timer(a.timeout, kill) if a.timeout > 0 else None
        if timer:
            timer.start()
        try:
            out_text = p.stdout.read()
            _, status, ru = os.wait4(p.pid, 0)
        except KeyboardInterrupt:
            p.kill()
            raise
        finally:
            if timer:
                timer.cancel()
        p.returncode = rc = os.waitstatus_to_exitcode(status)
        sampler.stop.set()
        sampler.join()
        if timed_out.is_set():
            stderr_file.write(f"killed after the {a.timeout:.0f}-s time limit (BENCH_TIMEOUT)\n")
    wall = time.monotonic() - t0
    b1, s1, _ = machine_jiffies()
    e1 = pid_jiffies(a.exclude_pid)
    load1 = loadavg()

    lines = []
    for text in out_text.splitlines():
        text = text.strip()
        if text.startswith("{"):
            try:
                lines.append(json.loads(text))
            except json.JSONDecodeError:
                pass
    cpu_s = (ru.ru_utime + ru.ru_stime) if ru else 0.0
    steal_s = (s1 - s0) / HZ
    other_s = max(0.0, (b1 - b0) / HZ - steal_s - cpu_s - (e1 - e0) / HZ)
    other_frac = other_s / (wall * NCPU) if wall > 0 else 0.0
    steal_frac = steal_s / (wall * NCPU) if wall > 0 else 0.0
    peak = peak_other_cores(sampler.samples) if p is not None else 0.0
    reasons = []
    if other_frac > FLAG_MEAN:
        reasons.append(f"other processes used {other_frac:.2f} of the machine")
    if peak > FLAG_PEAK:
        reasons.append(f"other processes used {peak:.2f} cores in a {WINDOW_S:.0f}-s window")
    if steal_frac > FLAG_STEAL:
        reasons.append(f"hypervisor steal {steal_frac:.2f}")
    ok = rc == 0 and bool(lines)
    stderr_file.seek(0)
    err_lines = [l for l in stderr_file.read().splitlines() if l.strip()]
    err_tail = err_lines[-15:]
    # the line that says why: a Rust panic's message, a Python exception, else the last line
    why = next((l for l in err_lines if "BENCH_TIMEOUT" in l), None) or next((err_lines[i] + (" " + err_lines[i + 1].strip() if i + 1 < len(err_lines) else "")
                for i, l in enumerate(err_lines) if "panicked at" in l), None)
    why = why or next((l for l in reversed(err_lines) if "Error" in l or "error" in l), None)
    why = why or (err_lines[-1] if err_lines else "")
    record = {
        "kind": "bench_run", "run_id": a.run_id, "round": a.round, "arch": a.arch,
        "program": a.program, "condition": a.condition, "cmd": a.command,
        "threads_env": {k: os.environ[k] for k in ("RAYON_NUM_THREADS", "MATMUL_NUM_THREADS",
                                                  "OMP_NUM_THREADS") if k in os.environ},
        "ok": ok, "rc": rc, "wall_s": round(wall, 3), "cpu_s": round(cpu_s, 3),
        "cores_used": round(cpu_s / wall, 3) if wall > 0 else None,
        "maxrss_mib": round(ru.ru_maxrss / 1024, 1) if ru else None,
        "loadavg_before": load0, "loadavg_after": load1,
        "quiet_wait_s": round(waited, 1), "quiet_busy_frac": quiet_frac,
        "other_cpu_frac": round(other_frac, 4), "other_cores_peak": round(peak, 3),
        "steal_frac": round(steal_frac, 4), "busy_loop_cores": round((e1 - e0) / HZ / wall, 3) if a.exclude_pid and wall > 0 else None,
        "flagged": bool(reasons), "flag_reasons": reasons,
        "result": normalize(a.program, lines), "output": lines,
    }
    if not ok:
        record["stderr_tail"] = err_tail
        record["failure"] = why
    with open(a.out, "a") as f:
        f.write(json.dumps(record) + "\n")

    r = record["result"]
    if not ok:
        what = f"FAILED (rc {rc}{', no JSON line' if not lines else ''}): {why}"
    elif "us_per_op" in r:
        what = f"{r['us_per_op']:.3f} us/op"
    elif r.get("samples_per_s") is not None:
        acc = r.get("test_acc")
        what = (f"{r['samples_per_s']:,.0f} samples/s (epoch {r['headline_epoch']})"
                f"{f', acc {100 * acc:.2f}%' if acc is not None else ''}, peak RSS {record['maxrss_mib']:.0f} MiB")
    else:
        what = "no throughput in its output"
    print(f"  [round {a.round} {a.arch} {a.condition}] {a.program:8s} {what}; wall {wall:.1f} s, "
          f"{record['cores_used']} cores, others {other_frac:.2f} (peak {peak:.2f} cores), "
          f"load {load0[0] if load0 else '?'}->{load1[0] if load1 else '?'}"
          f"{'  FLAGGED: ' + '; '.join(reasons) if reasons else ''}", file=sys.stderr, flush=True)
    return 0 if ok else 3


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("meta")
    m.add_argument("--out", required=True)
    m.add_argument("--run-id", required=True)
    m.add_argument("--setting", action="append", default=[])
    r = sub.add_parser("run")
    r.add_argument("--out", required=True)
    r.add_argument("--run-id", required=True)
    r.add_argument("--round", type=int, required=True)
    r.add_argument("--arch", required=True)
    r.add_argument("--program", required=True)
    r.add_argument("--condition", default="idle")
    r.add_argument("--exclude-pid", type=int, default=0)
    r.add_argument("--wait-quiet", type=float, default=0)
    r.add_argument("--timeout", type=float, default=float(os.environ.get("BENCH_TIMEOUT", "1800")),
                   help="kill the program after this many seconds (default $BENCH_TIMEOUT or 1800)")
    r.add_argument("command", nargs=argparse.REMAINDER)
    a = p.parse_args()
    if a.cmd == "meta":
        return cmd_meta(a)
    if a.command and a.command[0] == "--":
        a.command = a.command[1:]
    if not a.command:
        p.error("run: no command given")
    return cmd_run(a)


if __name__ == "__main__":
    sys.exit(main())
