"""The file plan: what a run will leave on disk, who owns each file, and its text.

Writing, `--check`, diffs and the missing-hook report all work from the plan, so they
cannot disagree.
"""
from __future__ import annotations

from typing import Tuple

import msgspec

GENERATED = "generated"  # rewritten by every run; must match exactly under --check
USER = "user"            # created once if missing, never overwritten


class HookRef(msgspec.Struct, frozen=True):
    """A function a user-owned file must define, and where its generated stub is."""

    symbol: str      # C function name, e.g. thermo_on_get_sample
    purpose: str     # one line: what calls it, e.g. "devctl get_sample"
    stub_file: str   # path of the generated stub file, relative to the output dir
    stub_line: int   # 1-based line of the stub in stub_file


class PlannedFile(msgspec.Struct, frozen=True):
    path: str                 # relative to the output directory, POSIX separators
    text: str
    owner: str = GENERATED    # GENERATED or USER
    hooks: Tuple[HookRef, ...] = msgspec.field(default_factory=tuple)  # USER files: symbols required
    executable: bool = False
