"""Helpers to generate trees and build and run their C code from tests.

Builds shared by a test session: `shared(kind, key, build)` makes a folder once per session
(the conftest sets RMGEN_TEST_SHARED to a folder of pytest's, shared by xdist workers) and
hands the same one to every caller with that kind and key. `host_make` uses it on its own:
the qnxhost runtime a host.mk would compile into a fresh build folder is compiled once per
set of make arguments and linked in (`runtime`), so a test pays only for its driver."""
from __future__ import annotations

import fcntl
import hashlib
import os
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

REPO = Path(__file__).resolve().parent.parent
QNXHOST = REPO / "qnxhost"
EXAMPLES = ["adc", "can", "fifo", "gpio", "mailbox", "sample", "thermo", "txq"]
STDS = {"c11": ["-std=c11"], "c99": ["-std=c99", "-pedantic", "-D_QNX_SOURCE"]}
WARN = ["-Wall", "-Wextra", "-Werror", "-D_DEFAULT_SOURCE"]


def compilers() -> List[str]:
    return [cc for cc in ("gcc", "clang") if shutil.which(cc)]


def generate(spec: Path, out_parent: Path) -> Path:
    """Run `rmgen spec -o out_parent` in-process; returns the device's tree."""
    from rmgen import cli

    rc = cli.main([str(spec), "-o", str(out_parent)])
    assert rc == 0, f"rmgen failed on {spec}"
    import yaml

    return out_parent / yaml.safe_load(spec.read_text())["device"]["name"]


def spec_copy(folder: Path, name: str, text: str) -> Path:
    """Write a spec file `folder/name` (creating folder) for a test; returns its path."""
    folder.mkdir(parents=True)
    (folder / name).write_text(text)
    return folder / name


def c_units(tree: Path) -> List[tuple]:
    """(source, is_client) for every generated C file of a tree."""
    units = []
    for src in sorted(tree.rglob("*.c")):
        rel = src.relative_to(tree).as_posix()
        units.append((src, rel.startswith(("lib/", "host/"))))
    return units


def compile_unit(cc: str, std: str, tree: Path, src: Path, client: bool,
                 extra: Optional[List[str]] = None) -> subprocess.CompletedProcess:
    """Compile one file; `extra` adds flags (e.g. -DQH_NTO_VERSION=641, the 6.4 flavour)."""
    cmd = [cc, *STDS[std], *WARN, *(extra or []), "-isystem", str(QNXHOST / "include"),
           "-I", str(tree / "public"), "-I", str(tree / "server"), "-c", str(src), "-o", os.devnull]
    if client:
        cmd[1:1] = ["-include", "qnxhost/redirect.h"]
    return subprocess.run(cmd, capture_output=True, text=True)


def headers_accept(source: str, flags: Sequence[str] = ()) -> bool:
    """Whether `source` compiles (syntax only) against the clean-room QNX headers: a probe of
    what the runtime provides."""
    r = subprocess.run([compilers()[0], "-x", "c", "-fsyntax-only", "-isystem", str(QNXHOST / "include"),
                        *flags, "-"], input=source, capture_output=True, text=True)
    return r.returncode == 0


def host_make(tree: Path, build: Path, target: str = "test", san: bool = True,
              extra: Optional[List[str]] = None, timeout: int = 900,
              env: Optional[dict] = None) -> subprocess.CompletedProcess:
    """`make -f host.mk TARGET` in a generated tree, building into `build`; `env` adds
    environment variables (e.g. QH_SEND_TIMEOUT_MS for the runtime). In a test session the
    runtime comes from `runtime` (see the module's docstring)."""
    cmd = ["make", "-s", "-C", str(tree), "-f", "host.mk", f"QNXHOST={QNXHOST}", f"O={build}",
           f"SAN={1 if san else 0}", target, *(extra or [])]
    full_env = {**os.environ, **(env or {})}
    if target in ("test", "all") and not build.exists() and tree in ORIGINS:
        seed_objects(tree, build, san, extra or [], env or {})
    link_shared_runtimes(cmd, full_env)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=full_env)


ORIGINS: Dict[Path, Path] = {}  # tree copied by copy_tree -> the tree it came from
BUILD_ENV = ("CC", "CFLAGS", "EXTRA_CFLAGS", "STD", "LDLIBS", "SAN", "NTO_VERSION", "CPPFLAGS", "LDFLAGS")


def copy_tree(src: Path, dest: Path) -> Path:
    """shutil.copytree (timestamps kept) that remembers where the copy came from, so that
    host_make can start the copy's build from the session's build of the original."""
    shutil.copytree(src, dest)
    ORIGINS[dest] = src
    return dest


def example_build(tree: Path, san: bool = True, extra: Sequence[str] = (), env: Optional[dict] = None) -> Path:
    """A build folder in which `make -f host.mk all` ran for this tree and flags, made once per
    session and shared (never build into it: copy from it, or run its up-to-date targets).
    A failed build raises AssertionError with make's output."""
    env = env or {}
    files = sorted(p for p in tree.rglob("*") if p.is_file())
    digest = hashlib.sha256(b"".join(p.relative_to(tree).as_posix().encode() + b"\0" + p.read_bytes()
                                     for p in files)).hexdigest()
    key = " ".join([str(tree), digest, f"SAN={san}", *extra, *(f"{k}={env[k]}" for k in BUILD_ENV if k in env)])

    def build(folder: Path) -> None:
        r = host_make(tree, folder, target="all", san=san, extra=list(extra), env=env, timeout=600)
        assert r.returncode == 0, f"building {tree} failed:\n{r.stdout}{r.stderr}"

    return shared("example-build", key, build)


