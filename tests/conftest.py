"""Test set-up: import `rmgen` from generator/rmgen/ without installing it, and fakes of
the lead's model/render stages so that CLI and output tests do not depend on templates."""
from __future__ import annotations

import os
import sys
import types
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PKG_ROOT = REPO / "generator"
sys.path.insert(0, str(PKG_ROOT))
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PKG_ROOT), os.environ.get("PYTHONPATH")]))

from rmgen.plan import USER, HookRef, PlannedFile  # noqa: E402


def fake_plan(device: dict) -> list:
    """A small plan: a generated source, a generated stub file and a user hook file."""
    name = device["name"]
    return [
        PlannedFile(f"gen/{name}_server.c", f"/* {device['spec']}: DO NOT EDIT */\nint x;\n"),
        PlannedFile("gen/stubs.c", f"/* DO NOT EDIT */\nint {name}_on_init(void)\n{{\n}}\n"),
        PlannedFile("build.sh", "#!/bin/sh\necho build\n", executable=True),
        PlannedFile(f"{name}_hooks.c", f"int {name}_on_init(void)\n{{\n    return 0;\n}}\n", owner=USER,
                    hooks=(HookRef(f"{name}_on_init", "called once at start-up", "gen/stubs.c", 2),)),
    ]


@pytest.fixture
def fake_backend(monkeypatch):
    """Install fake rmgen.model / rmgen.render modules; returns the list of build() calls."""
    calls = []
    model = types.ModuleType("rmgen.model")
    render = types.ModuleType("rmgen.render")

    def build(spec: dict, spec_relpath: str) -> dict:
        calls.append((spec, spec_relpath))
        return {"name": spec["device"]["name"], "spec": spec_relpath}

    model.build = build
    render.render = fake_plan
    import rmgen
    monkeypatch.setitem(sys.modules, "rmgen.model", model)
    monkeypatch.setitem(sys.modules, "rmgen.render", render)
    monkeypatch.setattr(rmgen, "model", model, raising=False)
    monkeypatch.setattr(rmgen, "render", render, raising=False)
    return calls
