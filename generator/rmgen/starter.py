"""`rmgen init NAME`: a commented starter spec that generates, builds and tests as is.

It never overwrites a file: NAME.yaml must not exist; the schema file its modeline names
is written next to it only if absent.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from rmgen import pipeline, render, resources, schema
from rmgen.diagnostics import ERROR, Diagnostics

IO_KINDS = ("none", "buffer", "hook")


def schema_text() -> str:
    """The JSON Schema rmgen validates with (what `rmgen schema` prints), as text."""
    return (resources.data_dir("schemas") / schema.SCHEMA_FILE).read_text(encoding="utf-8")


def text(name: str, io: str, pool: bool) -> str:
    """The starter spec for device `name`."""
    env = render.environment()
    return env.get_template("starter.yaml.j2").render(name=name, io=io, pool=pool,
                                                       schema_file=schema.SCHEMA_FILE)


def main(name: str, io: str, pool: bool, folder: str) -> int:
    body = text(name, io, pool)
    if not _valid(name, body):
        return 2
    where = Path(folder)
    spec = where / f"{name}.yaml"
    try:
        where.mkdir(parents=True, exist_ok=True)
        with spec.open("x", encoding="utf-8") as fh:  # "x": fails if it exists, no race
            fh.write(body)
    except FileExistsError:
        print(f"rmgen init: {spec} exists; not overwritten (remove it or choose another name)",
              file=sys.stderr)
        return 2
    except OSError as e:
        print(f"rmgen init: cannot write {spec}: {e.strerror or e}", file=sys.stderr)
        return 2
    wrote = [str(spec)]
    schema_copy = where / schema.SCHEMA_FILE
    if not schema_copy.exists():
        schema_copy.write_text(schema_text(), encoding="utf-8")
        wrote.append(str(schema_copy))
    print(f"rmgen: wrote {' and '.join(wrote)}\n"
          f"next: rmgen {spec} && make -C {where / name} -f host.mk test", file=sys.stderr)
    activate = Path(sys.executable).parent / "activate"
    if shutil.which("rmgen") is None and activate.is_file():
        print(f"(rmgen is not on PATH in this shell; this puts it there: . {_shown(activate)})", file=sys.stderr)
    return 0


def _shown(path: Path) -> str:
    """`path` relative to the current folder when it is below it, else as it is."""
    try:
        return Path(os.path.relpath(path)).as_posix() if Path.cwd() in path.parents else str(path)
    except ValueError:
        return str(path)


def _valid(name: str, body: str) -> bool:
    """Whether the starter for `name` passes every check (a bad NAME is reported as such)."""
    diags = Diagnostics()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "starter.yaml"
        path.write_text(body, encoding="utf-8")
        pipeline.validated(str(path), diags, display=f"{name}.yaml")
    for d in diags:
        if d.severity == ERROR:
            print(f"rmgen init: error[{d.id}]: {d.message} (in the starter for device name '{name}')",
                  file=sys.stderr)
    return not diags.has_errors
