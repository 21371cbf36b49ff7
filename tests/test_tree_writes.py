"""A generated tree changes all at once or not at all: killed runs, unwritable folders,
concurrent runs, links and `-o` on a file (issue 7, items 4 and 5)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rmgen import cli, output

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# Runs rmgen in a child that kills itself (SIGKILL, no clean-up) at the Nth os.replace.
KILLER = """
import os, signal, sys
from rmgen import cli
count, real = [0], os.replace
def replace(a, b):
    count[0] += 1
    if count[0] == int(sys.argv[1]):
        os.kill(os.getpid(), signal.SIGKILL)
    real(a, b)
os.replace = replace
sys.exit(cli.main(sys.argv[2:]))
"""


def spec_pair(tmp_path):
    """sample.yaml and a variant (one more command, another summary) of the same device."""
    old = tmp_path / "sample.yaml"
    shutil.copy(EXAMPLES / "sample.yaml", old)
    text = old.read_text().replace("summary: Buffer-backed sample character device", "summary: Version two")
    new = tmp_path / "v2" / "sample.yaml"
    new.parent.mkdir()
    new.write_text(text.rstrip("\n") + "\n  - {name: extra, code: 9, doc: Added in version two}\n")
    return old, new


def snapshot(tree: Path) -> dict:
    """Every file of a tree but the user's hooks file (created once, kept from v1)."""
    return {p.relative_to(tree).as_posix(): p.read_bytes() for p in sorted(tree.rglob("*"))
            if p.is_file() and p.name != "sample_hooks.c" or p.parent.name == "stubs"}


def rmgen(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rmgen", *map(str, args)], capture_output=True, text=True)


@pytest.fixture
def trees(tmp_path):
    """(spec v1, spec v2, out folder, snapshot of the v1 tree, snapshot of the v2 tree)."""
    old, new = spec_pair(tmp_path)
    out = tmp_path / "out"
    assert cli.main([str(new), "-o", str(tmp_path / "ref")]) == 0
    v2 = snapshot(tmp_path / "ref" / "sample")
    assert cli.main([str(old), "-o", str(out)]) == 0
    return old, new, out, snapshot(out / "sample"), v2


@pytest.mark.parametrize("kill_at", [1, 2, 5, 12])  # journal commit, first, middle, late rename
def test_killed_run_leaves_old_or_next_run_finishes(trees, kill_at):
    old, new, out, v1, v2 = trees
    tree = out / "sample"
    r = subprocess.run([sys.executable, "-c", KILLER, str(kill_at), str(new), "-o", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == -9
    if kill_at == 1:  # killed before the journal was committed: the old tree, plus temp files
        assert {k: v for k, v in snapshot(tree).items() if not output._STALE.match(Path(k).name)} == v1
    check = rmgen("--check", new, "-o", out)
    assert check.returncode == 1 and "the next rmgen run (without --check) cleans it up" in check.stdout
    verdict = re.search(r"is out of date: (\d+) of (\d+) files differ, and \d+ files left by an interrupted run ",
                        check.stderr)  # the leftovers are not counted among the planned files
    assert verdict and int(verdict[1]) <= int(verdict[2]), check.stderr
    again = rmgen(new, "-o", out)
    assert again.returncode == 0 and "warning[RM0061]" in again.stderr and "warning[RM0053]" in again.stderr
    assert snapshot(tree) == v2 and output.stale_files(tree) == []
    hooks, stubs = tree / "server" / "sample_hooks.c", (tree / "server" / "stubs" / "sample_hooks.c").read_text()
    hooks.write_text(hooks.read_text() + stubs[stubs.index("\n/* Added in version two."):])  # as RM0053 asks
    assert rmgen("--check", new, "-o", out).returncode == 0


def test_a_folder_that_cannot_be_written_leaves_the_old_tree(trees):
    old, new, out, v1, v2 = trees
    tree = out / "sample"
    shutil.rmtree(tree / "lib" / "nto" / "x86_64" / "so")
    (tree / "lib" / "nto" / "x86_64" / "so").write_text("a file where a folder must be\n")
    before = snapshot(tree)
    r = rmgen(new, "-o", out)
    assert r.returncode == 2 and r.stderr.count("error[RM0052]") == 1
    assert snapshot(tree) == before  # nothing new, nothing half-written, no temp files


def test_concurrent_runs_take_turns(trees):
    old, new, out, v1, v2 = trees
    tree = out / "sample"
    for round in range(4):
        procs = [subprocess.Popen([sys.executable, "-m", "rmgen", str(s), "-o", str(out)],
                                  stderr=subprocess.PIPE, text=True) for s in (old, new)]
        errs = [p.communicate(timeout=900)[1] for p in procs]
        assert [p.returncode for p in procs] == [0, 0], errs
        assert snapshot(tree) in (v1, v2), f"round {round}: a mixed tree"


def test_concurrent_runs_on_a_new_folder(tmp_path):
    old, new = spec_pair(tmp_path)
    out = tmp_path / "fresh"
    procs = [subprocess.Popen([sys.executable, "-m", "rmgen", str(s), "-o", str(out)],
                              stderr=subprocess.PIPE, text=True) for s in (old, new)]
    errs = [p.communicate(timeout=900)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0] and "RM0051" not in "".join(errs), errs


def test_a_held_lock_times_out_with_one_message(trees, monkeypatch, capsys):
    import fcntl

    old, new, out, v1, v2 = trees
    fd = os.open(out / "sample", os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        monkeypatch.setattr(output, "LOCK_TIMEOUT", 0.3)
        assert cli.main([str(new), "-o", str(out)]) == 2
    finally:
        os.close(fd)
    assert capsys.readouterr().err.count("error[RM0060]") == 1
    assert snapshot(out / "sample") == v1


def test_output_on_a_file_is_one_error(tmp_path, capsys):
    old, new = spec_pair(tmp_path)
    (tmp_path / "file").write_text("x\n")
    assert cli.main([str(old), "-o", str(tmp_path / "file")]) == 2
    err = capsys.readouterr().err
    assert err.count("error[") == 1 and "error[RM0050]" in err


def test_no_link_is_followed_out_of_the_tree(trees, capsys):
    old, new, out, v1, v2 = trees
    tree = out / "sample"
    outside = out.parent / "outside"
    shutil.move(tree / "server", outside)
    (tree / "server").symlink_to(outside)
    before = snapshot(outside)
    assert cli.main([str(new), "-o", str(out)]) == 2
    assert "error[RM0059]" in capsys.readouterr().err and snapshot(outside) == before


def test_stale_temp_files_of_the_old_writer_are_removed(trees, capsys):
    old, new, out, v1, v2 = trees
    junk = out / "sample" / "server" / ".sample_io.c.ab12cd34.tmp"
    junk.write_text("left by a killed rmgen before this version\n")
    assert cli.main(["--check", str(old), "-o", str(out)]) == 1
    assert junk.exists()
    assert cli.main([str(old), "-o", str(out)]) == 0 and not junk.exists()
