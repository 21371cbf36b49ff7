"""Generation speed against the Python start-up floor (issue 11); a measurement, not a test.

Every figure is CPU time (user + system of the child) of separate `rmgen` processes, as a
ratio to the floor `python -c "import jinja2, yaml, jsonschema"`. The runs are paired: each
round measures the floor, then every figure once, and a figure's ratio is the median of its
rounds' ratios, so load that comes and goes moves both sides of a ratio alike. Prints one line
per goal and a scaling table for 10/100/256/1,000 devctl commands: the cost of each command
beyond the first ten stays flat when generation is linear.

    .venv/bin/python benchmarks/bench_gen.py [--runs 9]
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
# The `rmgen` command users run (the console script next to this Python), else `python -m rmgen`.
_SCRIPT = Path(sys.executable).with_name("rmgen")
RMGEN = [str(_SCRIPT)] if _SCRIPT.is_file() else [sys.executable, "-m", "rmgen"]
SCALING = (10, 100, 256, 1000)
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


def paired(cmds: dict, runs: int) -> dict:
    """{name: (median seconds, median of the rounds' ratios to their floor)} for `cmds`
    (name -> (command, what the parent does first, untimed)), after one warm-up round
    (caches of bytecode and compiled templates, the page cache)."""
    floor_cmd = [sys.executable, "-c", "import jinja2, yaml, jsonschema"]
    samples = {name: [] for name in cmds}
    floors = []
    for round_ in range(runs + 1):
        floor = cpu_seconds(floor_cmd)
        for name, (cmd, before) in cmds.items():
            before()
            sec = cpu_seconds(cmd)
            if round_:
                samples[name].append((sec, sec / floor))
        if round_:
            floors.append(floor)
    out = {name: (statistics.median(s for s, _ in v), statistics.median(r for _, r in v)) for name, v in samples.items()}
    out["floor"] = (statistics.median(floors), 1.0)
    return out


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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9, help="paired rounds (one process per figure each)")
    args = ap.parse_args()
    nothing = lambda: None  # noqa: E731
    with tempfile.TemporaryDirectory(prefix="rmgen-bench-gen-") as tmp:
        tmp = Path(tmp)
        cmds = {"check all examples": (RMGEN + ["--check", *EXAMPLES], nothing),
                "check one example": (RMGEN + ["--check", EXAMPLES[0]], nothing),
                "--version": (RMGEN + ["--version"], nothing),
                "--runtime-dir": (RMGEN + ["--runtime-dir"], nothing)}
        for n in SCALING:
            spec, out = tmp / f"many{n}.yaml", tmp / f"out{n}"
            spec.write_text(many_spec(n))
            # generation from scratch: the tree is removed first, by this process (untimed)
            cmds[n] = (RMGEN + [str(spec), "-o", str(out)], lambda out=out: shutil.rmtree(out, ignore_errors=True))
        got = paired(cmds, args.runs)
        shutil.rmtree(tmp, ignore_errors=True)
    got["1,000 commands"] = got[SCALING[-1]]
    floor = got["floor"][0]
    command = "the rmgen script" if RMGEN == [str(_SCRIPT)] else "python -m rmgen"
    print(f"generation ({command}; CPU time of {args.runs} paired rounds, medians; floor = import jinja2, "
          f"yaml, jsonschema = {floor * 1000:.0f} ms; {sys.implementation.name} {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs)")
    print("  (ms: the median CPU time; x floor: the median of each round's ratio, not ms / floor)")
    print(f"  {'figure':<22} {'ms':>8} {'x floor':>8} {'goal':>6}")
    for label, goal in GOALS.items():
        sec, ratio = got[label]
        mark = "ok" if ratio <= goal else "OVER"
        print(f"  {label:<22} {sec * 1000:8.0f} {ratio:8.2f} {goal:5.1f}x {mark}")
    print(f"  {'commands':<22} {'ms':>8} {'x floor':>8} {'ms/cmd above 10 cmds':>22}")
    base = got[SCALING[0]][0]
    for n in SCALING:
        sec, ratio = got[n]
        per = f"{(sec - base) * 1000 / (n - SCALING[0]):22.2f}" if n > SCALING[0] else f"{'-':>22}"
        print(f"  {n:<22} {sec * 1000:8.0f} {ratio:8.2f} {per}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
