"""host.mk finds the QNX host runtime without rmgen on PATH (a new shell): through a
.venv/ or venv/ above the tree, or a checkout's qnxhost/; otherwise it stops with one
message that says what to do, instead of compiling with `-isystem /include`."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BARE = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/")}  # a new shell, no rmgen

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def make_n(tree: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "-n", "-f", "host.mk", *args], cwd=tree, env=BARE,
                          capture_output=True, text=True, timeout=900)


def generated_tree(where: Path) -> Path:
    """A copy of the committed sample tree, somewhere outside the checkout (without the
    objects of a build made in the checkout, which would hide the compile lines)."""
    tree = where / "sample"
    shutil.copytree(REPO / "examples" / "sample", tree, ignore=shutil.ignore_patterns("host-build*"))
    return tree


def test_no_runtime_anywhere_is_one_exact_message(tmp_path):
    tree = generated_tree(tmp_path)
    lines = (tree / "host.mk").read_text().splitlines()
    line = 1 + next(i for i, text in enumerate(lines) if "$(error rmgen's QNX host runtime not found" in text)
    r = make_n(tree, "test")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr == (f"host.mk:{line}: *** rmgen's QNX host runtime not found: put rmgen on PATH (e.g. "
                        "`. .venv/bin/activate` where you installed it) or give the folder: make -f "
                        "host.mk QNXHOST=$(/path/to/rmgen --runtime-dir) test.  Stop.\n")


def test_clean_needs_no_runtime(tmp_path):
    assert make_n(generated_tree(tmp_path), "clean").returncode == 0


@pytest.mark.parametrize("venv", [".venv", "venv"])
def test_a_venv_above_the_tree_is_found(tmp_path, venv):
    runtime = tmp_path / "site" / "rmgen" / "qnxhost"
    shutil.copytree(REPO / "qnxhost", runtime, ignore=shutil.ignore_patterns("build*", "*.o", "*.a"))
    fake = tmp_path / venv / "bin" / "rmgen"  # stands for the installed console script
    fake.parent.mkdir(parents=True)
    fake.write_text(f"#!/bin/sh\n[ \"$1\" = --runtime-dir ] && echo '{runtime}'\n")
    fake.chmod(0o755)
    r = make_n(generated_tree(tmp_path / "work"), "test")
    assert r.returncode == 0, r.stderr
    assert f"-isystem {runtime}/include " in r.stdout


def test_a_checkout_above_the_tree_is_found():
    r = make_n(REPO / "examples" / "sample", "test", "O=/nonexistent")
    assert r.returncode == 0, r.stderr
    assert f"-isystem {REPO}/qnxhost/include " in r.stdout


def test_explicit_qnxhost_that_is_wrong_is_named(tmp_path):
    r = make_n(generated_tree(tmp_path), "test", "QNXHOST=/nowhere")
    assert r.returncode == 2 and "runtime not found in QNXHOST=/nowhere:" in r.stderr
