"""Test set-up: import `rmgen` from generator/rmgen/ without installing it, and fakes of
the lead's model/render stages so that CLI and output tests do not depend on templates.

Speed (`make test` runs pytest-xdist, one worker per core; builds are shared by the session):
- `cbuild.host_make(tree, build, ...)` links the session's build of the qnxhost runtime
  into a new build folder (nothing to do: every host.mk build gets it).
- `cbuild.copy_tree(src, dest)` instead of shutil.copytree for a tree with a planted
  defect: its host_make build starts from the original's objects; make rebuilds the rest.
- `cbuild.example_build(tree, san, extra)`: a folder where `host.mk all` ran, once per
  session; run its tests there (`host_make(tree, example_build(tree))`) or link against it.
- `cbuild.runtime(["SAN=1", ...])`: the runtime folder for those qnxhost make arguments.
- `cbuild.shared(kind, key, build)`: any other folder built once per session.
- Bound runs by work (a count of executions, CPU time), never by wall-clock time: `make
  soak` runs the suite with both cores busy."""
from __future__ import annotations

import os
import shutil
import sys
import types
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PKG_ROOT = REPO / "generator"
sys.path.insert(0, str(PKG_ROOT))
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PKG_ROOT), os.environ.get("PYTHONPATH")]))
# The tests' make commands run as from a fresh shell, however pytest was started: an outer
# make's MAKEFLAGS/MAKELEVEL (`make test`, `make soak`) would add "Entering directory" lines
# to the output the tests match.
for _var in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
    os.environ.pop(_var, None)

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


@pytest.fixture
def thermo_spec(tmp_path, monkeypatch, fake_backend):
    """examples/thermo.yaml copied into a fresh directory that is also the current directory,
    with the fake backend installed; returns the spec's name there."""
    shutil.copy(REPO / "examples" / "thermo.yaml", tmp_path / "thermo.yaml")
    monkeypatch.chdir(tmp_path)
    return "thermo.yaml"


def run_cli(capsys, *argv) -> tuple:
    """(exit status, stdout, stderr) of rmgen run in-process with these arguments."""
    from rmgen import cli

    rc = cli.main(list(argv))
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


# Modules of long single tests (user sessions that build drivers, the wheel), started first
# so that xdist workers do not end the run waiting on one of them.
LONG_FIRST = ("test_tutorial.py", "test_wheel.py", "test_ci_snippets.py", "test_starter.py", "test_mutations.py")


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: item.path.name not in LONG_FIRST)  # stable: the rest keep their order


@pytest.fixture(scope="session", autouse=True)
def shared_builds(tmp_path_factory):
    """The folder of builds shared by the session (cbuild.shared; one for all xdist workers)."""
    base = tmp_path_factory.getbasetemp()
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "shared-builds"
    root.mkdir(exist_ok=True)
    os.environ["RMGEN_TEST_SHARED"] = str(root)
    yield root
    os.environ.pop("RMGEN_TEST_SHARED", None)
