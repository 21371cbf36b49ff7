"""Generated devctl handler vs an expert's (issue 11), and compile time of large specs.

handler_rows(): callgrind instructions per call of thermo_io_devctl (inclusive: helpers and
the hook too), generated vs benchmarks/expert_thermo_devctl.c on the same runtime, for a
GET (thermo_get_config) and a SET (thermo_set_config).
compile_rows(): CPU seconds of `cc -O2 -c server/<name>_io.c` for specs of 10/100/256/1000
commands, and per command (flat when the growth is linear).
Measurements only: run.py prints them; nothing here is a test threshold.
"""
from __future__ import annotations

import resource
import shutil
import subprocess
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
QNXHOST = REPO / "qnxhost"
CFLAGS = ["-std=c11", "-O2", "-D_DEFAULT_SOURCE", "-D_QNX_SOURCE", "-pthread", "-isystem", str(QNXHOST / "include")]
CALLS = 2000
SIZES = (10, 100, 256, 1000)


def _sh(cmd, **kw) -> subprocess.CompletedProcess:
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise SystemExit(f"failed: {' '.join(map(str, cmd))}\n{r.stdout}{r.stderr}")
    return r


def _thermo_exe(cc: str, runtime: list, tmp: Path, expert: bool) -> Path:
    tree = REPO / "examples" / "thermo"
    inc = ["-I", tree / "public", "-I", tree / "server"]
    client = [*inc, "-include", "qnxhost/redirect.h"]
    rename = ["-Dthermo_io_devctl=thermo_io_devctl_generated"] if expert else []
    jobs = [([*inc, "-Dmain=thermo_server_main"], tree / "server" / "thermo_main.c"),
            ([*inc, *rename], tree / "server" / "thermo_io.c"),
            (inc, tree / "server" / "thermo_hooks.c"),
            (client, tree / "lib" / "thermo_client.c"),
            (client, REPO / "benchmarks" / "bench_handler.c")]
    if expert:
        jobs.append((inc, REPO / "benchmarks" / "expert_thermo_devctl.c"))
    tag = "expert" if expert else "generated"
    objs = []
    for flags, src in jobs:
        obj = tmp / f"{tag}_{src.stem}.o"
        _sh([cc, *CFLAGS, *flags, "-c", src, "-o", obj])
        objs.append(obj)
    exe = tmp / f"bench_handler_{tag}"
    _sh([cc, "-O2", "-pthread", "-o", exe, *objs, *runtime])
    return exe


def _instructions(exe: Path, kind: str, calls: int, tmp: Path) -> int:
    out = tmp / f"cg.{exe.name}.{kind}.{calls}"
    _sh(["valgrind", "--tool=callgrind", "--toggle-collect=thermo_io_devctl", f"--callgrind-out-file={out}",
         exe, kind, calls], timeout=600)
    for line in out.read_text().splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise SystemExit(f"no callgrind totals in {out}")


def handler_rows(cc: str, runtime: list, tmp: Path) -> list:
    """Rows (what, case, result, note): instructions per call, generated and expert, GET and SET."""
    if shutil.which("valgrind") is None:
        return [("devctl handler", "callgrind", "skipped", "valgrind not installed")]
    per = {}
    for expert in (False, True):
        exe = _thermo_exe(cc, runtime, tmp, expert)
        for kind in ("get", "set"):
            base = _instructions(exe, kind, 0, tmp)       # start-up calls (one get) subtracted
            per[expert, kind] = (_instructions(exe, kind, CALLS, tmp) - base) / CALLS
    rows = []
    for kind, label in (("get", "GET thermo_get_config"), ("set", "SET thermo_set_config")):
        gen, exp = per[False, kind], per[True, kind]
        rows.append(("devctl handler", f"{label}: generated vs expert", f"{gen:.0f} vs {exp:.0f} instr/call",
                     f"{gen / exp:.2f}x (goal <= 1.10x), callgrind, {CALLS} calls"))
    return rows


def many_spec(n: int) -> str:
    """A valid spec with n devctl commands of the four directions over classes misc, net, ip, mixer."""
    classes = ("misc", "net", "ip", "mixer")
    lines = ["rmgen: 1", "device:", "  name: many", "  path: /dev/many", f"  summary: {n} devctl commands",
             "types:", "  pair:", "    doc: Two numbers", "    fields:",
             "      - {name: a, type: u32, min: 1, max: 1000, doc: First}", "      - {name: b, type: i32, doc: Second}",
             "devctl:"]
    for i in range(n):
        extra = {0: "out: pair", 1: "in: pair, access: write", 2: "in: pair, out: pair, access: read-write",
                 3: "access: write"}[i % 4]
        lines.append(f"  - {{name: cmd{i}, code: {i % 256}, class: {classes[i // 256]}, {extra}, doc: Command {i}}}")
    return "\n".join(lines) + "\n"


def _cpu_seconds(cmd) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    _sh(cmd, timeout=600)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def compile_rows(cc: str, cli) -> list:
    """Rows: CPU time to compile the server's _io.c at -O2 for growing numbers of commands."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="rmgen-compile-") as tmpdir:
        tmp = Path(tmpdir)
        for n in SIZES:
            spec = tmp / f"many{n}.yaml"
            spec.write_text(many_spec(n))
            if cli.main([str(spec), "-o", str(tmp / f"out{n}")]) != 0:
                raise SystemExit(f"rmgen failed on the {n}-command spec")
            tree = tmp / f"out{n}" / "many"
            sec = _cpu_seconds([cc, *CFLAGS, "-Wall", "-Wextra", "-Werror", "-I", tree / "public",
                                "-I", tree / "server", "-c", tree / "server" / "many_io.c", "-o", tmp / "io.o"])
            rows.append(("compile -O2", f"server _io.c, {n} commands", f"{sec:.2f} s CPU",
                         f"{sec * 1000 / n:.1f} ms/command (goal: flat; <= 2 s at 1000)"))
    return rows
