"""Putting a file plan on disk, or comparing it with the disk (`--check`).

Generated files are rewritten only when their text changed, each atomically. User files
are created once and never overwritten. A `.rmgen` stamp marks directories rmgen owns, so
a wrong `-o` cannot clobber somebody else's tree.
"""
from __future__ import annotations

import difflib
import os
import re
import tempfile
from pathlib import Path
from typing import List, Sequence, TextIO

from rmgen.diagnostics import Diagnostics, Location
from rmgen.plan import GENERATED, USER, PlannedFile

STAMP = ".rmgen"
STAMP_TEXT = "This directory is written by rmgen; files marked DO NOT EDIT are regenerated.\n"
_MARKER = re.compile(rb"DO NOT EDIT", re.IGNORECASE)
_CALLED = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*\(")  # every `name(`: one scan of a file


def shown(path: Path) -> str:
    """`path` as printed to people: relative to the current directory, POSIX separators."""
    return Path(os.path.relpath(path)).as_posix()


def preflight(outdir: Path, plan: Sequence[PlannedFile], diags: Diagnostics, where: Location,
              force: bool = False) -> None:
    """Refuse an output path that is a file, or a foreign non-empty directory."""
    if outdir.exists() and not outdir.is_dir():
        diags.add("RM0050", where, path=shown(outdir))
    elif outdir.is_dir() and not force and any(outdir.iterdir()) and not _owned(outdir, plan):
        diags.add("RM0051", where, path=shown(outdir))


def _owned(outdir: Path, plan: Sequence[PlannedFile]) -> bool:
    """Whether rmgen wrote into `outdir` before: a stamp, or a planned file with the header."""
    if (outdir / STAMP).is_file():
        return True
    for f in plan:
        path = outdir / f.path
        if f.owner == GENERATED and path.is_file():
            with path.open("rb") as fh:
                if _MARKER.search(fh.read(1024)):
                    return True
    return False


def write(outdir: Path, plan: Sequence[PlannedFile], diags: Diagnostics, where: Location) -> List[str]:
    """Write the plan under `outdir`; returns the paths written (relative to `outdir`)."""
    written = []
    files = [PlannedFile(STAMP, STAMP_TEXT)] + sorted(plan, key=lambda f: f.path)
    for f in files:
        path = outdir / f.path
        try:
            if f.owner == USER and (path.exists() or path.is_symlink()):
                continue
            data = f.text.encode("utf-8")
            old_mode = path.stat().st_mode & 0o7777 if path.exists() else None
            mode = (0o755 if f.executable else 0o644) if old_mode is None else old_mode | (0o111 if f.executable else 0)
            if old_mode == mode and path.read_bytes() == data:
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            _atomic_write(path, data, mode)
            written.append(f.path)
        except OSError as e:
            diags.add("RM0052", where, path=shown(path), reason=_reason(path, e))
    return written


def _reason(path: Path, error: OSError) -> str:
    """The OS error, or which parent of `path` is a file where a directory must be."""
    for parent in reversed(path.parents):
        if parent.exists() and not parent.is_dir():
            return f"{shown(parent)} is a file, not a directory"
    return error.strerror or str(error)


def _atomic_write(path: Path, data: bytes, mode: int) -> None:
    """Write a temp file in the same directory, fsync it, then rename it over `path`."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def missing_hooks(outdir: Path, plan: Sequence[PlannedFile], diags: Diagnostics) -> None:
    """Warn about each hook a present user file does not define."""
    for f in plan:
        path = outdir / f.path
        if f.owner != USER or not f.hooks or not path.is_file():
            continue
        called = set(_CALLED.findall(path.read_text(encoding="utf-8", errors="replace")))
        for hook in f.hooks:
            if hook.symbol not in called:
                diags.add("RM0053", Location(shown(path)), symbol=hook.symbol, purpose=hook.purpose,
                          stub=f"{shown(outdir / hook.stub_file)}:{hook.stub_line}")


def check(outdir: Path, plan: Sequence[PlannedFile], out: TextIO) -> bool:
    """Print a unified diff for every drifted file to `out`; True if anything drifted.

    A generated file drifts if it is missing, stale or edited; a user file if it is missing.
    """
    drift = False
    for f in sorted(plan, key=lambda f: f.path):
        path = outdir / f.path
        name = shown(path)
        if not path.is_file():
            out.writelines(_lines(difflib.unified_diff([], f.text.splitlines(True), "/dev/null", f"b/{name}")))
            drift = True
        elif f.owner == GENERATED:
            current = path.read_bytes().decode("utf-8", errors="replace")
            if current != f.text:
                out.writelines(_lines(difflib.unified_diff(
                    current.splitlines(True), f.text.splitlines(True), f"a/{name}", f"b/{name}")))
                drift = True
            if f.executable and not os.access(path, os.X_OK):
                out.write(f"{name}: should be executable\n")
                drift = True
    return drift


def _lines(diff):
    """Terminate a diff's last line if the file lacked a final newline."""
    for line in diff:
        yield line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
