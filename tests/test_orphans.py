"""Renaming the device must not silently orphan the old tree with the user's hooks: the
stamp records the spec, the next run warns (RM0081) and --check fails (RM0082)."""
from __future__ import annotations

import shutil
from pathlib import Path

from rmgen import cli, output

REPO = Path(__file__).resolve().parent.parent


def run(capsys, *argv):
    rc = cli.main(list(argv))
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def test_stamp_records_the_spec(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    shutil.copy(REPO / "examples" / "sample.yaml", "sample.yaml")
    assert run(capsys, "sample.yaml", "-o", "out")[0] == 0
    assert Path("out/sample/.rmgen").read_text().endswith("\nspec: ../../sample.yaml\n")
    assert output.recorded_spec(Path("out/sample")) == tmp_path / "sample.yaml"


def test_rename_is_reported_until_the_old_tree_is_gone(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    spec = Path("sample.yaml")
    shutil.copy(REPO / "examples" / "sample.yaml", spec)
    assert run(capsys, "-q", str(spec))[0] == 0
    spec.write_text(spec.read_text().replace("name: sample", "name: buffer"))
    line = next(i for i, t in enumerate(spec.read_text().splitlines(), 1) if "name: buffer" in t)
    message = ("this spec now writes buffer/, but sample/ was generated from it before and is left "
               "behind with your hooks (sample/server/sample_hooks.c); move your code into buffer/, "
               "then delete sample/")
    rc, out, err = run(capsys, "-q", str(spec))
    assert rc == 0 and err.startswith(f"sample.yaml:{line}:9: warning[RM0081]: {message}\n")
    rc, out, err = run(capsys, "-q", "--check", str(spec))
    assert rc == 1 and err.startswith(f"sample.yaml:{line}:9: error[RM0082]: {message}\n")
    shutil.rmtree("sample")
    assert run(capsys, "-q", "--check", str(spec)) == (0, "", "")


def test_another_spec_in_the_same_folder_is_not_an_orphan(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for name in ("sample", "thermo"):
        shutil.copy(REPO / "examples" / f"{name}.yaml", f"{name}.yaml")
    assert run(capsys, "-q", "sample.yaml", "thermo.yaml") == (0, "", "")
    assert run(capsys, "-q", "--check", "thermo.yaml") == (0, "", "")
