"""The one-line summaries a run prints on stderr: what was written, what drifted."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from rmgen import output


def _files(n: int) -> str:
    return f"{n} file" + ("" if n == 1 else "s")


CHECK_FAILED = "rmgen: --check fails: the errors above make the tree unusable as it is\n"


def wrote(outdir: Path, total: int, written: Sequence[str], failed: bool = False) -> str:
    """`rmgen: wrote N files to DIR/ (M unchanged)`; the stamp is not counted. A failed
    write changed nothing (output.write is all or nothing)."""
    if failed:
        return f"rmgen: {output.shown(outdir)}/ left as it was (the error above)\n"
    n = sum(1 for p in written if p != output.STAMP)
    return f"rmgen: wrote {_files(n)} to {output.shown(outdir)}/ ({total - n} unchanged)\n"


def checked(outdir: Path, total: int, drifted: int, command: str, leftovers: int = 0) -> str:
    """The --check verdict for one tree; the diff itself went to stdout. `leftovers` are
    temporary files of an interrupted run: drift, but not among the `total` planned files."""
    where = output.shown(outdir)
    if not drifted and not leftovers:
        return f"rmgen: {where}/ is up to date ({_files(total)})\n"
    left = f", and {_files(leftovers)} left by an interrupted run" if leftovers else ""
    return (f"rmgen: {where}/ is out of date: {drifted} of {_files(total)} differ{left} (diff on stdout); "
            f"regenerate with: {command}\n")
