"""Renamed devices: a tree generated from this spec under its old name, left behind.

Every tree's `.rmgen` stamp records the spec it came from. When a spec writes DIR/new
while DIR/old names the same spec, the old tree (with the user's hooks) is orphaned.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, Optional

from rmgen import loader, output
from rmgen.diagnostics import Diagnostics


def report(spec: loader.Spec, outdir: Path, diags: Diagnostics, strict: bool,
           stamps: Optional[Dict[Path, Optional[Path]]] = None) -> None:
    """Add RM0081 (RM0082 under --check) for each sibling of `outdir` generated from `spec`.
    `stamps` keeps each folder's recorded spec for the other specs of the same run."""
    parent = outdir.parent if str(outdir.parent) else Path(".")
    if not parent.is_dir():
        return
    stamps = {} if stamps is None else stamps
    me, here = os.path.realpath(spec.file), os.path.realpath(outdir)
    for old in sorted(p for p in parent.iterdir() if p.is_dir() and not p.is_symlink()):
        if old not in stamps:
            stamps[old] = output.recorded_spec(old)
        recorded = stamps[old]
        if recorded is None or os.path.realpath(recorded) != me or os.path.realpath(old) == here:
            continue
        hooks = sorted(p for p in old.rglob("*_hooks.c") if "stubs" not in p.parts)
        diags.add("RM0082" if strict else "RM0081", spec.loc(("device", "name")),
                  new=output.shown(outdir), old=output.shown(old),
                  hooks=output.shown(hooks[0]) if hooks else f"{output.shown(old)}/server")
