"""Exact-output tests: one bad spec per diagnostic ID, compared with its .expected stderr.

Set RMGEN_UPDATE_EXPECTED=1 to rewrite the .expected files (then review the diff).
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
from pathlib import Path

import pytest

from rmgen import cli, output
from rmgen.diagnostics import REGISTRY

BAD = Path(__file__).parent / "bad_specs"
CASES = sorted(p.name for p in BAD.glob("RM*.yaml"))
RETIRED = Path(__file__).parent / "retired"  # specs of retired IDs: accepted now
RETIRED_SPECS = sorted(p.name for p in RETIRED.glob("RM*.yaml"))
COMPAT = sorted(p.name for p in (Path(__file__).parent / "compat").glob("RM*.expected"))  # test_compat.py


def run(capsys, argv):
    rc = cli.main(argv)
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def test_every_id_has_a_bad_spec():
    elsewhere = {"RM0084"}  # needs a git repository: exact output in test_compat.py
    covered = {name[:6] for name in CASES + COMPAT + RETIRED_SPECS} | elsewhere
    assert sorted(set(REGISTRY) - covered) == []
    assert sorted(covered - set(REGISTRY)) == []


@pytest.mark.parametrize("name", RETIRED_SPECS)
def test_retired_id_is_accepted_now(name, tmp_path, capsys):
    """A retired ID keeps its registry entry (never reused) and its old bad spec, which
    is now valid: it generates without any diagnostic."""
    assert REGISTRY[name[:6]].severity == "retired"
    rc, out, err = run(capsys, [str(RETIRED / name), "-o", str(tmp_path), "-q"])
    assert (rc, out) == (0, "") and "[RM" not in err, err


def test_every_bad_spec_has_an_expectation():
    for name in CASES:
        assert (BAD / name).with_suffix(".expected").is_file(), name


@pytest.mark.parametrize("name", CASES)
def test_bad_spec(name, tmp_path, monkeypatch, capsys, fake_backend):
    work = tmp_path / "bad_specs"
    shutil.copytree(BAD, work, symlinks=True)
    monkeypatch.chdir(work)
    args_file = work / Path(name).with_suffix(".args")
    extra = args_file.read_text().split() if args_file.exists() else []
    hold_file = work / Path(name).with_suffix(".hold")  # a folder another run holds locked
    with contextlib.ExitStack() as stack:
        if hold_file.exists():
            fd = os.open(work / hold_file.read_text().strip(), os.O_RDONLY)
            stack.callback(os.close, fd)
            fcntl.flock(fd, fcntl.LOCK_EX)
            monkeypatch.setattr(output, "LOCK_TIMEOUT", 0.2)
        rc, out, err = run(capsys, [name] + extra)
    expected_file = BAD / Path(name).with_suffix(".expected")
    if os.environ.get("RMGEN_UPDATE_EXPECTED"):
        expected_file.write_text(err, encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8")
    assert err == expected
    assert f"[{name[:6]}]" in err
    # an error under --check (missing hook, orphaned tree) fails the check: exit 1
    assert rc == ((1 if "--check" in extra else 2) if "error[" in expected else 0)
    assert out == ""


def test_several_errors_are_all_reported_sorted(tmp_path, capsys):
    spec = tmp_path / "many.yaml"
    spec.write_text("rmgen: 1\ndevice:\n  name: Bad\n  path: dev\n  summary: x\n  colour: red\n"
                    "devctl:\n  - {name: get, code: 300}\n  - {name: get, code: 1, out: nope}\n")
    rc, out, err = run(capsys, [str(spec)])
    assert rc == 2
    heads = [line for line in err.splitlines() if ": error[" in line]
    ids = [re.search(r"\[(RM\d{4})\]", h).group(1) for h in heads]
    assert ids == ["RM0020", "RM0018", "RM0013", "RM0016"]
    positions = [tuple(map(int, h.split(":")[1:3])) for h in heads]
    assert positions == sorted(positions)


def test_semantic_errors_are_all_reported(tmp_path, capsys):
    spec = tmp_path / "many.yaml"
    spec.write_text("rmgen: 1\ndevice: {name: bad, path: /dev/bad, summary: x}\n"
                    "state:\n  - {name: int, type: u8, default: 300}\n"
                    "devctl:\n  - {name: get, code: 1, out: nope}\n  - {name: get, code: 1}\n")
    rc, out, err = run(capsys, [str(spec)])
    ids = re.findall(r"error\[(RM\d{4})\]", err)
    assert rc == 2 and ids == ["RM0021", "RM0030", "RM0026", "RM0024", "RM0029"]


def test_errors_from_several_specs_in_one_report(tmp_path, capsys):
    (tmp_path / "a.yaml").write_text("rmgen: 2\n")
    (tmp_path / "b.yaml").write_text("[1, 2]\n")
    monkeypatch_cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        rc, out, err = run(capsys, ["b.yaml", "a.yaml"])
    finally:
        os.chdir(monkeypatch_cwd)
    heads = [line.split(": ")[0] for line in err.splitlines() if "error[" in line]
    assert rc == 2 and heads == ["a.yaml:1:1", "a.yaml:1:8", "b.yaml:1:1"]


GARBAGE = {
    "binary": bytes(range(256)) * 4,
    "nul": b"rmgen: 1\x00\n",
    "empty": b"",
    "whitespace": b"   \n\n",
    "list": b"- 1\n- 2\n",
    "scalar": b"hello\n",
    "huge-numbers": b"rmgen: 1\ndevice: {name: a, path: /a, summary: s}\ndevctl:\n"
                    b"  - {name: a, code: 1e999, class: 99999999999999999999999999}\n",
    "deep-lists": b"x: " + b"[" * 100000 + b"]" * 100000 + b"\n",
    "deep-maps": b"".join(b"  " * i + b"k:\n" for i in range(3000)),
    "deep-flow-maps": b"{a: " * 50000 + b"}" * 50000,
    "two-documents": b"rmgen: 1\n---\nrmgen: 1\n",
    "tabs": b"rmgen: 1\ndevice:\n\tname: x\n",
    "python-tag": b"rmgen: !!python/object/apply:os.system ['true']\n",
    "bad-alias": b"rmgen: *nothing\n",
    "complex-key": b"? [a, b]\n: 1\n",
    "null-values": b"rmgen: 1\ndevice:\nio:\nserver:\nenums:\ntypes:\nstate:\ndevctl:\n",
    "null-items": b"rmgen: 1\ndevice: {name: a, path: /a, summary: s}\nstate: [~]\ndevctl: [~, 1]\n"
                  b"enums: {e: ~}\ntypes: {t: {fields: [~]}}\n",
    "wrong-nested": b"rmgen: 1\ndevice: {name: a, path: /a, summary: s}\n"
                    b"types: {t: {fields: [{name: x, type: t}]}}\nstate: [{name: s, type: t, default: {a: 1}}]\n",
}


@pytest.mark.parametrize("name", sorted(GARBAGE))
def test_garbage_never_tracebacks(name, tmp_path, capsys, fake_backend):
    spec = tmp_path / f"{name}.yaml"
    spec.write_bytes(GARBAGE[name])
    rc, out, err = run(capsys, [str(spec)])
    assert rc == 2
    assert "Traceback" not in err and "internal error" not in err
    assert re.search(r"error\[RM\d{4}\]", err)
