"""Errors do not come in rounds: the semantic checks run on the parts that passed the
schema, so one run reports both kinds (tests/rounds: spec and exact expected output)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rmgen import cli

ROUNDS = Path(__file__).resolve().parent / "rounds"


@pytest.mark.parametrize("name", sorted(p.stem for p in ROUNDS.glob("*.yaml")))
def test_round(name, tmp_path, monkeypatch, capsys):
    shutil.copytree(ROUNDS, tmp_path / "rounds")
    monkeypatch.chdir(tmp_path / "rounds")
    rc = cli.main([f"{name}.yaml"])
    captured = capsys.readouterr()
    assert (rc, captured.out) == (2, "")
    assert captured.err == (ROUNDS / f"{name}.expected").read_text(encoding="utf-8")


def test_mixed_has_schema_and_semantic_errors():
    text = (ROUNDS / "mixed.expected").read_text()
    for id in ("RM0013", "RM0017", "RM0030", "RM0024", "RM0029", "RM0026"):
        assert f"error[{id}]" in text
    assert "RM0037" not in text  # 'state: bad' names the state field set aside: not reported
