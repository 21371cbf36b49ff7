"""The wheel works on its own: built from the project, installed into a fresh venv (no
system site-packages; Jinja2/PyYAML/jsonschema/msgspec come from the package index), it generates
a driver outside the repository, finds its templates, schemas and qnxhost runtime inside
site-packages, and the generated host test passes against that bundled runtime."""
from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cbuild import REPO, summary

# Everything the wheel is built from (pyproject.toml maps these into the package).
SOURCES = ["pyproject.toml", "README.md", "generator", "templates", "schemas", "qnxhost"]
CPU_LIMIT = 60  # CPU seconds of all the test's processes: work, which a busy machine does not stretch


def children_cpu() -> float:
    """CPU seconds (user + system) used so far by this process's finished children."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime

pytestmark = pytest.mark.skipif(shutil.which("make") is None or shutil.which("cc") is None,
                                reason="needs make and a C compiler")


def clean_env(extra_path: Path) -> dict:
    """The environment of the installed tools: no PYTHONPATH (conftest points it at the
    repo), no virtualenv of ours, the new venv's bin first on PATH."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = os.pathsep.join([str(extra_path), env.get("PATH", "/usr/bin:/bin")])
    return env


def run(cmd, cwd: Path, env: dict, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def copy_sources(dest: Path) -> None:
    """A copy of the project's packaged files, so that building writes nothing into the repo."""
    dest.mkdir()
    for name in SOURCES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "build"))
        elif src.exists():
            shutil.copy2(src, dest / name)


def test_wheel_installs_and_runs_outside_repo(tmp_path):
    start = children_cpu()
    env = clean_env(tmp_path / "venv" / "bin")

    # 1. Build the wheel from a copy of the project (build's isolated env gets setuptools).
    src = tmp_path / "src"
    copy_sources(src)
    dist = tmp_path / "dist"
    r = run([sys.executable, "-m", "build", "--wheel", "--outdir", dist, src], tmp_path, env, timeout=900)
    if r.returncode != 0 and "Could not find a version that satisfies" in r.stdout + r.stderr:
        pytest.skip("pip cannot reach the package index (build could not fetch setuptools)")
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    wheels = list(dist.glob("rmgen-*.whl"))
    assert len(wheels) == 1, wheels

    # 2. A fresh venv without system site-packages; the deps come from the index.
    venv = tmp_path / "venv"
    r = run([sys.executable, "-m", "venv", venv], tmp_path, env)
    assert r.returncode == 0, r.stderr
    pip = venv / "bin" / "pip"
    r = run([pip, "install", "-q", wheels[0]], tmp_path, env, timeout=900)
    if r.returncode != 0:
        probe = run([pip, "download", "-q", "--no-deps", "-d", tmp_path / "probe", "PyYAML"],
                    tmp_path, env, timeout=900)
        if probe.returncode != 0:
            pytest.skip("pip cannot reach the package index: " + probe.stderr.strip()[-300:])
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    site = run([venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
               tmp_path, env).stdout.strip()
    site = Path(site).resolve()
    assert REPO not in site.parents

    # 3. The installed command, run from outside the repo.
    rmgen = venv / "bin" / "rmgen"
    r = run([rmgen, "--version"], tmp_path, env)
    assert r.returncode == 0 and r.stdout.startswith("rmgen "), r.stdout + r.stderr

    r = run([venv / "bin" / "python", "-c",
             "import rmgen, rmgen.resources as res; print(rmgen.__file__); "
             "print(res.data_dir('templates')); print(res.data_dir('schemas'))"], tmp_path, env)
    assert r.returncode == 0, r.stderr
    module, templates, schemas = (Path(line).resolve() for line in r.stdout.split())
    for p in (module, templates, schemas):
        assert site in p.parents, f"{p} is not inside {site}"
    assert any(templates.rglob("*.j2")) and any(schemas.glob("*.json"))

    r = run([rmgen, "--runtime-dir"], tmp_path, env)
    assert r.returncode == 0, r.stderr
    runtime_text = r.stdout.strip()
    runtime = Path(runtime_text).resolve()
    assert site in runtime.parents, f"runtime {runtime} is not inside {site}"
    assert (runtime / "Makefile").is_file() and (runtime / "include" / "qnxhost" / "host.h").is_file()

    # 4. Generate a spec copied out of the repo, then --check it.
    spec = tmp_path / "thermo.yaml"
    shutil.copy2(REPO / "examples" / "thermo.yaml", spec)
    out = tmp_path / "gen"
    r = run([rmgen, spec, "-o", out], tmp_path, env)
    assert r.returncode == 0, r.stdout + r.stderr
    tree = out / "thermo"
    assert (tree / "host.mk").is_file() and (tree / "server" / "thermo_io.c").is_file()
    r = run([rmgen, "--check", spec, "-o", out], tmp_path, env)
    assert r.returncode == 0, r.stdout + r.stderr

    # 5. The generated host test, with QNXHOST from `rmgen --runtime-dir` (not passed in).
    r = run(["make", "-s", "-C", tree, "-f", "host.mk", f"O={tmp_path / 'b'}", "SAN=0", "test"],
            tmp_path, env, timeout=900)
    out_text = r.stdout + r.stderr
    assert r.returncode == 0, out_text[-4000:]
    # The test program's stdout ends with its summary (the server may log on stderr).
    assert r.stdout.rstrip().splitlines()[-1].endswith(" passed, 0 failed"), out_text[-2000:]
    passed, failed = summary(out_text)
    assert passed > 0 and failed == 0
    # The runtime was compiled from the installed copy.
    assert (tmp_path / "b" / "qnxhost" / "libqnxhost.a").is_file()

    # 6. A new shell without rmgen on PATH: host.mk finds the venv in a folder above the tree.
    bare = {**env, "PATH": "/usr/bin:/bin"}
    r = run(["make", "-n", "-C", tree, "-f", "host.mk", f"O={tmp_path / 'b'}", "test"], tmp_path, bare)
    assert r.returncode == 0 and f"make -C {runtime_text} " in r.stdout, r.stdout + r.stderr

    used = children_cpu() - start
    assert used < CPU_LIMIT, f"took {used:.1f} CPU seconds (limit {CPU_LIMIT})"
