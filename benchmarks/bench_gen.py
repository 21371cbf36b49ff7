"""Generation speed against the Python start-up floor (issue 11); a measurement, not a test.

Every figure is the median CPU time (user + system of the child) of separate `rmgen`
processes, divided by the floor `python -c "import jinja2, yaml, jsonschema"` measured in
the same run, so a busy machine moves both alike. Prints one line per goal and a scaling
table for 10/100/256/1,000 devctl commands: the cost of each command beyond the first
ten stays flat when generation is linear.

    .venv/bin/python benchmarks/bench_gen.py [--runs 7]
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(str(p) for p in (REPO / "examples").glob("*.yaml"))
RMGEN = [sys.executable, "-m", "rmgen"]
GOALS = {"check all examples": 1.5, "check one example": 1.3, "--version": 0.5,
         "--runtime-dir": 0.5, "1,000 commands": 6.0}


# Children may cache bytecode as an installed rmgen does (the floor's libraries have theirs).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def cpu_seconds(cmd, cwd=None) -> float:
    """CPU time (user + system) of one child process running `cmd`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median(cmd, runs: int, cwd=None) -> float:
    cpu_seconds(cmd, cwd)  # warm-up: bytecode and compiled-template caches, page cache
    return statistics.median(cpu_seconds(cmd, cwd) for _ in range(runs))


def many_spec(n: int) -> str:
    """A spec with `n` devctl commands over classes misc, net, fsys, ... (chr left free) (256 codes each)."""
    classes = ["misc", "net", "fsys", "ip", "mem"]
    lines = ["rmgen: 1", "device:", "  name: many", "  path: /dev/many", f"  summary: {n} devctl commands",
             "types:", "  pair:", "    fields:", "      - {name: a, type: u32, min: 1, max: 9}",
             "      - {name: b, type: u16}", "devctl:"]
    for i in range(n):
        payload = ("in: pair", "out: pair", "in: u32", "out: u64")[i % 4]
        lines.append(f"  - {{name: c{i}, code: {i % 256}, class: {classes[i // 256]}, {payload}}}")
    return "\n".join(lines) + "\n"


def generate_cmd(spec: Path, out: Path):
    """Generation from scratch into `out` (removed first, so every run writes everything)."""
    return ["sh", "-c", f'rm -rf "{out}" && exec "$@"', "sh", *RMGEN, str(spec), "-o", str(out)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7, help="processes per figure (median)")
    args = ap.parse_args()
    floor = median([sys.executable, "-c", "import jinja2, yaml, jsonschema"], args.runs)
    shell = median(["sh", "-c", "rm -rf /nonexistent"], args.runs)  # the wrapper's own cost
    rows = []
    with tempfile.TemporaryDirectory(prefix="rmgen-bench-gen-") as tmp:
        tmp = Path(tmp)
        rows.append(("check all examples", median(RMGEN + ["--check", *EXAMPLES], args.runs)))
        rows.append(("check one example", median(RMGEN + ["--check", EXAMPLES[0]], args.runs)))
        rows.append(("--version", median(RMGEN + ["--version"], args.runs)))
        rows.append(("--runtime-dir", median(RMGEN + ["--runtime-dir"], args.runs)))
        scaling = []
        for n in (10, 100, 256, 1000):
            spec = tmp / f"many{n}.yaml"
            spec.write_text(many_spec(n))
            sec = median(generate_cmd(spec, tmp / f"out{n}"), max(3, args.runs // 2)) - shell
            scaling.append((n, sec))
        rows.append(("1,000 commands", scaling[-1][1]))
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"generation (CPU-time medians of {args.runs} processes; floor = import jinja2, yaml, "
          f"jsonschema = {floor * 1000:.0f} ms; {sys.implementation.name} {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs)")
    print(f"  {'figure':<22} {'ms':>8} {'x floor':>8} {'goal':>6}")
    for label, sec in rows:
        ratio = sec / floor
        mark = "ok" if ratio <= GOALS[label] else "OVER"
        print(f"  {label:<22} {sec * 1000:8.0f} {ratio:8.2f} {GOALS[label]:5.1f}x {mark}")
    print(f"  {'commands':<22} {'ms':>8} {'x floor':>8} {'ms/cmd above 10 cmds':>22}")
    base_n, base = scaling[0]
    for n, sec in scaling:
        per = f"{(sec - base) * 1000 / (n - base_n):22.2f}" if n > base_n else f"{'-':>22}"
        print(f"  {n:<22} {sec * 1000:8.0f} {sec / floor:8.2f} {per}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
