"""`rmgen init` (a starter spec that generates, builds and passes its host test as is,
and never overwrites), `rmgen schema`, and the editor modelines of starter and examples."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cbuild import summary
from rmgen import cli

REPO = Path(__file__).resolve().parent.parent
SCHEMA = REPO / "schemas" / "rmgen-spec-v1.json"
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.M)


def run(capsys, *argv):
    rc = cli.main(list(argv))
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def shell(cmd, cwd, timeout=900):
    """A command as a new user types it: rmgen from the venv on PATH, nothing else set."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "/usr/bin:/bin")])
    return subprocess.run(cmd, shell=True, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("options", ["", "--io buffer --pool", "--io hook"])
def test_starter_generates_builds_and_passes_its_host_test(tmp_path, options):
    r = shell(f"rmgen init led {options}", tmp_path)
    assert (r.returncode, r.stdout) == (0, ""), r.stderr
    assert r.stderr == ("rmgen: wrote led.yaml and rmgen-spec-v1.json\n"
                        "next: rmgen led.yaml && make -C led -f host.mk test\n")
    r = shell("rmgen led.yaml && make -s -C led -f host.mk test SAN=0", tmp_path)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    passed, failed = summary(r.stdout)
    assert passed >= 14 and failed == 0
    text = (tmp_path / "led.yaml").read_text()
    assert text.count("#") > 15  # commented for a newcomer
    if "--pool" in options:
        assert "threads: pool" in text and "kind: buffer" in text
    if "hook" in options:
        assert "kind: hook" in text


def test_starter_never_overwrites(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path("led.yaml").write_text("mine\n")
    Path("rmgen-spec-v1.json").write_text("{}\n")
    rc, out, err = run(capsys, "init", "led")
    assert (rc, out) == (2, "")
    assert err == "rmgen init: led.yaml exists; not overwritten (remove it or choose another name)\n"
    assert Path("led.yaml").read_text() == "mine\n"
    assert run(capsys, "init", "lamp")[0] == 0
    assert Path("rmgen-spec-v1.json").read_text() == "{}\n"  # an existing schema file is kept


@pytest.mark.parametrize("name, expected", [
    ("Led", "error[RM0020]: 'Led' is not a valid name"),
    ("int", "error[RM0021]: 'int' is a C keyword"),
    ("iofunc", "error[RM0023]: 'iofunc' clashes with a QNX API or runtime prefix"),
])
def test_starter_refuses_a_bad_name(tmp_path, monkeypatch, capsys, name, expected):
    monkeypatch.chdir(tmp_path)
    rc, out, err = run(capsys, "init", name)
    assert rc == 2 and err.startswith(f"rmgen init: {expected}") and list(tmp_path.iterdir()) == []


def test_schema_command_prints_the_schema(capsys):
    rc, out, err = run(capsys, "schema")
    assert (rc, err) == (0, "") and out == SCHEMA.read_text()
    assert json.loads(out)["$schema"].startswith("https://json-schema.org/draft/2020-12")


def test_modelines_name_a_schema_file_that_exists(tmp_path, monkeypatch, capsys):
    """Offline: each modeline is a relative path to the schema (examples: the repo's copy;
    a starter: the copy `rmgen init` writes next to it)."""
    monkeypatch.chdir(tmp_path)
    run(capsys, "init", "led")
    specs = sorted((REPO / "examples").glob("*.yaml")) + [tmp_path / "led.yaml"]
    for spec in specs:
        m = MODELINE.search(spec.read_text())
        assert m and spec.read_text().startswith(m.group(0)), spec
        target = spec.parent / m.group(1)
        assert target.read_text() == SCHEMA.read_text(), spec


def test_starter_says_how_to_get_rmgen_on_path(tmp_path):
    """Run as .venv/bin/rmgen in a shell without it on PATH: it names the activate script."""
    rmgen = Path(sys.executable).parent / "rmgen"
    r = subprocess.run([str(rmgen), "init", "led"], cwd=tmp_path, capture_output=True, text=True,
                       env={"PATH": "/usr/bin:/bin"}, timeout=900)
    activate = Path(sys.executable).parent / "activate"
    hint = f"(rmgen is not on PATH in this shell; this puts it there: . {activate})\n"
    assert r.returncode == 0 and r.stderr.endswith(hint) == activate.is_file(), r.stderr
