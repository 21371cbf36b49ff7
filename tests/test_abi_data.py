"""The copy of the QNX ABI figures in tests/data (numbers only) that the ABI and model
tests use, so a fresh clone skips nothing; it must equal ../shared/qnx when that exists."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "qnx"
FILES = ["abi-8.0-x86_64.json", "abi-6.4-x86.json"]


@pytest.mark.parametrize("name", FILES)
def test_copy_holds_numbers_only(name):
    data = json.loads((REPO / "tests" / "data" / name).read_text(encoding="utf-8"))
    about = data.pop("_about")
    assert "Numbers only" in about and len(data) > 300
    assert all(v is None or type(v) is int for v in data.values())


@pytest.mark.parametrize("name", FILES)
def test_copy_matches_shared_figures_when_present(name):
    shared = SHARED / name
    if shared.is_file():  # no skip when absent: a clone without ../shared runs the copy alone
        assert (REPO / "tests" / "data" / name).read_bytes() == shared.read_bytes()
