"""qnxhost round trip against the machine's thread-to-thread round trips (issue 11):
benchmarks/pingpong.c at -O2, in one run, so a busy machine moves both sides alike.

Two placements, each with every mode, alternating run by run:
- free: the scheduler places the threads, as it does a driver and its clients. The goal
  (qnxhost >= 0.8x the futex ping-pong) is measured here. With the threads on different
  CPUs, a futex hand-off is a cross-CPU wake-up (tens of µs in a VM), while qnxhost's
  waiters poll their word for a few µs first (qnxhost/src/futex.c) and mostly never sleep;
  the spin ping-pong does the same, so qnxhost / spin is the like-for-like figure;
- one CPU (a diagnostic): the process is pinned to one CPU, where nothing polls (the peer
  could not run meanwhile) and a hand-off is a local context switch: the sleeping path's cost.

Rows: round trips per second of the futex, spin and mutex+condvar ping-pongs and the
qnxhost devctl round trip (median of --repeat runs), the qnxhost rate as a ratio of each (the
median of the ratios within each run: paired, so load that comes and goes moves both sides),
the same ratio by process CPU time per round trip (what a round trip costs, whatever else the
machine runs), and, when valgrind is installed, callgrind instructions per round trip on one
CPU (the difference of two run lengths, so start-up does not count). Measurements only, no
thresholds.

    python benchmarks/bench_runtime.py [--rounds N] [--repeat N]     (also part of make bench)
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Optional

REPO = Path(__file__).resolve().parent.parent
QNXHOST = REPO / "qnxhost"
CC = os.environ.get("CC", "cc")
MODES = ("futex", "spin", "condvar", "qnxhost")


def build(tmp: Path) -> Path:
    srcs = sorted(p for p in (QNXHOST / "src").glob("*.c") if not p.name.startswith("fuse"))
    exe = tmp / "pingpong"
    cmd = [CC, "-std=c11", "-O2", "-g", "-pthread", "-D_DEFAULT_SOURCE", "-isystem", QNXHOST / "include",
           REPO / "benchmarks" / "pingpong.c", *srcs, "-o", exe]
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"pingpong build failed:\n{r.stderr}")
    return exe


def run_both(exe: Path, rounds: int, mode: str = "all", cpu: Optional[int] = None) -> tuple:
    """Round trips of each mode per second, and per CPU second of the whole process; with
    `cpu`, the process (so every thread it starts) runs on that CPU only."""
    pin = (lambda: os.sched_setaffinity(0, {cpu})) if cpu is not None else None
    out = subprocess.run([str(exe), str(rounds), mode], capture_output=True, text=True, timeout=600, check=True,
                         preexec_fn=pin)
    wall, per_cpu = {}, {}
    for line in out.stdout.splitlines():
        f = dict(part.split("=", 1) for part in line.split())
        wall[f["mode"]] = int(f["rounds"]) / float(f["seconds"])
        per_cpu[f["mode"]] = int(f["rounds"]) / max(float(f["cpu"]), 1e-9)
    return wall, per_cpu


def run(exe: Path, rounds: int, mode: str = "all") -> dict:
    return run_both(exe, rounds, mode)[0]


def one_cpu() -> None:
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def instructions(exe: Path, rounds: int, mode: str, tmp: Path) -> float:
    """Callgrind instructions per round trip: (Ir(2n) - Ir(n)) / n, on one CPU (valgrind runs
    one thread at a time: a waiter's poll would only count the time until the peer runs)."""
    def total(n: int) -> int:
        out = tmp / f"cg.{mode}.{n}"
        r = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", str(exe), str(n), mode],
                           capture_output=True, text=True, timeout=600, preexec_fn=one_cpu)
        for line in r.stderr.splitlines():
            if "Collected" in line:
                return int(line.split(":")[1].strip().replace(",", ""))
        raise SystemExit(f"callgrind gave no total:\n{r.stderr}")
    return (total(2 * rounds) - total(rounds)) / rounds


def measure(rounds: int, repeat: int) -> list:
    """Rows (what, case, result, note) for benchmarks/run.py's table."""
    with tempfile.TemporaryDirectory(prefix="rmgen-pingpong-") as tmpdir:
        tmp = Path(tmpdir)
        exe = build(tmp)
        placements = (("free", None), ("one CPU", min(os.sched_getaffinity(0))))
        runs = {name: [] for name, _ in placements}
        for _ in range(repeat):  # the placements alternate, so drifting load meets both
            for name, cpu in placements:
                runs[name].append(run_both(exe, rounds, cpu=cpu))
        rows = []
        for name, _ in placements:
            rate = {m: statistics.median(wall[m] for wall, _ in runs[name]) for m in MODES}
            note = f"{name}: {rounds} round trips, median of {repeat}"
            rows += [("round trip", f"{m} ping-pong" if m != "qnxhost" else "qnxhost devctl", f"{rate[m]:,.0f}/s", note)
                     for m in MODES]
            for base in ("futex", "spin", "condvar"):
                for kind, index in (("", 0), (" (CPU time)", 1)):
                    ratio = statistics.median(r[index]["qnxhost"] / r[index][base] for r in runs[name])
                    goal = "; goal >= 0.8x futex" if name == "free" and base == "futex" and not kind else ""
                    rows.append(("round trip", f"qnxhost / {base}{kind}", f"{ratio:.2f}x",
                                 name + goal + ("; diagnostic" if name != "free" else "")))
        if shutil.which("valgrind"):
            small = max(rounds // 20, 1000)
            for mode in ("futex", "qnxhost"):
                rows.append(("round trip", f"{mode} instructions", f"{instructions(exe, small, mode, tmp):,.0f}",
                             "callgrind, per round trip"))
        return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=200000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    for row in measure(args.rounds, args.repeat):
        print("  ".join(row).rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
