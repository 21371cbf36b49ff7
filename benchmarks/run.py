"""rmgen benchmarks (`make bench`): measurements only, no thresholds; writes only to a temp dir.

(a) generation time: each examples/*.yaml and a generated spec with 256 devctl commands,
    in-process through rmgen.cli.main into fresh temp dirs (median of --runs runs);
(b) devctl round trips per second on the qnxhost runtime: thermo_get_config() with 1 and 4
    client threads (benchmarks/bench_host.c, -O2, no sanitizers);
(c) read/write throughput on the sample driver in 4 KiB messages;
(d) the generated devctl handler vs an expert's, and compile time of large specs
    (benchmarks/bench_handler.py).
(e) the qnxhost devctl round trip as a ratio of futex, spin and condvar ping-pongs (bench_runtime.py).

    python benchmarks/run.py [--runs N] [--calls N] [--mbytes N]
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import bench_handler

REPO = Path(__file__).resolve().parent.parent
QNXHOST = REPO / "qnxhost"
BENCH_C = REPO / "benchmarks" / "bench_host.c"
CC = os.environ.get("CC", "cc")
CFLAGS = ["-std=c11", "-O2", "-D_DEFAULT_SOURCE", "-D_QNX_SOURCE", "-pthread", "-isystem", str(QNXHOST / "include")]


def import_rmgen():
    try:
        import rmgen.cli  # noqa: F401  (installed, e.g. the project's editable venv)
    except ImportError:
        root = Path(tempfile.mkdtemp(prefix="rmgen-pkg-"))
        (root / "rmgen").symlink_to(REPO / "generator", target_is_directory=True)
        sys.path.insert(0, str(root))
    from rmgen import cli
    return cli


def spec_256() -> str:
    """A valid spec with 256 devctl commands (codes 0..255 of class misc), all four directions."""
    lines = ["rmgen: 1", "device:", "  name: many", "  path: /dev/many", "  summary: 256 devctl commands",
             "types:", "  pair:", "    doc: Two numbers", "    fields:",
             "      - {name: a, type: u32, doc: First}", "      - {name: b, type: i32, doc: Second}",
             "devctl:"]
    for code in range(256):
        kind = code % 4
        extra = {0: "out: pair", 1: "in: pair, access: write", 2: "in: pair, out: pair, access: read-write",
                 3: "access: write"}[kind]
        lines.append(f"  - {{name: cmd{code}, code: {code}, {extra}, doc: Command {code}}}")
    return "\n".join(lines) + "\n"


def time_generation(cli, spec: Path, runs: int, tmp: Path) -> float:
    """Median seconds of `rmgen SPEC -o NEWDIR` in-process."""
    samples = []
    for i in range(runs):
        out = tmp / f"gen-{spec.stem}-{i}"
        err = io.StringIO()
        t0 = time.perf_counter()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            rc = cli.main([str(spec), "-o", str(out)])
        samples.append(time.perf_counter() - t0)
        if rc != 0:
            raise SystemExit(f"rmgen failed on {spec}:\n{err.getvalue()}")
    return statistics.median(samples)


def sh(cmd, **kw) -> subprocess.CompletedProcess:
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise SystemExit(f"failed: {' '.join(map(str, cmd))}\n{r.stdout}{r.stderr}")
    return r


def build_runtime(tmp: Path) -> list:
    srcs = sorted(p for p in (QNXHOST / "src").glob("*.c") if not p.name.startswith("fuse"))
    objs = []

    def one(src: Path) -> Path:
        obj = tmp / f"qh_{src.stem}.o"
        sh([CC, *CFLAGS, "-c", src, "-o", obj])
        return obj

    with ThreadPoolExecutor(os.cpu_count() or 2) as ex:
        objs = list(ex.map(one, srcs))
    return objs


def build_driver(name: str, runtime: list, tmp: Path) -> Path:
    """The benchmark program for examples/<name>: server (main renamed), client lib, runtime."""
    tree = REPO / "examples" / name
    inc = ["-I", tree / "public", "-I", tree / "server"]
    client = ["-include", "qnxhost/redirect.h"]
    jobs = [([*inc, f"-Dmain={name}_server_main"], tree / "server" / f"{name}_main.c")]
    jobs += [(inc, src) for src in sorted((tree / "server").glob("*.c")) if src.name != f"{name}_main.c"]
    jobs += [([*inc, *client], src) for src in sorted((tree / "lib").glob("*.c"))]
    jobs += [([*inc, *client, f"-DBENCH_{name.upper()}"], BENCH_C)]

    def one(job) -> Path:
        flags, src = job
        obj = tmp / f"{name}_{src.parent.name}_{src.stem}.o"
        sh([CC, *CFLAGS, *flags, "-c", src, "-o", obj])
        return obj

    with ThreadPoolExecutor(os.cpu_count() or 2) as ex:
        objs = list(ex.map(one, jobs))
    exe = tmp / f"bench_{name}"
    sh([CC, "-O2", "-pthread", "-o", exe, *objs, *runtime])
    return exe


def parse(line: str) -> dict:
    return dict(part.split("=", 1) for part in line.split())


def run_prog(cmd) -> list:
    return [parse(line) for line in sh(cmd, timeout=300).stdout.splitlines() if line.startswith("ops=")]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7, help="generation runs per spec (median)")
    ap.add_argument("--calls", type=int, default=100000, help="get_config calls per client thread")
    ap.add_argument("--mbytes", type=int, default=64, help="MiB written and then read on the sample driver")
    ap.add_argument("--repeat", type=int, default=3, help="runtime measurements per case (median)")
    args = ap.parse_args()

    cli = import_rmgen()
    rows = []
    with tempfile.TemporaryDirectory(prefix="rmgen-bench-") as tmpdir:
        tmp = Path(tmpdir)

        # (a) generation
        specs = sorted((REPO / "examples").glob("*.yaml"))
        many = tmp / "many.yaml"
        many.write_text(spec_256())
        for spec in [*specs, many]:
            label = spec.name if spec != many else "256 devctls (generated)"
            sec = time_generation(cli, spec, args.runs, tmp)
            rows.append(("generate", label, f"{sec * 1000:.1f} ms", f"median of {args.runs}"))
            print(f"  {rows[-1][1]}: {rows[-1][2]}", file=sys.stderr)

        # (b), (c) host runtime
        build = tmp / "c"
        build.mkdir()
        runtime = build_runtime(build)
        thermo = build_driver("thermo", runtime, build)
        sample = build_driver("sample", runtime, build)

        for threads in (1, 4):
            rates = []
            for _ in range(args.repeat):
                (m,) = run_prog([thermo, args.calls, threads])
                rates.append(int(m["ops"]) / float(m["seconds"]))
            rows.append(("devctl", f"thermo get_config, {threads} client thread{'s' if threads > 1 else ''}",
                         f"{statistics.median(rates):,.0f} calls/s",
                         f"{args.calls * threads} calls, median of {args.repeat}"))
            print(f"  {rows[-1][1]}: {rows[-1][2]}", file=sys.stderr)

        rw = {}
        for _ in range(args.repeat):
            for m in run_prog([sample, args.mbytes << 20, 4096]):
                rw.setdefault(m["mode"], []).append(int(m["bytes"]) / float(m["seconds"]) / 2**20)
        for mode, mbs in rw.items():
            op, how = mode.split("/", 1)
            rows.append(("read/write", f"sample {op} 4 KiB ({how})", f"{statistics.median(mbs):,.1f} MiB/s",
                         f"{args.mbytes} MiB, median of {args.repeat}"))

        # (d) devctl handler instructions and large-spec compile time
        rows += bench_handler.handler_rows(CC, runtime, build)
        rows += bench_handler.compile_rows(CC, cli)
    import bench_runtime  # (e) qnxhost round trip vs futex/spin/condvar ping-pong (benchmarks/pingpong.c)
    rows += bench_runtime.measure(args.calls * 2, args.repeat)

    cores = os.cpu_count()
    print(f"\nrmgen benchmarks ({sys.implementation.name} {sys.version.split()[0]}, {CC} -O2, {cores} CPUs)")
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    head = ("what", "case", "result", "")
    for r in [head, *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
