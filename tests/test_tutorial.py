"""docs/tutorial.md is executable: every `console` block's commands run in order in an
empty folder, as a new user types them in a terminal (rmgen on PATH, nothing else), and
their output must match the block (normalised; `...` stands for lines or text left out).
A ```yaml file=NAME block writes NAME; any other ```LANG file=NAME block must appear
verbatim in NAME, so the code the tutorial quotes cannot drift from what rmgen writes."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TUTORIAL = REPO / "docs" / "tutorial.md"
BLOCK = re.compile(r"^```(\w*)[ \t]*([^\n]*)\n(.*?)^```[ \t]*$", re.M | re.S)

pytestmark = pytest.mark.skipif(shutil.which("script") is None or shutil.which("make") is None,
                                reason="needs script(1) (a terminal for the commands) and make")


def blocks(text: str):
    """(kind, name, body) of every block the test acts on, in order."""
    for m in BLOCK.finditer(text):
        lang, info, body = m.groups()
        if lang == "console":
            yield "console", "", body
        elif info.startswith("file="):
            yield ("write" if lang == "yaml" else "quote"), info[len("file="):], body


def commands(body: str):
    """(command, expected output lines) of a console block."""
    out = []
    for line in body.splitlines():
        if line.startswith("$ "):
            out.append((line[2:], []))
        else:
            out[-1][1].append(line)
    return out


def pattern(expected):
    """A regex for the output: `...` alone is any lines; inside a line, any text."""
    parts = []
    for line in expected:
        if line == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(r".*".join(map(re.escape, line.split("..."))) + r"\n")
    return re.compile("".join(parts))


class Shell:
    """Runs each command in a terminal (script(1)) in the current folder, and follows `cd`."""

    def __init__(self, root: Path):
        self.root, self.cwd = root, root
        self.env = {"PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin:/bin"]),
                    "HOME": str(root), "TERM": "dumb", "COLUMNS": "120", "LANG": "C.UTF-8",
                    "PYTHONPATH": os.environ.get("PYTHONPATH", "")}  # conftest's: the rmgen under test

    def run(self, command: str) -> str:
        script = self.root.parent / "step.sh"
        where = self.root.parent / "cwd"
        script.write_text(f"cd '{self.cwd}' || exit 99\n{command}\nstatus=$?\npwd > '{where}'\nexit $status\n")
        r = subprocess.run(["script", "-qec", f"bash {script}", "/dev/null"], env=self.env, cwd=self.cwd,
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
        self.cwd = Path(where.read_text().strip())
        text = r.stdout.replace("\r\n", "\n").replace("\r", "")
        lines = [line.expandtabs().rstrip() for line in text.split("\n")]  # as a terminal shows it
        while lines and not lines[-1]:
            lines.pop()
        return "".join(line + "\n" for line in lines)


def test_tutorial_runs_as_written(tmp_path):
    root = tmp_path / "tutorial"
    root.mkdir()
    shell = Shell(root)
    ran = 0
    for kind, name, body in blocks(TUTORIAL.read_text(encoding="utf-8")):
        if kind == "write":
            (shell.cwd / name).write_text(body, encoding="utf-8")
        elif kind == "quote":
            assert body in (shell.cwd / name).read_text(encoding="utf-8"), f"{name} no longer holds:\n{body}"
        else:
            for command, expected in commands(body):
                output = shell.run(command)
                assert pattern(expected).fullmatch(output), (
                    f"$ {command}\n--- the tutorial shows:\n" + "\n".join(expected) + f"\n--- real output:\n{output}")
                ran += 1
    assert ran >= 15
