"""The README's GitHub Actions and GitLab CI snippets and the pre-commit hooks, run on a
scratch git repository, offline: the commands come from the README and from
.pre-commit-hooks.yaml; `pip install` lines are left out (rmgen comes from this venv)."""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"^```yaml\n(# (\S+)\n.*?)^```$", re.M | re.S)

pytestmark = pytest.mark.skipif(shutil.which("git") is None or shutil.which("make") is None,
                                reason="needs git and make")


def snippet(name: str) -> dict:
    found = {m.group(2): m.group(1) for m in BLOCK.finditer((REPO / "README.md").read_text())}
    return yaml.safe_load(found[name])


def ci_commands(name: str):
    """The shell commands of a README snippet, without installing rmgen."""
    data = snippet(name)
    if name == ".gitlab-ci.yml":
        lines = data["driver"]["script"]
    else:
        lines = [step["run"] for step in data["jobs"]["driver"]["steps"] if "run" in step]
    return [c for c in lines if not c.startswith("pip install")]


ENV = {"PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin:/bin"]),
       "HOME": "/nonexistent", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
       "GIT_AUTHOR_NAME": "ci", "GIT_AUTHOR_EMAIL": "ci@example.org",
       "GIT_COMMITTER_NAME": "ci", "GIT_COMMITTER_EMAIL": "ci@example.org", "LANG": "C.UTF-8",
       "PYTHONPATH": os.environ.get("PYTHONPATH", "")}  # conftest's: the rmgen under test, not the venv's


def sh(cmd: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    r = subprocess.run(["bash", "-ec", cmd], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=600)
    if check:
        assert r.returncode == 0, f"$ {cmd}\n{r.stdout}{r.stderr}"
    return r


@pytest.fixture
def clone(tmp_path):
    """A project with specs/led.yaml and its tree on origin's main, cloned as CI checks out."""
    work = tmp_path / "work"
    work.mkdir()
    sh("git init -q -b main && rmgen init led -o specs && rmgen -q specs/led.yaml && git add -A "
       "&& git commit -qm led", work)
    sh(f"git clone -q --bare {work} {tmp_path / 'origin.git'}", tmp_path)
    sh(f"git clone -q {tmp_path / 'origin.git'} ci && cd ci && git checkout -q -b feature", tmp_path)
    return tmp_path / "ci"


def grow(repo: Path, line: str) -> None:
    """Append a devctl to the spec, regenerate, copy the new stub into the hooks, commit."""
    spec = repo / "specs" / "led.yaml"
    spec.write_text(spec.read_text() + line + "\n")
    sh("rmgen -q specs/led.yaml && sed -n '/^int led_on_blink(/,/^}/p' specs/led/server/stubs/led_hooks.c "
       ">> specs/led/server/led_hooks.c && git add -A && git commit -qm blink", repo)


@pytest.mark.parametrize("name", [".github/workflows/rmgen.yml", ".gitlab-ci.yml"])
def test_ci_snippet_passes_growth_and_fails_a_break(clone, name):
    commands = ci_commands(name)
    assert any("rmgen --check" in c for c in commands) and any("rmgen compat" in c for c in commands)
    grow(clone, "  - {name: blink, code: 3, in: u16, access: write, doc: Blink with this period in ms}")
    for c in commands:
        sh(c, clone)
    spec = clone / "specs" / "led.yaml"
    spec.write_text(spec.read_text().replace("name: get_settings, code: 2", "name: get_settings, code: 9"))
    sh("rmgen -q specs/led.yaml && git commit -qam renumber", clone)
    results = {c: sh(c, clone, check=False) for c in commands if "rmgen" in c or "git" in c}
    compat = next(c for c in commands if "rmgen compat" in c)
    assert results[compat].returncode == 1 and "error[RM0093]" in results[compat].stderr
    assert all(r.returncode == 0 for c, r in results.items() if c != compat)


def test_pre_commit_hooks(clone):
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"rmgen-check", "rmgen-compat"}

    def hook(id: str) -> subprocess.CompletedProcess:
        h = hooks[id]
        assert h["language"] == "python" and h["pass_filenames"] is False
        return sh(" ".join(shlex.split(h["entry"]) + ["specs/led.yaml"]), clone, check=False)

    assert hook("rmgen-check").returncode == 0 and hook("rmgen-compat").returncode == 0
    spec = clone / "specs" / "led.yaml"
    spec.write_text(spec.read_text().replace("in: settings, access: write", "in: settings, access: read-write"))
    r = hook("rmgen-check")
    assert r.returncode == 1 and "is out of date" in r.stderr
    sh("rmgen -q specs/led.yaml", clone)
    assert hook("rmgen-check").returncode == 0
    r = hook("rmgen-compat")
    assert r.returncode == 1 and "error[RM0096]" in r.stderr


def test_the_examples_own_pre_commit_hooks_pass():
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())
    hooks = config["repos"][0]["hooks"]
    examples = sorted(f"examples/{p.name}" for p in (REPO / "examples").glob("*.yaml"))
    assert [h["id"] for h in hooks] == ["rmgen-check", "rmgen-compat"]
    for h in hooks:
        assert h["args"] == examples  # every example, none forgotten
        r = sh(" ".join(shlex.split(h["entry"]) + h["args"]), REPO)
        assert r.returncode == 0