def seed_objects(tree: Path, build: Path, san: bool, extra: Sequence[str], env: dict) -> None:
    """Start the build of a copied tree with the objects of its original's shared build (same
    flags), stamped just after the newest file the copy left unchanged: make then rebuilds
    exactly what depends on a changed file, by host.mk's own rules. Not done when a changed
    file is not newer than every unchanged one (make could not tell them apart)."""
    origin = ORIGINS[tree]
    same, changed = [], []
    for p in (p for p in tree.rglob("*") if p.is_file()):
        o = origin / p.relative_to(tree)
        (same if o.is_file() and o.read_bytes() == p.read_bytes() else changed).append(p.stat().st_mtime_ns)
    stamp = max(same, default=0) + 1000
    if not same or any(t <= stamp for t in changed):
        return
    try:
        built = example_build(origin, san, extra, env)
    except AssertionError:
        return  # the original does not build: let the copy's build show why
    build.mkdir(parents=True)
    for obj in built.glob("*.o"):
        shutil.copyfile(obj, build / obj.name)
        os.utime(build / obj.name, ns=(stamp, stamp))


def shared(kind: str, key: str, build: Callable[[Path], None]) -> Path:
    """The folder that `build(folder)` fills, made once per test session for (kind, key) and
    shared by every test and xdist worker (a file lock makes the others wait); outside a
    test session a new temporary folder each time. If build raises, the exception reaches
    the caller and the next caller tries again."""
    root = os.environ.get(SHARED_ENV)
    if not root:
        folder = Path(tempfile.mkdtemp(prefix=f"rmgen-{kind}-"))
        build(folder)
        return folder
    folder = Path(root) / kind / hashlib.sha256(key.encode()).hexdigest()[:16]
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{folder}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = Path(f"{folder}.done")
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            done.write_text(key + "\n")
    return folder


SHARED_ENV = "RMGEN_TEST_SHARED"
RUNTIME_ENV = ("CC", "AR", "CFLAGS", "SAN", "NTO_VERSION")  # what qnxhost/Makefile reads


def runtime(args: Sequence[str] = (), env: Optional[dict] = None) -> Path:
    """The folder of the qnxhost runtime built by `make -C qnxhost O=... ARGS` (assignments
    such as SAN=1, then goals such as fuse), once per session for equivalent arguments. A
    failed build raises AssertionError with make's output."""
    env = dict(os.environ if env is None else env)
    assigns = dict(a.split("=", 1) for a in args if "=" in a)
    goals = sorted({a for a in args if "=" not in a})
    effective = {**{k: env[k] for k in RUNTIME_ENV if k in env}, "CC": "cc", "NTO_VERSION": "800", **assigns}
    cc = shutil.which(effective["CC"])  # cc and gcc are often one compiler: one build
    key = " ".join([*(f"{k}={v}" for k, v in sorted({**effective, "CC": os.path.realpath(cc) if cc else effective["CC"]}.items())), *goals])

    def build(folder: Path) -> None:
        for goal in [[], *([g] for g in goals)]:
            r = subprocess.run(["make", "-s", "-C", str(QNXHOST), f"O={folder}",
                                *(f"{k}={v}" for k, v in sorted(effective.items())), *goal],
                               capture_output=True, text=True, env=env, timeout=600)
            assert r.returncode == 0, f"qnxhost build ({key}) failed:\n{r.stdout}{r.stderr}"

    return shared("runtime", key, build)


def runtime_builds(cmd: List[str], env: dict) -> Dict[Path, List[str]]:
    """{runtime folder: make arguments} of every `make -C QNXHOST O=...` a make command
    would run (from `make -n`, which also lists the recursive makes' commands)."""
    dry = subprocess.run([cmd[0], "-n", *cmd[1:]], capture_output=True, text=True, env=env, timeout=900)
    found: Dict[Path, List[str]] = {}
    for line in dry.stdout.splitlines():
        try:
            words = shlex.split(line)
        except ValueError:
            continue
        if len(words) < 4 or os.path.basename(words[0]) != "make" or words[1:3] != ["-C", str(QNXHOST)]:
            continue
        out = next((w[2:] for w in words if w.startswith("O=")), None)
        if out:
            found.setdefault(Path(out), []).extend(w for w in words[3:] if not w.startswith("O="))
    return found


def link_shared_runtimes(cmd: List[str], env: dict) -> None:
    """Point each runtime folder a make command would fill, if it does not exist yet, at
    the session's build of the same runtime (a symbolic link). Where that build fails, the
    folder is left alone: the command then builds the runtime itself and shows the error."""
    if not os.environ.get(SHARED_ENV):
        return
    for out, args in runtime_builds(cmd, env).items():
        if out.is_symlink() or (out.exists() and any(out.iterdir())):
            continue
        assigns = [a for a in dict.fromkeys(args) if "=" in a]
        if len({a.split("=", 1)[0] for a in assigns}) != len(assigns):
            continue  # two different builds into one folder: not one shared runtime
        try:
            built = runtime(list(dict.fromkeys(args)), env)
        except AssertionError:
            continue
        if out.exists():
            out.rmdir()
        out.parent.mkdir(parents=True, exist_ok=True)
        out.symlink_to(built, target_is_directory=True)


def summary(output: str) -> tuple:
    """(passed, failed) from the test program's last 'N passed, N failed' line."""
    for line in reversed(output.splitlines()):
        parts = line.replace(",", "").split()
        if len(parts) == 4 and parts[1] == "passed" and parts[3] == "failed":
            return int(parts[0]), int(parts[2])
    raise AssertionError("no 'N passed, N failed' line in:\n" + output[-3000:])
